import type { Queryable } from './driver.ts';

export const KNOWLEDGE_MEDIA_TYPES = ['text/markdown', 'text/plain'] as const;
export type KnowledgeMediaType = (typeof KNOWLEDGE_MEDIA_TYPES)[number];

/** A document of an agent's knowledge base; immutable once added. */
export interface KnowledgeDocument {
  customerId: string;
  agentId: string;
  id: string;
  name: string;
  mediaType: KnowledgeMediaType;
  content: string;
  /** Passages it was cut into. */
  chunkCount: number;
  createTime: Date;
}

export interface KnowledgeChunk {
  heading: string;
  body: string;
}

/** A passage that matched a search, with its full-text rank. */
export interface KnowledgePassage {
  documentId: string;
  documentName: string;
  position: number;
  heading: string;
  text: string;
  score: number;
  /** The share of the query's words (stemmed, stop words dropped) the passage contains, 0 to 1. */
  coverage: number;
}

const SELECT = `d.customer_id AS "customerId", d.agent_id AS "agentId", d.id, d.name, d.media_type AS "mediaType", d.content,
  (SELECT count(*)::int FROM knowledge_chunks c WHERE c.customer_id = d.customer_id AND c.agent_id = d.agent_id AND c.document_id = d.id) AS "chunkCount",
  d.create_time AS "createTime"`;

/** Inserts a document and its passages (one statement each, the passages batched with unnest). */
export async function insertDocument(
  db: Queryable,
  doc: Pick<KnowledgeDocument, 'customerId' | 'agentId' | 'id' | 'name' | 'mediaType' | 'content'>,
  chunks: readonly KnowledgeChunk[],
): Promise<void> {
  await db.query(
    `INSERT INTO knowledge_documents (customer_id, agent_id, id, name, media_type, content) VALUES ($1, $2, $3, $4, $5, $6)`,
    [doc.customerId, doc.agentId, doc.id, doc.name, doc.mediaType, doc.content],
  );
  if (chunks.length === 0) return;
  await db.query(
    `INSERT INTO knowledge_chunks (customer_id, agent_id, document_id, position, heading, body)
     SELECT $1::text, $2::text, $3::text, c.position, c.heading, c.body
       FROM unnest($4::int[], $5::text[], $6::text[]) AS c(position, heading, body)`,
    [doc.customerId, doc.agentId, doc.id, chunks.map((_, i) => i), chunks.map((c) => c.heading), chunks.map((c) => c.body)],
  );
}

/** The documents among `ids`, in the order of `ids` (a version keeps its documents in the order they were added). */
export async function listDocuments(db: Queryable, customerId: string, agentId: string, ids: readonly string[]): Promise<KnowledgeDocument[]> {
  return db.query<KnowledgeDocument>(
    `SELECT ${SELECT} FROM knowledge_documents d WHERE d.customer_id = $1 AND d.agent_id = $2 AND d.id = ANY ($3::text[])
      ORDER BY array_position($3::text[], d.id)`,
    [customerId, agentId, ids],
  );
}

/**
 * The best passages for `query` among the documents `documentIds`. The query's words are OR-ed
 * (a question rarely repeats every word of its answer, which an AND query would demand), after
 * the 'english' configuration has stemmed them and dropped stop words; a word no passage has adds
 * nothing. Ranked by ts_rank normalised by passage length (1: divide by 1 + log(length)); the
 * coverage (how many of the query's words a passage has) is computed for the returned rows only.
 */
export async function searchPassages(
  db: Queryable, customerId: string, agentId: string, documentIds: readonly string[], query: string, limit: number,
): Promise<KnowledgePassage[]> {
  return db.query<KnowledgePassage>(
    `WITH words AS (
       SELECT w FROM unnest(tsvector_to_array(to_tsvector('english', $4))) AS w WHERE w ~ '^[[:alnum:]_]+$'
     ), q AS (
       SELECT to_tsquery('simple', string_agg(w, ' | ')) AS q, count(*) AS n FROM words HAVING count(*) > 0
     ), ranked AS (
       SELECT c.document_id, c.position, c.heading, c.body, c.tsv, ts_rank(c.tsv, q.q, 1)::float8 AS score, q.n
         FROM q, knowledge_chunks c
        WHERE c.customer_id = $1 AND c.agent_id = $2 AND c.document_id = ANY ($3::text[]) AND c.tsv @@ q.q
        ORDER BY score DESC, c.document_id, c.position
        LIMIT $5
     )
     SELECT r.document_id AS "documentId", d.name AS "documentName", r.position, r.heading, r.body AS text, r.score,
            (SELECT count(*) FROM words WHERE r.tsv @@ to_tsquery('simple', w))::float8 / r.n AS coverage
       FROM ranked r
       JOIN knowledge_documents d ON d.customer_id = $1 AND d.agent_id = $2 AND d.id = r.document_id
      ORDER BY r.score DESC, r.document_id, r.position`,
    [customerId, agentId, documentIds, query, limit],
    { prepare: true },
  );
}

/** The first `limit` passages of the documents `documentIds`, in document then passage order (unranked: score and coverage 0). */
export async function listPassages(
  db: Queryable, customerId: string, agentId: string, documentIds: readonly string[], limit: number,
): Promise<KnowledgePassage[]> {
  return db.query<KnowledgePassage>(
    `SELECT c.document_id AS "documentId", d.name AS "documentName", c.position, c.heading, c.body AS text, 0::float8 AS score, 0::float8 AS coverage
       FROM knowledge_chunks c
       JOIN knowledge_documents d ON d.customer_id = c.customer_id AND d.agent_id = c.agent_id AND d.id = c.document_id
      WHERE c.customer_id = $1 AND c.agent_id = $2 AND c.document_id = ANY ($3::text[])
      ORDER BY array_position($3::text[], c.document_id), c.position
      LIMIT $4`,
    [customerId, agentId, documentIds, limit],
  );
}
