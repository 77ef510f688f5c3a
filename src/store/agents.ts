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
  createTime: Date;
  updateTime: Date;
}

export type AgentChanges = Partial<Pick<Agent, 'name' | 'instructions' | 'model' | 'description' | 'tags' | 'status'>>;

const SELECT = `customer_id AS "customerId", profile_id AS "profileId", id, name, instructions, model, description, tags,
  status, create_time AS "createTime", update_time AS "updateTime"`;

/** Agent field → column, for the fields a caller may change. */
const CHANGEABLE: Record<keyof AgentChanges, [column: string, cast: string]> = {
  name: ['name', 'text'],
  instructions: ['instructions', 'text'],
  model: ['model', 'text'],
  description: ['description', 'text'],
  tags: ['tags', 'text[]'],
  status: ['status', 'text'],
};

export async function insertAgent(
  db: Queryable,
  agent: Pick<Agent, 'customerId' | 'profileId' | 'id' | 'name'> & AgentChanges,
): Promise<Agent> {
  const rows = await db.query<Agent>(
    `INSERT INTO agents (customer_id, profile_id, id, name, instructions, model, description, tags, status)
     VALUES ($1, $2, $3, $4, coalesce($5, ''), coalesce($6, ''), coalesce($7, ''), coalesce($8::text[], '{}'), coalesce($9, 'active'))
     RETURNING ${SELECT}`,
    [agent.customerId, agent.profileId, agent.id, agent.name, agent.instructions ?? null, agent.model ?? null,
      agent.description ?? null, agent.tags ?? null, agent.status ?? null],
  );
  return rows[0];
}

/** One agent of a customer; `profileId` narrows the match (keys narrowed to a profile). */
export async function getAgent(db: Queryable, customerId: string, id: string, profileId: string | null): Promise<Agent | undefined> {
  const rows = await db.query<Agent>(
    `SELECT ${SELECT} FROM agents WHERE customer_id = $1 AND id = $2 AND ($3::text IS NULL OR profile_id = $3)`,
    [customerId, id, profileId],
  );
  return rows[0];
}

/** A page of a profile's agents, newest first, with the total matching count in the same round trip. */
export async function listAgents(
  db: Queryable,
  customerId: string,
  profileId: string,
  options: { status?: AgentStatus; limit: number; offset: number },
): Promise<{ agents: Agent[]; total: number }> {
  const rows = await db.query<Agent & { total: number }>(
    `SELECT ${SELECT}, count(*) OVER ()::int AS total FROM agents
      WHERE customer_id = $1 AND profile_id = $2 AND ($3::text IS NULL OR status = $3)
      ORDER BY create_time DESC, id DESC LIMIT $4 OFFSET $5`,
    [customerId, profileId, options.status ?? null, options.limit, options.offset],
  );
  if (rows.length > 0) return { agents: rows.map(({ total: _total, ...agent }) => agent), total: rows[0].total };
  // An offset past the end returns no row to carry the total: count separately.
  const counted = await db.query<{ total: number }>(
    `SELECT count(*)::int AS total FROM agents WHERE customer_id = $1 AND profile_id = $2 AND ($3::text IS NULL OR status = $3)`,
    [customerId, profileId, options.status ?? null],
  );
  return { agents: [], total: counted[0].total };
}

export async function updateAgent(
  db: Queryable,
  customerId: string,
  id: string,
  profileId: string | null,
  changes: AgentChanges,
): Promise<Agent | undefined> {
  const sets = ['update_time = now()'];
  const params: unknown[] = [customerId, id, profileId];
  for (const [field, value] of Object.entries(changes)) {
    const entry = CHANGEABLE[field as keyof AgentChanges];
    if (!entry || value === undefined) continue;
    params.push(value);
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
