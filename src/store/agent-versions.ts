import type { Queryable } from './driver.ts';
import type { AgentState, ModelSettings } from './agents.ts';

/** One immutable version of an agent: what it was told, how it generates, and the documents it knew. */
export interface AgentVersion {
  customerId: string;
  agentId: string;
  version: number;
  name: string;
  instructions: string;
  model: string;
  modelSettings: ModelSettings;
  states: AgentState[];
  documentIds: string[];
  createTime: Date;
}

const SELECT = `customer_id AS "customerId", agent_id AS "agentId", version, name, instructions, model,
  model_settings AS "modelSettings", states, document_ids AS "documentIds", create_time AS "createTime"`;

export async function insertAgentVersion(db: Queryable, v: Omit<AgentVersion, 'createTime'>): Promise<AgentVersion> {
  const rows = await db.query<AgentVersion>(
    `INSERT INTO agent_versions (customer_id, agent_id, version, name, instructions, model, model_settings, states, document_ids)
     VALUES ($1, $2, $3::int, $4, $5, $6, $7::jsonb, $8::jsonb, $9::text[]) RETURNING ${SELECT}`,
    [v.customerId, v.agentId, v.version, v.name, v.instructions, v.model, JSON.stringify(v.modelSettings), JSON.stringify(v.states), v.documentIds],
  );
  return rows[0];
}

export async function getAgentVersion(db: Queryable, customerId: string, agentId: string, version: number): Promise<AgentVersion | undefined> {
  const rows = await db.query<AgentVersion>(
    `SELECT ${SELECT} FROM agent_versions WHERE customer_id = $1 AND agent_id = $2 AND version = $3::int`,
    [customerId, agentId, version],
  );
  return rows[0];
}

/** Versions newest first, below `beforeVersion` when paging on. */
export async function listAgentVersions(
  db: Queryable, customerId: string, agentId: string, options: { beforeVersion?: number; limit: number },
): Promise<AgentVersion[]> {
  return db.query<AgentVersion>(
    `SELECT ${SELECT} FROM agent_versions WHERE customer_id = $1 AND agent_id = $2 AND ($3::int IS NULL OR version < $3::int)
      ORDER BY version DESC LIMIT $4`,
    [customerId, agentId, options.beforeVersion ?? null, options.limit],
  );
}

/**
 * Records on a conversation the agent version it runs (Amigo's version_set_info): the set asked
 * for and the version it resolved to. The conversation must be the customer's.
 */
export async function setConversationAgentVersion(
  db: Queryable, customerId: string, conversationId: string, agent: { agentId: string; version: number; versionSet: string },
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE conversations SET agent_id = $3, agent_version = $4::int, agent_version_set = $5
      WHERE customer_id = $1 AND id = $2 RETURNING id`,
    [customerId, conversationId, agent.agentId, agent.version, agent.versionSet],
  );
  return rows.length > 0;
}

export async function getConversationAgentVersion(
  db: Queryable, customerId: string, conversationId: string,
): Promise<{ agentId: string | null; version: number | null; versionSet: string | null } | undefined> {
  const rows = await db.query<{ agentId: string | null; version: number | null; versionSet: string | null }>(
    `SELECT agent_id AS "agentId", agent_version AS version, agent_version_set AS "versionSet"
       FROM conversations WHERE customer_id = $1 AND id = $2`,
    [customerId, conversationId],
  );
  return rows[0];
}
