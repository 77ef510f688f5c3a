import type { JsonObject, Participant, Role } from '../kernel/types.ts';
import type { Queryable } from './driver.ts';

export type CallState = 'ACTIVE' | 'ON_HOLD' | 'ENDED';

export interface CallChannel {
  index: number;
  role: Role;
}

export interface Call {
  customerId: string;
  conversationId: string;
  profileId: string;
  platformCallId: string;
  platformMasterCallId: string;
  state: CallState;
  audioStreamingMode: string;
  channelType: string;
  encoding: string;
  sampleRateHertz: number | null;
  channels: CallChannel[];
  agentKey: string;
  eventsProcessed: number;
  lastEventType: string;
  lastPlatformTime: Date | null;
  audioSeconds: Record<string, number>;
  audioPaused: boolean;
  pendingPauseSeconds: number;
  audioEnded: boolean;
  audioKey: string;
  createTime: Date;
  updateTime: Date;
  endTime: Date | null;
}

type ColumnKind = 'text' | 'jsonb' | 'timestamptz' | 'integer' | 'float8' | 'boolean';

/** Call field → column; the select and update lists are derived from it. */
const COLUMNS: Record<keyof Call, [column: string, kind: ColumnKind]> = {
  customerId: ['customer_id', 'text'],
  conversationId: ['conversation_id', 'text'],
  profileId: ['profile_id', 'text'],
  platformCallId: ['platform_call_id', 'text'],
  platformMasterCallId: ['platform_master_call_id', 'text'],
  state: ['state', 'text'],
  audioStreamingMode: ['audio_streaming_mode', 'text'],
  channelType: ['channel_type', 'text'],
  encoding: ['encoding', 'text'],
  sampleRateHertz: ['sample_rate_hertz', 'integer'],
  channels: ['channels', 'jsonb'],
  agentKey: ['agent_key', 'text'],
  eventsProcessed: ['events_processed', 'integer'],
  lastEventType: ['last_event_type', 'text'],
  lastPlatformTime: ['last_platform_time', 'timestamptz'],
  audioSeconds: ['audio_seconds', 'jsonb'],
  audioPaused: ['audio_paused', 'boolean'],
  pendingPauseSeconds: ['pending_pause_seconds', 'float8'],
  audioEnded: ['audio_ended', 'boolean'],
  audioKey: ['audio_key', 'text'],
  createTime: ['create_time', 'timestamptz'],
  updateTime: ['update_time', 'timestamptz'],
  endTime: ['end_time', 'timestamptz'],
};

const SELECT = Object.entries(COLUMNS).map(([field, [column]]) => `calls.${column} AS "${field}"`).join(', ');

function toParam(kind: ColumnKind, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (kind === 'jsonb') return JSON.stringify(value);
  if (kind === 'timestamptz') return value instanceof Date ? value.toISOString() : value;
  return value;
}

/**
 * Serialises every change to one platform call, including its creation (no row to lock yet), for
 * the rest of the caller's transaction.
 */
export async function lockPlatformCall(db: Queryable, customerId: string, profileId: string, platformCallId: string): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`call:${customerId}/${profileId}/${platformCallId}`]);
}

export async function getCallByPlatformId(db: Queryable, customerId: string, profileId: string, platformCallId: string): Promise<Call | undefined> {
  const rows = await db.query<Call>(
    `SELECT ${SELECT} FROM calls WHERE customer_id = $1 AND profile_id = $2 AND platform_call_id = $3`,
    [customerId, profileId, platformCallId],
  );
  return rows[0];
}

export async function getCall(db: Queryable, customerId: string, conversationId: string): Promise<Call | undefined> {
  const rows = await db.query<Call>(`SELECT ${SELECT} FROM calls WHERE customer_id = $1 AND conversation_id = $2`, [customerId, conversationId]);
  return rows[0];
}

export async function insertCall(
  db: Queryable,
  call: Pick<Call, 'customerId' | 'conversationId' | 'profileId' | 'platformCallId'>,
): Promise<Call> {
  const rows = await db.query<Call>(
    `INSERT INTO calls (customer_id, conversation_id, profile_id, platform_call_id) VALUES ($1, $2, $3, $4) RETURNING ${SELECT}`,
    [call.customerId, call.conversationId, call.profileId, call.platformCallId],
  );
  return rows[0];
}

export type CallChanges = Partial<Omit<Call, 'customerId' | 'conversationId' | 'profileId' | 'platformCallId' | 'createTime' | 'updateTime'>>;

export async function updateCall(db: Queryable, customerId: string, conversationId: string, changes: CallChanges): Promise<Call | undefined> {
  const sets = ['update_time = now()'];
  const params: unknown[] = [customerId, conversationId];
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    const [column, kind] = COLUMNS[field as keyof Call];
    params.push(toParam(kind, value));
    sets.push(`${column} = $${params.length}::${kind}`);
  }
  const rows = await db.query<Call>(
    `UPDATE calls SET ${sets.join(', ')} WHERE customer_id = $1 AND conversation_id = $2 RETURNING ${SELECT}`,
    params,
  );
  return rows[0];
}

/**
 * Audio counters are kept in memory per frame and written here at events, every few seconds and
 * at the end; only ever raised, so a late writer with older numbers changes nothing.
 */
export async function saveAudioSeconds(db: Queryable, customerId: string, conversationId: string, audioSeconds: Record<string, number>): Promise<void> {
  await db.query(
    `UPDATE calls SET audio_seconds = (
       SELECT coalesce(jsonb_object_agg(k, greatest(coalesce((calls.audio_seconds->>k)::float8, 0), v)), '{}'::jsonb)
         FROM (SELECT key AS k, value::float8 AS v FROM jsonb_each_text(calls.audio_seconds || $3::jsonb)) AS merged
     ), update_time = now()
     WHERE customer_id = $1 AND conversation_id = $2`,
    [customerId, conversationId, JSON.stringify(audioSeconds)],
  );
}

export interface CallEvent {
  ord: number;
  eventType: string;
  platformTime: Date;
  sequenceId: string | null;
  contentKey: string | null;
  participants: Participant[];
  platformMasterCallId: string;
  payload: JsonObject;
  receiveTime: Date;
}

export type NewCallEvent = Omit<CallEvent, 'receiveTime' | 'ord'>;

const EVENT_SELECT = `ord, event_type AS "eventType", platform_time AS "platformTime", sequence_id AS "sequenceId",
  content_key AS "contentKey", participants, platform_master_call_id AS "platformMasterCallId", payload, receive_time AS "receiveTime"`;

/**
 * Records a session event unless it is a repeat (same sequenceId, or same content key); returns
 * false for a repeat. Runs under lockPlatformCall, so `ord` (the arrival order) cannot collide.
 */
export async function insertCallEvent(db: Queryable, customerId: string, conversationId: string, event: NewCallEvent): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO call_events (customer_id, conversation_id, ord, event_type, platform_time, sequence_id, content_key,
                              participants, platform_master_call_id, payload)
     SELECT $1, $2, coalesce(max(ord) + 1, 0), $3, $4::timestamptz, $5, $6, $7::jsonb, $8, $9::jsonb
       FROM call_events WHERE customer_id = $1 AND conversation_id = $2
     ON CONFLICT DO NOTHING RETURNING ord`,
    [
      customerId, conversationId, event.eventType, event.platformTime.toISOString(), event.sequenceId, event.contentKey,
      JSON.stringify(event.participants), event.platformMasterCallId, JSON.stringify(event.payload),
    ],
  );
  return rows.length > 0;
}

/** A call's events in the order they happened on the platform (arrival order breaks ties). */
export async function listCallEvents(db: Queryable, customerId: string, conversationId: string): Promise<CallEvent[]> {
  return db.query<CallEvent>(
    `SELECT ${EVENT_SELECT} FROM call_events WHERE customer_id = $1 AND conversation_id = $2 ORDER BY platform_time, ord`,
    [customerId, conversationId],
  );
}

/** The agent's unfinished calls in a profile other than `exceptConversationId` (closeActiveCalls). */
export async function listActiveCallsOfAgent(
  db: Queryable,
  customerId: string,
  profileId: string,
  agentKey: string,
  exceptConversationId: string,
): Promise<Call[]> {
  return db.query<Call>(
    `SELECT ${SELECT} FROM calls
      WHERE customer_id = $1 AND profile_id = $2 AND agent_key = $3 AND state <> 'ENDED' AND conversation_id <> $4
      ORDER BY conversation_id`,
    [customerId, profileId, agentKey, exceptConversationId],
  );
}

/** The latest other leg of a transferred call created before `conversationId` (transferInfo.previousConversation). */
export async function previousLeg(
  db: Queryable,
  customerId: string,
  profileId: string,
  masterCallId: string,
  conversationId: string,
): Promise<Call | undefined> {
  const rows = await db.query<Call>(
    `SELECT ${SELECT} FROM calls
      WHERE customer_id = $1 AND profile_id = $2 AND platform_master_call_id = $3 AND conversation_id <> $4
        AND platform_call_id <> $3
        AND create_time <= (SELECT create_time FROM calls me WHERE me.customer_id = $1 AND me.conversation_id = $4)
      ORDER BY create_time DESC, conversation_id DESC LIMIT 1`,
    [customerId, profileId, masterCallId, conversationId],
  );
  return rows[0];
}
