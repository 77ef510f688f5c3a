import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Driver } from '../../store/driver.ts';
import { stores } from '../../store/index.ts';
import { invalidArgument, ParleyError } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import { LIMITS } from '../../kernel/limits.ts';
import type { Caller } from '../../kernel/types.ts';
import type { ApiKeyService } from '../tenancy/api-keys.ts';
import { keptSecret } from './kept-secret.ts';

export interface EndUserTokenOptions {
  /** PARLEY_JWT_SECRET; unset: one generated once and kept in the database (signing_secrets). */
  secret?: string;
  /** PARLEY_JWT_TTL_SECONDS. Default 3600. */
  ttlSeconds?: number;
}

export interface SignInRequest {
  /** The organization in the path: the customer the key must belong to. */
  customerId: string;
  apiKey: string;
  apiKeyId: string;
  /** The caller's id for the end user. */
  userId: string;
}

export interface SignedIn {
  idToken: string;
  expiresAt: Date;
}

const ISSUER = 'parley';
const SECRET_NAME = 'end-user-tokens';
const invalidToken = () => new ParleyError('UNAUTHENTICATED', 'invalid or expired token');

/** Tokens whose signature was checked, kept so a signed-in user's every request is not verified again. */
const VERIFIED_TOKENS_KEPT = 10_000;

interface TokenClaims {
  key: string;
  uid: string;
  sub: string;
  org: unknown;
  /** Epoch milliseconds after which the token is refused. */
  expiresMs: number;
}

/**
 * End users and the tokens they act with (the agent surface's sign-in, Amigo's
 * signin_with_api_key): an API key signs a user in and gets an HS256 JWT for it. The token acts as
 * its key (same customer, narrowing and scopes, revoked with it) on behalf of that end user.
 */
export class EndUserService {
  private readonly storedSecret: () => Promise<string>;
  private readonly ttlSeconds: number;
  private readonly verified = new LRUCache<string, TokenClaims>({ max: VERIFIED_TOKENS_KEPT });

  constructor(private readonly db: Driver, private readonly apiKeys: ApiKeyService, private readonly options: EndUserTokenOptions = {}) {
    this.ttlSeconds = options.ttlSeconds ?? 3600;
    this.storedSecret = keptSecret(db, SECRET_NAME);
  }

  /** PARLEY_JWT_SECRET, else the one kept in the database for every process. */
  private async key(): Promise<Uint8Array> {
    return new TextEncoder().encode(this.options.secret ?? await this.storedSecret());
  }

  /**
   * Verifies the key, that `apiKeyId` is its id and that it is the organization's, creates the end
   * user on first sign-in, and returns a token. Any credential mismatch is the same
   * UNAUTHENTICATED, so a key of another organization tells nothing about this one.
   */
  async signIn(request: SignInRequest): Promise<SignedIn> {
    const userId = request.userId;
    if (userId.length === 0 || userId.length > LIMITS.shortString || /\p{Cc}/u.test(userId)) {
      throw invalidArgument('x-user-id', `must be 1 to ${LIMITS.shortString} characters without control characters`);
    }
    const caller = await this.apiKeys.authenticate(request.apiKey);
    if (caller.keyId !== request.apiKeyId || caller.customerId !== request.customerId) {
      throw new ParleyError('UNAUTHENTICATED', 'invalid API key');
    }
    const endUser = await stores(this.db).endUsers.upsertEndUser(caller.customerId, userId, newId());
    const now = Math.floor(Date.now() / 1000);
    const expires = now + this.ttlSeconds;
    const idToken = await new SignJWT({ org: caller.customerId, key: caller.keyId, uid: endUser.id })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setSubject(userId)
      .setIssuedAt(now)
      .setExpirationTime(expires)
      .sign(await this.key());
    return { idToken, expiresAt: new Date(expires * 1000) };
  }

  /**
   * A bearer credential: a Parley API key (`pk_…`) as everywhere, or a token from signIn. A token
   * is refused once expired, or when its key has been revoked since.
   */
  async authenticate(presented: string): Promise<Caller> {
    if (presented.startsWith('pk_')) return this.apiKeys.authenticate(presented);
    const claims = await this.verify(presented);
    const caller = await this.apiKeys.callerOf(claims.key);
    if (!caller || caller.customerId !== claims.org) throw invalidToken();
    return { ...caller, endUser: { id: claims.uid, externalId: claims.sub } };
  }

  /**
   * A token's claims once its signature, issuer and expiry hold. A token verified before is not
   * verified again (its bytes are what was signed), but its expiry is checked on every use.
   */
  private async verify(token: string): Promise<TokenClaims> {
    const kept = this.verified.get(token);
    if (kept) {
      if (kept.expiresMs <= Date.now()) throw invalidToken();
      return kept;
    }
    let payload: { org?: unknown; key?: unknown; uid?: unknown; sub?: unknown; exp?: unknown };
    try {
      ({ payload } = await jwtVerify(token, await this.key(), { issuer: ISSUER, algorithms: ['HS256'] }));
    } catch (err) {
      if (err instanceof joseErrors.JOSEError) throw invalidToken();
      throw err;
    }
    const { key, uid, sub, org, exp } = payload;
    if (typeof key !== 'string' || typeof uid !== 'string' || typeof sub !== 'string' || typeof exp !== 'number') throw invalidToken();
    const claims = { key, uid, sub, org, expiresMs: exp * 1000 };
    this.verified.set(token, claims);
    return claims;
  }
}
