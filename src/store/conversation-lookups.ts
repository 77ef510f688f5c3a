import type { Conversation } from '../kernel/types.ts';
import type { Queryable } from './driver.ts';
import { selectList } from './conversations.ts';

/**
 * The latest conversation carrying a legacy chat id. The id is not unique (imports may repeat
 * it), so the most recent start wins; served by conversations_by_legacy.
 */
export async function findByLegacyChatId(db: Queryable, customerId: string, profileId: string, legacyChatId: number): Promise<Conversation | undefined> {
  const rows = await db.query<Conversation>(
    `SELECT ${selectList('c')} FROM conversations c
      WHERE c.customer_id = $1 AND c.profile_id = $2 AND c.legacy_chat_id = $3::integer
      ORDER BY c.start_time DESC, c.id DESC LIMIT 1`,
    [customerId, profileId, legacyChatId],
  );
  return rows[0];
}

/**
 * Conversations with one platform conversation id and account id, oldest start first (a
 * transferred call yields several). Served by conversations_by_platform.
 */
export async function findByPlatformId(
  db: Queryable,
  customerId: string,
  profileId: string,
  platformConversationId: string,
  platformAccountId: string,
  limit: number,
): Promise<Conversation[]> {
  return db.query<Conversation>(
    `SELECT ${selectList('c')} FROM conversations c
      WHERE c.customer_id = $1 AND c.profile_id = $2 AND c.platform_conversation_id = $3 AND c.platform_account_id = $4
      ORDER BY c.start_time ASC, c.id ASC LIMIT $5`,
    [customerId, profileId, platformConversationId, platformAccountId, limit],
  );
}

/** A conversation's two handles: its Parley id and its name segment in the profile. */
export interface ConversationKey {
  id: string;
  nameId: string;
}

/**
 * The keys of a profile's conversations whose name segment is one of `nameIds` or whose id is one
 * of `ids` (at most one row each way per value): two seeks, on the (customer_id, profile_id,
 * name_id) unique index and on the primary key. Which one a segment means is the core's rule
 * (core/conversations/resolve.ts).
 */
export async function findConversationKeys(
  db: Queryable,
  customerId: string,
  profileId: string,
  nameIds: readonly string[],
  ids: readonly string[],
): Promise<ConversationKey[]> {
  return db.query<ConversationKey>(
    `SELECT id, name_id AS "nameId" FROM conversations WHERE customer_id = $1 AND profile_id = $2 AND name_id = ANY($3::text[])
     UNION
     SELECT id, name_id AS "nameId" FROM conversations WHERE customer_id = $1 AND id = ANY($4::text[]) AND profile_id = $2`,
    [customerId, profileId, nameIds, ids],
  );
}

/**
 * The conversation of the voice call with this platform call id, if any: one seek on calls'
 * (customer_id, profile_id, platform_call_id) unique index, then the conversation's primary key.
 */
export async function findCallConversation(db: Queryable, customerId: string, profileId: string, platformCallId: string): Promise<Conversation | undefined> {
  const rows = await db.query<Conversation>(
    `SELECT ${selectList('c')} FROM calls k JOIN conversations c ON c.customer_id = k.customer_id AND c.id = k.conversation_id
      WHERE k.customer_id = $1 AND k.profile_id = $2 AND k.platform_call_id = $3`,
    [customerId, profileId, platformCallId],
  );
  return rows[0];
}
