import type { Queryable } from './driver.ts';

/** A customer's own conversation state (raia's): a name to file conversations under. */
export interface ConversationStateRow {
  customerId: string;
  id: string;
  name: string;
  description: string | null;
  color: string | null;
  isPersistent: boolean;
  createTime: Date;
  updateTime: Date;
}

export type ConversationStateFields = Pick<ConversationStateRow, 'name' | 'description' | 'color' | 'isPersistent'>;

const SELECT = `customer_id AS "customerId", id, name, description, color, is_persistent AS "isPersistent",
  create_time AS "createTime", update_time AS "updateTime"`;

/** The columns a change may set, so the statement comes in a bounded number of forms. */
const COLUMNS: Record<keyof ConversationStateFields, string> = {
  name: 'name', description: 'description', color: 'color', isPersistent: 'is_persistent',
};

/** Every state of the customer, oldest first (then by id, a total order). */
export async function listConversationStates(db: Queryable, customerId: string): Promise<ConversationStateRow[]> {
  return db.query<ConversationStateRow>(
    `SELECT ${SELECT} FROM conversation_states WHERE customer_id = $1 ORDER BY create_time, id`,
    [customerId],
  );
}

export async function getConversationState(db: Queryable, customerId: string, id: string): Promise<ConversationStateRow | undefined> {
  const rows = await db.query<ConversationStateRow>(`SELECT ${SELECT} FROM conversation_states WHERE customer_id = $1 AND id = $2`, [customerId, id]);
  return rows[0];
}

/** Inserts a state; a taken name fails with unique_violation (23505). */
export async function insertConversationState(
  db: Queryable, customerId: string, id: string, fields: ConversationStateFields,
): Promise<ConversationStateRow> {
  const [row] = await db.query<ConversationStateRow>(
    `INSERT INTO conversation_states (customer_id, id, name, description, color, is_persistent)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${SELECT}`,
    [customerId, id, fields.name, fields.description, fields.color, fields.isPersistent],
  );
  return row;
}

/** Sets the given fields (and the update time); undefined when there is no such state. A taken name fails with 23505. */
export async function updateConversationState(
  db: Queryable, customerId: string, id: string, changes: Partial<ConversationStateFields>,
): Promise<ConversationStateRow | undefined> {
  const params: unknown[] = [customerId, id];
  const sets = (Object.keys(COLUMNS) as (keyof ConversationStateFields)[])
    .filter((field) => changes[field] !== undefined)
    .map((field) => {
      params.push(changes[field]);
      return `${COLUMNS[field]} = $${params.length}`;
    });
  const rows = await db.query<ConversationStateRow>(
    `UPDATE conversation_states SET ${[...sets, 'update_time = now()'].join(', ')}
      WHERE customer_id = $1 AND id = $2 RETURNING ${SELECT}`,
    params,
  );
  return rows[0];
}

/** Removes a state; the conversations filed under it lose it (the foreign key's ON DELETE SET NULL). */
export async function deleteConversationState(db: Queryable, customerId: string, id: string): Promise<boolean> {
  const rows = await db.query(`DELETE FROM conversation_states WHERE customer_id = $1 AND id = $2 RETURNING 1`, [customerId, id]);
  return rows.length === 1;
}

export async function conversationStateExists(db: Queryable, customerId: string, id: string): Promise<boolean> {
  const rows = await db.query(`SELECT 1 FROM conversation_states WHERE customer_id = $1 AND id = $2`, [customerId, id]);
  return rows.length === 1;
}
