import type { Driver } from '../../store/driver.ts';
import { stores, type Stores } from '../../store/index.ts';
import type { KeyNarrowing, ManagedApiKey } from '../../store/managed-api-keys.ts';
import type { ProfileRow } from '../../store/customers.ts';
import { invalidArgument, notFound, ParleyError } from '../../kernel/errors.ts';
import { isId } from '../../kernel/ids.ts';
import { decodePageToken, encodePageToken } from '../../kernel/page-token.ts';
import type { Caller } from '../../kernel/types.ts';
import { assertCustomer } from './access.ts';
import type { ApiKeyService } from './api-keys.ts';

export type { ManagedApiKey, ProfileRow };

/** The permission that manages keys (besides `*`). */
export const MANAGE_KEYS_SCOPE = 'Parley:ManageKeys';

/** A scope: `*`, or a permission string `Service:Method`. */
export const SCOPE_PATTERN = /^(\*|[A-Za-z][A-Za-z0-9]*:[A-Za-z][A-Za-z0-9]*)$/;
export const KEY_LIMITS = { scopes: 100, scopeLength: 128, displayName: 256, pageSize: 1000 } as const;

/** What a new key asks for; each absent part is the creating key's own. */
export interface KeyRequest {
  displayName: string;
  profileId?: string;
  agentId?: string;
  /** The profile the agent was named under: an agent of another profile is not found there. */
  agentProfileId?: string;
  scopes?: readonly string[];
}

/**
 * API keys managed by API keys (the console's key page), and what the presented key is and sees.
 * The rule: a key sees and manages only keys inside its own narrowing (its profile, its agent),
 * never makes a key wider than itself (narrowing and scopes), and revokes only keys whose scopes
 * it holds. A key narrowed to an agent is narrowed to that agent's profile too. Another
 * customer's keys, and keys outside the narrowing, are NOT_FOUND; a wider request is
 * PERMISSION_DENIED. Secrets are made and hashed by ApiKeyService alone.
 */
export class KeyManagementService {
  constructor(private readonly db: Driver, private readonly apiKeys: ApiKeyService) {}

  /** The presented key itself. */
  async introspect(caller: Caller): Promise<ManagedApiKey> {
    const [key] = await stores(this.db).apiKeys.listManagedApiKeys(caller.customerId, { profileId: null, agentId: null }, { id: caller.keyId, limit: 1 });
    if (!key) throw new ParleyError('UNAUTHENTICATED', 'invalid API key');
    return key;
  }

  /** The customer's profiles the key sees: all of them, or the one it is narrowed to. */
  async profiles(caller: Caller, customerId: string): Promise<ProfileRow[]> {
    assertCustomer(caller, customerId, 'customer');
    const s = stores(this.db);
    const own = await narrowingOf(s, caller);
    if (own.profileId === null) return s.customers.listProfiles(customerId);
    const profile = await s.customers.getProfile(customerId, own.profileId);
    return profile ? [profile] : [];
  }

  async list(caller: Caller, customerId: string, page: { pageSize: number; pageToken?: string }): Promise<{ keys: ManagedApiKey[]; nextPageToken: string }> {
    assertCustomer(caller, customerId, 'customer');
    const s = stores(this.db);
    const own = await narrowingOf(s, caller);
    const after = decodePageToken(page.pageToken, own, ['timestamp', 'id']);
    const keys = await s.apiKeys.listManagedApiKeys(customerId, own, {
      after: after ? { createTime: after[0] as string, id: after[1] as string } : undefined, limit: page.pageSize + 1,
    });
    const shown = keys.slice(0, page.pageSize);
    const last = shown[shown.length - 1];
    return { keys: shown, nextPageToken: keys.length > page.pageSize ? encodePageToken(own, [last.createTime.toISOString(), last.id]) : '' };
  }

  /** A new key inside the caller's narrowing and scopes; its secret is returned this once. */
  async create(caller: Caller, customerId: string, request: KeyRequest): Promise<{ key: ManagedApiKey; secret: string }> {
    assertCustomer(caller, customerId, 'customer');
    const displayName = request.displayName.trim();
    if (!displayName) throw invalidArgument('displayName', 'must not be blank');
    if (displayName.length > KEY_LIMITS.displayName) throw invalidArgument('displayName', `at most ${KEY_LIMITS.displayName} characters`);
    const scopes = grantableScopes(caller, request.scopes ?? caller.scopes);
    const s = stores(this.db);
    const own = await narrowingOf(s, caller);
    const agentId = request.agentId ?? own.agentId;
    if (own.agentId !== null && agentId !== own.agentId) throw notFound('agent');
    if (request.profileId !== undefined && own.profileId !== null && request.profileId !== own.profileId) throw notFound('profile');
    let profileId = request.profileId ?? null;
    if (profileId !== null && !(await s.customers.getProfile(customerId, profileId))) throw notFound('profile');
    if (agentId !== null) {
      const agent = await s.agents.getAgent(customerId, agentId, own.profileId);
      if (!agent || (request.agentProfileId !== undefined && agent.profileId !== request.agentProfileId)) throw notFound('agent');
      if (profileId !== null && agent.profileId !== profileId) throw invalidArgument('agent', 'must be an agent of the key\'s profile');
      profileId = agent.profileId;
    }
    profileId ??= own.profileId;
    const created = await this.apiKeys.create({ customerId, profileId, agentId, scopes, displayName });
    const [key] = await s.apiKeys.listManagedApiKeys(customerId, { profileId: null, agentId: null }, { id: created.id, limit: 1 });
    return { key, secret: created.secret };
  }

  /** Revokes a key the caller manages (idempotent: a revoked key keeps its first revocation time). */
  async revoke(caller: Caller, customerId: string, id: string): Promise<ManagedApiKey> {
    assertCustomer(caller, customerId, 'customer');
    if (!isId(id)) throw invalidArgument('key', 'must be a 24-character hex key id');
    const s = stores(this.db);
    const [key] = await s.apiKeys.listManagedApiKeys(customerId, await narrowingOf(s, caller), { id, limit: 1 });
    if (!key) throw notFound('key');
    const missing = key.scopes.find((scope) => !holds(caller, scope));
    if (missing !== undefined) throw new ParleyError('PERMISSION_DENIED', `this key cannot revoke a key with the scope ${missing}, which it lacks`);
    await this.apiKeys.revoke(customerId, id);
    const [revoked] = await s.apiKeys.listManagedApiKeys(customerId, { profileId: null, agentId: null }, { id, limit: 1 });
    return revoked;
  }
}

/** The caller's narrowing, a key narrowed to an agent counting as narrowed to the agent's profile too. */
async function narrowingOf(s: Stores, caller: Caller): Promise<KeyNarrowing> {
  if (caller.profileId !== null || caller.agentId === null) return { profileId: caller.profileId, agentId: caller.agentId };
  const agent = await s.agents.getAgent(caller.customerId, caller.agentId, null);
  // A key whose agent is gone sees no profile: `-` names none (RESOURCE_ID_PATTERN never matches it).
  return { profileId: agent?.profileId ?? '-', agentId: caller.agentId };
}

const holds = (caller: Caller, scope: string) => caller.scopes.includes('*') || caller.scopes.includes(scope);

function grantableScopes(caller: Caller, requested: readonly string[]): string[] {
  if (requested.length === 0) throw invalidArgument('scopes', 'must name at least one scope (`*` is every one)');
  if (requested.length > KEY_LIMITS.scopes) throw invalidArgument('scopes', `at most ${KEY_LIMITS.scopes}`);
  for (const [i, scope] of requested.entries()) {
    if (scope.length > KEY_LIMITS.scopeLength || !SCOPE_PATTERN.test(scope)) {
      throw invalidArgument(`scopes[${i}]`, 'must be `*` or a permission such as `Conversation:GetConversation`');
    }
    if (!holds(caller, scope)) throw new ParleyError('PERMISSION_DENIED', `a key cannot grant the scope ${scope}, which it lacks`);
  }
  return [...new Set(requested)];
}
