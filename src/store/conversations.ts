import type { Conversation } from '../kernel/types.ts';
import type { Queryable } from './driver.ts';
import { refPredicate, type ConversationRef } from './conversation-ref.ts';

type ColumnKind = 'text' | 'jsonb' | 'timestamptz' | 'integer' | 'float8';

/** Conversation field → column. Insert, update and select lists are all derived from this table. */
const COLUMNS: Record<string, [column: string, kind: ColumnKind]> = {
  customerId: ['customer_id', 'text'],
  id: ['id', 'text'],
  profileId: ['profile_id', 'text'],
  nameId: ['name_id', 'text'],
  agent: ['agent', 'text'],
  participants: ['participants', 'jsonb'],
  agentInfo: ['agent_info', 'jsonb'],
  agentUserName: ['agent_user_name', 'text'],
  team: ['team', 'text'],
  visitor: ['visitor', 'jsonb'],
  conversationCorrelationId: ['conversation_correlation_id', 'text'],
  skill: ['skill', 'text'],
  platformInfo: ['platform_info', 'jsonb'],
  startTime: ['start_time', 'timestamptz'],
  endTime: ['end_time', 'timestamptz'],
  audioPersistenceState: ['audio_persistence_state', 'text'],
  persistedAudioUri: ['persisted_audio_uri', 'text'],
  audioAnalysis: ['audio_analysis', 'jsonb'],
  persistedAudioDuration: ['persisted_audio_duration', 'float8'],
  legacyChatId: ['legacy_chat_id', 'integer'],
  state: ['state', 'text'],
  closeReason: ['close_reason', 'text'],
  mode: ['mode', 'text'],
  raiseHandState: ['raise_hand_state', 'text'],
  languageCode: ['language_code', 'text'],
  channel: ['channel', 'text'],
  source: ['source', 'text'],
  metadata: ['metadata', 'jsonb'],
  displayName: ['display_name', 'text'],
  sharingState: ['sharing_state', 'text'],
  policyOverride: ['policy_override', 'jsonb'],
  usecase: ['usecase', 'text'],
  createTime: ['create_time', 'timestamptz'],
  updateTime: ['update_time', 'timestamptz'],
  corruptionState: ['corruption_state', 'text'],
  virtualAgent: ['virtual_agent', 'text'],
  ingestedByJob: ['ingested_by_job', 'text'],
  transferInfo: ['transfer_info', 'jsonb'],
  persistenceState: ['persistence_state', 'text'],
  multiLanguageMode: ['multi_language_mode', 'text'],
  messageCount: ['message_count', 'integer'],
  endUserId: ['end_user_id', 'text'],
  context: ['context', 'text'],
  customData: ['custom_data', 'jsonb'],
  stateId: ['state_id', 'text'],
};

export type ConversationField = keyof Conversation;

export function selectList(alias = 'conversations'): string {
  return Object.entries(COLUMNS)
    .map(([field, [column]]) => `${alias}.${column} AS "${field}"`)
    .join(', ');
}

const SELECT = selectList();

function toParam(kind: ColumnKind, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (kind === 'jsonb') return JSON.stringify(value);
  if (kind === 'timestamptz') return value instanceof Date ? value.toISOString() : value;
  return value;
}

/** Columns the platform lookups index, derived from platformInfo on every write. */
function platformColumns(conversation: Partial<Conversation>): Record<string, unknown> {
  if (!('platformInfo' in conversation)) return {};
  return {
    platform_conversation_id: conversation.platformInfo?.platformConversationId || null,
    platform_account_id: conversation.platformInfo?.platformAccountId || null,
  };
}

export type NewConversation = Partial<Conversation> & Pick<Conversation, 'customerId' | 'id' | 'profileId' | 'nameId' | 'startTime'>;

/** Inserts unless the name is taken in the profile; returns undefined on conflict. */
export async function insertConversation(db: Queryable, conversation: NewConversation): Promise<Conversation | undefined> {
  const columns: string[] = [];
  const values: string[] = [];
  const params: unknown[] = [];
  for (const [field, [column, kind]] of Object.entries(COLUMNS)) {
    const value = conversation[field as ConversationField];
    if (value === undefined || field === 'messageCount') continue;
    params.push(toParam(kind, value));
    columns.push(column);
    values.push(`$${params.length}::${kind}`);
  }
  for (const [column, value] of Object.entries(platformColumns(conversation))) {
    params.push(value);
    columns.push(column);
    values.push(`$${params.length}::text`);
  }
  if (conversation.createTime === undefined) {
    // Milliseconds, not now()'s microseconds: list page tokens carry the time as a JS Date (ms), and a
    // truncated cursor would return a page boundary's same-millisecond rows twice (createTime order).
    columns.push('create_time');
    values.push(`date_trunc('milliseconds', now())`);
  }
  const rows = await db.query<Conversation>(
    `INSERT INTO conversations (${columns.join(', ')}) VALUES (${values.join(', ')})
     ON CONFLICT (customer_id, profile_id, name_id) DO NOTHING RETURNING ${SELECT}`,
    params,
  );
  return rows[0];
}

export async function getConversation(db: Queryable, ref: ConversationRef, options: { forUpdate?: boolean } = {}): Promise<Conversation | undefined> {
  const where = refPredicate(ref, 1);
  const rows = await db.query<Conversation>(
    `SELECT ${SELECT} FROM conversations WHERE ${where.sql}${options.forUpdate ? ' FOR UPDATE' : ''}`,
    where.params,
  );
  return rows[0];
}

/** Writes the given fields and bumps update_time; returns the updated row, undefined when absent. */
export async function updateConversation(
  db: Queryable,
  ref: ConversationRef,
  changes: Partial<Conversation>,
): Promise<Conversation | undefined> {
  const sets: string[] = ['update_time = now()'];
  const params: unknown[] = [];
  for (const [field, value] of Object.entries(changes)) {
    const entry = COLUMNS[field];
    if (!entry || value === undefined) continue;
    const [column, kind] = entry;
    params.push(toParam(kind, value));
    sets.push(`${column} = $${params.length}::${kind}`);
  }
  for (const [column, value] of Object.entries(platformColumns(changes))) {
    params.push(value);
    sets.push(`${column} = $${params.length}::text`);
  }
  const where = refPredicate(ref, params.length + 1);
  const rows = await db.query<Conversation>(
    `UPDATE conversations SET ${sets.join(', ')} WHERE ${where.sql} RETURNING ${SELECT}`,
    [...params, ...where.params],
  );
  return rows[0];
}

/**
 * Deletes a conversation (its messages, tags, analyses and call go with it through their foreign
 * keys) and every event of it but its CONVERSATION_DELETE, which the lifecycle appended first: the
 * log keeps that one (ids only) so its followers learn of the deletion.
 */
export async function deleteConversation(db: Queryable, ref: ConversationRef): Promise<boolean> {
  const where = refPredicate(ref, 1);
  const rows = await db.query(
    `WITH gone AS (DELETE FROM conversations WHERE ${where.sql} RETURNING customer_id, id), events_gone AS (
       DELETE FROM events e USING gone WHERE e.customer_id = gone.customer_id AND e.conversation_id = gone.id
          AND e.type <> 'CONVERSATION_DELETE'
     )
     SELECT id FROM gone`,
    where.params,
  );
  return rows.length > 0;
}

export async function getConversationsByNames(
  db: Queryable,
  customerId: string,
  profileId: string,
  nameIds: readonly string[],
): Promise<Conversation[]> {
  return db.query<Conversation>(
    `SELECT ${SELECT} FROM conversations WHERE customer_id = $1 AND profile_id = $2 AND name_id = ANY($3::text[])`,
    [customerId, profileId, nameIds],
  );
}

/**
 * Closes every open conversation of one agent in a profile except `keepId`; returns the closed
 * ids so the lifecycle (its only caller) can log a CONVERSATION_END event on each.
 */
export async function closeAgentConversations(
  db: Queryable,
  customerId: string,
  profileId: string,
  agent: string,
  keepId: string,
): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `UPDATE conversations SET state = 'CLOSED', close_reason = 'COMPLETED', end_time = now(), update_time = now()
      WHERE customer_id = $1 AND profile_id = $2 AND state <> 'CLOSED' AND id <> $4
        AND (agent = $3 OR agent_user_name = $3)
      RETURNING id`,
    [customerId, profileId, agent, keepId],
  );
  return rows.map((r) => r.id);
}
