import type { Queryable } from './driver.ts';
import type { ApiKeyRow } from './api-keys.ts';

/*
 * API keys as their managers see them (core/tenancy/key-management.ts): the keys inside a
 * narrowing, newest first, a keyset page at a time, each with its agent's profile. The secret's
 * hash never leaves api-keys.ts.
 */

export interface ManagedApiKey extends Omit<ApiKeyRow, 'secretHash'> {
  /** The profile of the agent the key is narrowed to (null without one, or when the agent is gone). */
  agentProfileId: string | null;
}

/** Whose keys: null is no narrowing. A profile holds the keys narrowed to it and to its agents. */
export interface KeyNarrowing {
  profileId: string | null;
  agentId: string | null;
}

export interface ManagedKeyQuery {
  /** Only this key (a revocation's look-up through the same narrowing). */
  id?: string;
  /** Where the previous page ended. */
  after?: { createTime: string; id: string };
  limit: number;
}

/**
 * The keys inside a narrowing, newest first. A key narrowed to an agent without a profile (as the
 * CLI makes them) is its agent's profile's.
 */
export async function listManagedApiKeys(db: Queryable, customerId: string, narrowing: KeyNarrowing, query: ManagedKeyQuery): Promise<ManagedApiKey[]> {
  return db.query<ManagedApiKey>(
    `SELECT k.customer_id AS "customerId", k.id, k.profile_id AS "profileId", k.agent_id AS "agentId", k.scopes,
            k.display_name AS "displayName", k.create_time AS "createTime", k.revoke_time AS "revokeTime",
            g.profile_id AS "agentProfileId"
       FROM api_keys k
       LEFT JOIN agents g ON g.customer_id = k.customer_id AND g.id = k.agent_id
      WHERE k.customer_id = $1
        AND ($2::text IS NULL OR k.profile_id = $2 OR g.profile_id = $2)
        AND ($3::text IS NULL OR k.agent_id = $3)
        AND ($4::text IS NULL OR k.id = $4)
        AND ($5::timestamptz IS NULL OR (k.create_time, k.id) < ($5::timestamptz, $6::text))
      ORDER BY k.create_time DESC, k.id DESC LIMIT $7`,
    [customerId, narrowing.profileId, narrowing.agentId, query.id ?? null, query.after?.createTime ?? null, query.after?.id ?? null, query.limit],
  );
}
