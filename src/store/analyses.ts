import type { Role } from '../kernel/types.ts';
import type { Queryable } from './driver.ts';

export interface AnalysisRow {
  customerId: string;
  conversationId: string;
  sentiment: 'positive' | 'neutral' | 'negative';
  sentimentScore: number;
  taskCompleted: boolean;
  topics: string[];
  summary: string;
  issues: { description: string; severity: 'low' | 'medium' | 'high' }[];
  analyzer: string;
  analyzerVersion: string;
  jobId: string | null;
  createTime: Date;
}

export type NewAnalysis = Omit<AnalysisRow, 'createTime'>;

const SELECT = `customer_id AS "customerId", conversation_id AS "conversationId", sentiment,
  sentiment_score AS "sentimentScore", task_completed AS "taskCompleted", topics, summary, issues, analyzer,
  analyzer_version AS "analyzerVersion", job_id AS "jobId", create_time AS "createTime"`;

export async function getAnalysis(db: Queryable, customerId: string, conversationId: string, options: { forUpdate?: boolean } = {}): Promise<AnalysisRow | undefined> {
  const rows = await db.query<AnalysisRow>(
    `SELECT ${SELECT} FROM analyses WHERE customer_id = $1 AND conversation_id = $2${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [customerId, conversationId],
  );
  return rows[0];
}

/** Writes the conversation's current analysis, replacing an earlier one. */
export async function upsertAnalysis(db: Queryable, a: NewAnalysis): Promise<AnalysisRow> {
  // The conversation keeps a copy of the summary for search (migration 025), written here so that
  // no analysis can leave it stale.
  const rows = await db.query<AnalysisRow>(
    `WITH written AS (INSERT INTO analyses (customer_id, conversation_id, sentiment, sentiment_score, task_completed, topics, summary,
                           issues, analyzer, analyzer_version, job_id)
     VALUES ($1, $2, $3, $4::float8, $5::boolean, $6::text[], $7, $8::jsonb, $9, $10, $11)
     ON CONFLICT (customer_id, conversation_id) DO UPDATE SET
       sentiment = EXCLUDED.sentiment, sentiment_score = EXCLUDED.sentiment_score,
       task_completed = EXCLUDED.task_completed, topics = EXCLUDED.topics, summary = EXCLUDED.summary,
       issues = EXCLUDED.issues, analyzer = EXCLUDED.analyzer, analyzer_version = EXCLUDED.analyzer_version,
       job_id = EXCLUDED.job_id, create_time = now()
     RETURNING *),
     copied AS (UPDATE conversations SET search_summary = $7 WHERE customer_id = $1 AND id = $2 AND search_summary <> $7)
     SELECT ${SELECT} FROM written`,
    [
      a.customerId, a.conversationId, a.sentiment, a.sentimentScore, a.taskCompleted, a.topics, a.summary,
      JSON.stringify(a.issues), a.analyzer, a.analyzerVersion, a.jobId,
    ],
  );
  return rows[0];
}

export interface TranscriptMessage {
  speaker: Role;
  text: string;
  /** The ingest surface's original role ("user", "assistant", "system", "tool"), when it wrote the message. */
  role: string | null;
}

/**
 * The text an analysis reads: the conversation's messages that are not deleted, as stored (so
 * redacted text stays redacted), in order. Only the last `limit`: the end of a conversation
 * decides how it went.
 */
export async function listTranscript(db: Queryable, customerId: string, conversationId: string, limit: number): Promise<TranscriptMessage[]> {
  return db.query<TranscriptMessage>(
    `SELECT speaker, text, role FROM (
       SELECT seq, speaker, text, metadata->>'role' AS role FROM messages
        WHERE customer_id = $1 AND conversation_id = $2 AND state <> 'DELETED'
        ORDER BY seq DESC LIMIT $3
     ) last ORDER BY seq`,
    [customerId, conversationId, limit],
  );
}
