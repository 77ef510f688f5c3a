import type { Tag } from '../kernel/types.ts';
import type { Queryable } from './driver.ts';

const TAG_SELECT = `t.customer_id AS "customerId", t.profile_id AS "profileId", t.id, t.display_name AS "displayName",
  t.create_time AS "createTime"`;

/** Creates the profile's tag on first use. */
export async function ensureTag(db: Queryable, customerId: string, profileId: string, id: string, displayName = ''): Promise<void> {
  await db.query(
    `INSERT INTO tags (customer_id, profile_id, id, display_name) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
    [customerId, profileId, id, displayName],
  );
}

/** Returns false when the conversation already had the tag. */
export async function attachTag(
  db: Queryable,
  customerId: string,
  profileId: string,
  conversationId: string,
  tagId: string,
  actor: string,
): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO conversation_tags (customer_id, conversation_id, profile_id, tag_id, actor) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT DO NOTHING RETURNING tag_id`,
    [customerId, conversationId, profileId, tagId, actor],
  );
  return rows.length > 0;
}

export async function detachTag(db: Queryable, customerId: string, conversationId: string, tagId: string): Promise<boolean> {
  const rows = await db.query(
    `DELETE FROM conversation_tags WHERE customer_id = $1 AND conversation_id = $2 AND tag_id = $3 RETURNING tag_id`,
    [customerId, conversationId, tagId],
  );
  return rows.length > 0;
}

export async function listConversationTags(db: Queryable, customerId: string, conversationId: string): Promise<Tag[]> {
  return db.query<Tag>(
    `SELECT ${TAG_SELECT} FROM conversation_tags ct
       JOIN tags t ON t.customer_id = ct.customer_id AND t.profile_id = ct.profile_id AND t.id = ct.tag_id
      WHERE ct.customer_id = $1 AND ct.conversation_id = $2 ORDER BY ct.create_time, t.id`,
    [customerId, conversationId],
  );
}
