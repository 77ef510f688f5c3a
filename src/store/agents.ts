import type { Queryable } from './driver.ts';

export const AGENT_STATUSES = ['draft', 'active', 'deprecated', 'archived'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export interface Agent {
  customerId: string;
  profileId: string;
  id: string;
  name: string;
  instructions: string;
  model: string;
  description: string;
  tags: string[];
  status: AgentStatus;
  /** Generation parameters beside `model` (temperature, topP, maxOutputTokens). */
  modelSettings: ModelSettings;
  states: AgentState[];
  /** The newest version: what the agent is now. */
  edgeVersion: number;
  /** The version the `release` set points at. */
  releaseVersion: number;
  createTime: Date;
  updateTime: Date;
}

export interface ModelSettings {
  temperature?: number;
  topP?: number;
  maxOutputTokens?: number;
  /** The agent's opening turn; without one the runtime makes it from the name and the knowledge. */
  greeting?: string;
  /** On the support desk, a question its knowledge cannot answer hands the conversation to a human (mode MANUAL). */
  handOff?: boolean;
}

/** A stage of a conversation with the agent (Amigo's state): what it aims at and what it does there. */
export interface AgentState {
  name: string;
  objective: string;
  action: string;
}

export type AgentChanges = Partial<Pick<Agent, 'name' | 'instructions' | 'model' | 'description' | 'tags' | 'status' | 'modelSettings' | 'states'>>;

const SELECT = `customer_id AS "customerId", profile_id AS "profileId", id, name, instructions, model, description, tags,
  status, model_settings AS "modelSettings", states, edge_version AS "edgeVersion", release_version AS "releaseVersion",
  create_time AS "createTime", update_time AS "updateTime"`;

/** Agent field → column, for the fields a caller may change. */
const CHANGEABLE: Record<keyof AgentChanges, [column: string, cast: string]> = {
  name: ['name', 'text'],
  instructions: ['instructions', 'text'],
  model: ['model', 'text'],
  description: ['description', 'text'],
  tags: ['tags', 'text[]'],
  status: ['status', 'text'],
  modelSettings: ['model_settings', 'jsonb'],
  states: ['states', 'jsonb'],
};

export async function insertAgent(
  db: Queryable,
  agent: Pick<Agent, 'customerId' | 'profileId' | 'id' | 'name'> & AgentChanges,
): Promise<Agent> {
  const rows = await db.query<Agent>(
    `INSERT INTO agents (customer_id, profile_id, id, name, instructions, model, description, tags, status, model_settings, states)
     VALUES ($1, $2, $3, $4, coalesce($5, ''), coalesce($6, ''), coalesce($7, ''), coalesce($8::text[], '{}'), coalesce($9, 'active'),
       coalesce($10::jsonb, '{}'), coalesce($11::jsonb, '[]'))
     RETURNING ${SELECT}`,
    [agent.customerId, agent.profileId, agent.id, agent.name, agent.instructions ?? null, agent.model ?? null,
      agent.description ?? null, agent.tags ?? null, agent.status ?? null,
      agent.modelSettings ? JSON.stringify(agent.modelSettings) : null, agent.states ? JSON.stringify(agent.states) : null],
  );
  return rows[0];
}

/** One agent of a customer; `profileId` narrows the match (keys narrowed to a profile). */
export async function getAgent(
  db: Queryable, customerId: string, id: string, profileId: string | null, options: { forUpdate?: boolean } = {},
): Promise<Agent | undefined> {
  const rows = await db.query<Agent>(
    `SELECT ${SELECT} FROM agents WHERE customer_id = $1 AND id = $2 AND ($3::text IS NULL OR profile_id = $3)${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [customerId, id, profileId],
  );
  return rows[0];
}

/** A page of a profile's agents (every profile's with `profileId` null), newest first, with the total matching count in the same round trip. */
export async function listAgents(
  db: Queryable,
  customerId: string,
  profileId: string | null,
  options: { status?: AgentStatus; limit: number; offset: number; onlyId?: string | null },
): Promise<{ agents: Agent[]; total: number }> {
  const rows = await db.query<Agent & { total: number }>(
    `SELECT ${SELECT}, count(*) OVER ()::int AS total FROM agents
      WHERE customer_id = $1 AND ($2::text IS NULL OR profile_id = $2) AND ($3::text IS NULL OR status = $3) AND ($6::text IS NULL OR id = $6)
      ORDER BY create_time DESC, id DESC LIMIT $4 OFFSET $5`,
    [customerId, profileId, options.status ?? null, options.limit, options.offset, options.onlyId ?? null],
  );
  if (rows.length > 0) return { agents: rows.map(({ total: _total, ...agent }) => agent), total: rows[0].total };
  // An offset past the end returns no row to carry the total: count separately.
  const counted = await db.query<{ total: number }>(
    `SELECT count(*)::int AS total FROM agents
      WHERE customer_id = $1 AND ($2::text IS NULL OR profile_id = $2) AND ($3::text IS NULL OR status = $3) AND ($4::text IS NULL OR id = $4)`,
    [customerId, profileId, options.status ?? null, options.onlyId ?? null],
  );
  return { agents: [], total: counted[0].total };
}

/** Agents newest first after a keyset position; `profileId` null: every profile's. */
export async function listAgentsAfter(
  db: Queryable,
  customerId: string,
  profileId: string | null,
  options: { after?: { createTime: Date; id: string }; onlyId: string | null; limit: number },
): Promise<Agent[]> {
  return db.query<Agent>(
    `SELECT ${SELECT} FROM agents
      WHERE customer_id = $1 AND ($2::text IS NULL OR profile_id = $2) AND ($3::text IS NULL OR id = $3)
        AND ($4::timestamptz IS NULL OR (create_time, id) < ($4::timestamptz, $5::text))
      ORDER BY create_time DESC, id DESC LIMIT $6`,
    [customerId, profileId, options.onlyId, options.after?.createTime ?? null, options.after?.id ?? null, options.limit],
  );
}

export async function updateAgent(
  db: Queryable,
  customerId: string,
  id: string,
  profileId: string | null,
  changes: AgentChanges,
): Promise<Agent | undefined> {
  // Every change is a new version: the row becomes the next edge version.
  const sets = ['update_time = now()', 'edge_version = edge_version + 1'];
  const params: unknown[] = [customerId, id, profileId];
  for (const [field, value] of Object.entries(changes)) {
    const entry = CHANGEABLE[field as keyof AgentChanges];
    if (!entry || value === undefined) continue;
    params.push(entry[1] === 'jsonb' ? JSON.stringify(value) : value);
    sets.push(`${entry[0]} = $${params.length}::${entry[1]}`);
  }
  const rows = await db.query<Agent>(
    `UPDATE agents SET ${sets.join(', ')} WHERE customer_id = $1 AND id = $2 AND ($3::text IS NULL OR profile_id = $3)
     RETURNING ${SELECT}`,
    params,
  );
  return rows[0];
}

export async function deleteAgent(db: Queryable, customerId: string, id: string, profileId: string | null): Promise<boolean> {
  const rows = await db.query(
    `DELETE FROM agents WHERE customer_id = $1 AND id = $2 AND ($3::text IS NULL OR profile_id = $3) RETURNING id`,
    [customerId, id, profileId],
  );
  return rows.length > 0;
}

/** Points the `release` set at `version` (checked against the edge by the table's constraint and the core). */
export async function setReleaseVersion(db: Queryable, customerId: string, id: string, version: number): Promise<Agent | undefined> {
  const rows = await db.query<Agent>(
    `UPDATE agents SET release_version = $3, update_time = now() WHERE customer_id = $1 AND id = $2 RETURNING ${SELECT}`,
    [customerId, id, version],
  );
  return rows[0];
}
