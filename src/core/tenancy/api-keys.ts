import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Driver } from '../../store/driver.ts';
import { stores } from '../../store/index.ts';
import { invalidArgument, notFound, ParleyError } from '../../kernel/errors.ts';
import { isId, newId } from '../../kernel/ids.ts';
import type { Caller } from '../../kernel/types.ts';

/** `pk_` + 24-hex key id + `_` + 43 chars of base64url secret (256 bits). */
const KEY_PATTERN = /^pk_([a-f0-9]{24})_([A-Za-z0-9_-]{43})$/;

export function hashSecret(key: string): string {
  // The secret has 256 bits of entropy, so a fast hash is enough; a slow KDF would only add latency.
  return createHash('sha256').update(key).digest('hex');
}

export interface CreatedKey {
  id: string;
  secret: string;
  customerId: string;
  profileId: string | null;
  agentId: string | null;
  scopes: string[];
}

export class ApiKeyService {
  private readonly cache = new Map<string, { caller: Caller; secretHash: string; expires: number }>();

  constructor(private readonly db: Driver, private readonly cacheSeconds = 10) {}

  async create(options: { customerId: string; profileId?: string | null; agentId?: string | null; scopes?: string[]; displayName?: string }): Promise<CreatedKey> {
    const scopes = options.scopes?.length ? options.scopes : ['*'];
    return this.db.transaction(async (tx) => {
      const s = stores(tx);
      if (!(await s.customers.getCustomer(options.customerId))) throw notFound(`customer ${options.customerId}`);
      if (options.profileId && !(await s.customers.getProfile(options.customerId, options.profileId))) {
        throw notFound(`profile customers/${options.customerId}/profiles/${options.profileId}`);
      }
      const id = newId();
      const secret = `pk_${id}_${randomBytes(32).toString('base64url')}`;
      await s.apiKeys.insertApiKey({
        customerId: options.customerId, id, secretHash: hashSecret(secret), profileId: options.profileId ?? null,
        agentId: options.agentId ?? null, scopes, displayName: options.displayName ?? '',
      });
      return { id, secret, customerId: options.customerId, profileId: options.profileId ?? null, agentId: options.agentId ?? null, scopes };
    });
  }

  list(customerId: string) {
    return stores(this.db).apiKeys.listApiKeys(customerId);
  }

  async revoke(customerId: string, id: string): Promise<void> {
    if (!isId(id)) throw invalidArgument('id', 'must be a 24-character hex key id');
    const revoked = await stores(this.db).apiKeys.revokeApiKey(customerId, id);
    if (!revoked) throw notFound('key');
    this.cache.delete(id);
  }

  /**
   * The caller a key acts as, by its id alone, for credentials Parley issued for that key (the
   * agent surface's sign-in tokens): undefined when the key is unknown or revoked.
   */
  async callerOf(id: string): Promise<Caller | undefined> {
    return (await this.liveKey(id))?.caller;
  }

  /** Verifies a presented key; UNAUTHENTICATED for anything malformed, unknown or revoked. */
  async authenticate(presented: string): Promise<Caller> {
    const match = KEY_PATTERN.exec(presented);
    if (!match) throw new ParleyError('UNAUTHENTICATED', 'invalid API key');
    const key = await this.liveKey(match[1]);
    if (!key || !timingSafeEqual(Buffer.from(key.secretHash, 'hex'), Buffer.from(hashSecret(presented), 'hex'))) {
      throw new ParleyError('UNAUTHENTICATED', 'invalid API key');
    }
    return key.caller;
  }

  /**
   * An unrevoked key by id, kept `cacheSeconds` (a revocation in another process is seen within
   * that time; in this one at once). Shared by presented keys and the tokens issued for a key, so
   * a signed-in end user's requests cost no key read either.
   */
  private async liveKey(id: string): Promise<{ caller: Caller; secretHash: string } | undefined> {
    const cached = this.cache.get(id);
    if (cached && cached.expires > Date.now()) return cached;
    const row = await stores(this.db).apiKeys.findApiKeyById(id);
    if (!row || row.revokeTime) return undefined;
    const key = {
      caller: { customerId: row.customerId, keyId: row.id, profileId: row.profileId, agentId: row.agentId, scopes: row.scopes },
      secretHash: row.secretHash,
      expires: Date.now() + this.cacheSeconds * 1000,
    };
    if (this.cacheSeconds > 0) {
      // Bounded: a flood of distinct keys must not grow memory without limit.
      if (this.cache.size >= 10_000) this.cache.clear();
      this.cache.set(id, key);
    }
    return key;
  }
}
