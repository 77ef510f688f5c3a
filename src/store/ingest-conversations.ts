import type { Conversation, JsonObject } from '../kernel/types.ts';
import type { Queryable } from './driver.ts';
import { refPredicate, type ConversationRef } from './conversation-ref.ts';
import { selectList } from './conversations.ts';

/** How the ingest surface names a conversation's state. */
export type IngestStatus = 'in_progress' | 'active' | 'completed' | 'abandoned';
export type OpenStatus = 'in_progress' | 'active';

/** A conversation as the ingest surface sees it: the core row plus what ingest keeps beside it. */
export interface IngestConversation {
  conversation: Conversation;
  agentId: string | null;
  llmModel: string;
  companyName: string;
  metadata: JsonObject;
  openStatus: OpenStatus;
  /** Closed with a CONVERSATION_END whose payload says `reason: "abandoned"`. */
  abandoned: boolean;
  hasInsights: boolean;
  /** now() of the reading transaction: the update_time any write in it stamps. */
  transactionTime: Date;
}

export interface IngestDetails {
  agentId: string;
  llmModel: string;
  companyName: string;
  metadata: JsonObject;
  openStatus: OpenStatus;
}

/** Links a new conversation to its agent and records the ingest fields, in one statement. */
export async function saveIngestDetails(db: Queryable, customerId: string, conversationId: string, details: IngestDetails): Promise<void> {
  await db.query(
    `WITH linked AS (
       UPDATE conversations SET agent_id = $3 WHERE customer_id = $1 AND id = $2 RETURNING id
     )
     INSERT INTO ingest_conversations (customer_id, conversation_id, llm_model, company_name, metadata, open_status)
     SELECT $1, id, $4, $5, $6::jsonb, $7 FROM linked`,
    [customerId, conversationId, details.agentId, details.llmModel, details.companyName, JSON.stringify(details.metadata), details.openStatus],
  );
}

/**
 * Shallow-merges metadata into a conversation's ingest record (jsonb `||`: top-level keys of the
 * new object replace the old ones). A conversation started on another surface gets its record here.
 */
export async function mergeIngestMetadata(db: Queryable, customerId: string, conversationId: string, metadata: JsonObject): Promise<void> {
  await db.query(
    `INSERT INTO ingest_conversations AS i (customer_id, conversation_id, metadata) VALUES ($1, $2, $3::jsonb)
     ON CONFLICT (customer_id, conversation_id) DO UPDATE SET metadata = i.metadata || EXCLUDED.metadata`,
    [customerId, conversationId, JSON.stringify(metadata)],
  );
}

const ABANDONED = `EXISTS (SELECT 1 FROM events e WHERE e.customer_id = c.customer_id AND e.conversation_id = c.id
  AND e.type = 'CONVERSATION_END' AND e.payload->>'reason' = 'abandoned')`;
const HAS_INSIGHTS = `EXISTS (SELECT 1 FROM analyses a WHERE a.customer_id = c.customer_id AND a.conversation_id = c.id)`;

const VIEW = `${selectList('c')}, c.agent_id AS "agentId", coalesce(i.llm_model, '') AS "llmModel",
  coalesce(i.company_name, '') AS "companyName", coalesce(i.metadata, '{}') AS "ingestMetadata",
  coalesce(i.open_status, 'active') AS "openStatus", ${ABANDONED} AS abandoned, ${HAS_INSIGHTS} AS "hasInsights", now() AS "transactionTime"`;
const FROM = `conversations c LEFT JOIN ingest_conversations i ON i.customer_id = c.customer_id AND i.conversation_id = c.id`;

type ViewRow = Conversation & Omit<IngestConversation, 'conversation' | 'metadata'> & { ingestMetadata: JsonObject };

function fromRow({ agentId, llmModel, companyName, ingestMetadata, openStatus, abandoned, hasInsights, transactionTime, ...conversation }: ViewRow): IngestConversation {
  return { conversation: conversation as Conversation, agentId, llmModel, companyName, metadata: ingestMetadata, openStatus, abandoned, hasInsights, transactionTime };
}

/** One conversation as ingest sees it; `forUpdate` takes the conversation's row lock (appends). */
export async function getIngestConversation(db: Queryable, ref: ConversationRef, options: { forUpdate?: boolean } = {}): Promise<IngestConversation | undefined> {
  const where = refPredicate(ref, 1, 'c');
  const rows = await db.query<ViewRow>(`SELECT ${VIEW} FROM ${FROM} WHERE ${where.sql}${options.forUpdate ? ' FOR UPDATE OF c' : ''}`, where.params);
  return rows[0] && fromRow(rows[0]);
}

export interface IngestFilter {
  agentId?: string;
  status?: IngestStatus;
  hasInsights?: boolean;
}

function filterClause(filter: IngestFilter, params: unknown[]): string {
  const where = ['c.customer_id = $1', 'c.profile_id = $2'];
  if (filter.agentId !== undefined) {
    params.push(filter.agentId);
    where.push(`c.agent_id = $${params.length}`);
  }
  if (filter.status === 'completed') where.push(`c.state = 'CLOSED' AND NOT ${ABANDONED}`);
  if (filter.status === 'abandoned') where.push(`c.state = 'CLOSED' AND ${ABANDONED}`);
  if (filter.status === 'active' || filter.status === 'in_progress') where.push(`c.state <> 'CLOSED'`);
  if (filter.hasInsights !== undefined) where.push(filter.hasInsights ? HAS_INSIGHTS : `NOT ${HAS_INSIGHTS}`);
  return where.join(' AND ');
}

/** A page of a profile's conversations, newest first, and the total matching count. */
export async function listIngestConversations(
  db: Queryable,
  customerId: string,
  profileId: string,
  filter: IngestFilter,
  page: { limit: number; offset: number },
): Promise<{ conversations: IngestConversation[]; total: number }> {
  const params: unknown[] = [customerId, profileId];
  const where = filterClause(filter, params);
  const [rows, counted] = await Promise.all([
    db.query<ViewRow>(
      `SELECT ${VIEW} FROM ${FROM} WHERE ${where} ORDER BY c.create_time DESC, c.id DESC
       LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, page.limit, page.offset],
    ),
    db.query<{ total: number }>(`SELECT count(*)::int AS total FROM conversations c WHERE ${where}`, params),
  ]);
  return { conversations: rows.map(fromRow), total: counted[0].total };
}
