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
