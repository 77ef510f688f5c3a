import type { Driver } from '../../store/driver.ts';
import type { Agent, AgentChanges, AgentStatus } from '../../store/agents.ts';
import { stores } from '../../store/index.ts';
import { requireProfile } from '../tenancy/access.ts';
import { invalidArgument, notFound } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import { checkOffsetPage } from '../../kernel/limits.ts';
import { DEFAULT_PROFILE_ID } from '../tenancy/tenancy.ts';
import type { Caller } from '../../kernel/types.ts';

export type { Agent, AgentChanges, AgentStatus };
export { AGENT_STATUSES } from '../../store/agents.ts';

/** Sizes of an agent's fields (Parley). */
export const AGENT_LIMITS = {
  name: 256,
  instructions: 100_000,
  model: 256,
  description: 4096,
  tags: 50,
  tag: 64,
} as const;

/**
 * The profile a surface without profiles works in: the key's own profile when it is narrowed to
 * one, else the customer's default profile.
 */
export function workingProfile(caller: Caller): string {
  return caller.profileId ?? DEFAULT_PROFILE_ID;
}

function checkChanges(changes: AgentChanges): AgentChanges {
  if (changes.name !== undefined && changes.name.trim() === '') throw invalidArgument('name', 'must not be empty');
  if (changes.tags) {
    const tags = [...new Set(changes.tags.map((t) => t.trim()))];
    if (tags.some((t) => t === '')) throw invalidArgument('tags', 'a tag must not be empty');
    return { ...changes, tags };
  }
  return changes;
}

/**
 * Agents: configured AI agents (DESIGN core model). The ingest surface serves them as prompts
 * (instructions = the prompt's content); later surfaces serve them as services or agents.
 */
export class AgentService {
  constructor(private readonly db: Driver) {}

  async create(caller: Caller, input: Pick<Agent, 'name'> & AgentChanges): Promise<Agent> {
    const checked = checkChanges(input);
    const profileId = workingProfile(caller);
    return this.db.transaction(async (tx) => {
      const s = stores(tx);
      await requireProfile(s, caller, caller.customerId, profileId);
      return s.agents.insertAgent({ ...checked, name: input.name, customerId: caller.customerId, profileId, id: newId() });
    });
  }

  /** An agent of the caller's customer (of its profile, when the key is narrowed to one). */
  async get(caller: Caller, id: string): Promise<Agent> {
    const agent = await stores(this.db).agents.getAgent(caller.customerId, id, caller.profileId);
    if (!agent) throw notFound('prompt');
    return agent;
  }

  async list(caller: Caller, options: { status?: AgentStatus; limit: number; offset: number }): Promise<{ agents: Agent[]; total: number }> {
    checkOffsetPage(options);
    return stores(this.db).agents.listAgents(caller.customerId, workingProfile(caller), options);
  }

  async update(caller: Caller, id: string, changes: AgentChanges): Promise<Agent> {
    const checked = checkChanges(changes);
    if (Object.values(checked).every((v) => v === undefined)) throw invalidArgument('body', 'must change at least one field');
    const updated = await stores(this.db).agents.updateAgent(caller.customerId, id, caller.profileId, checked);
    if (!updated) throw notFound('prompt');
    return updated;
  }

  /** Conversations held with the agent keep its id (their history); nothing else changes. */
  async delete(caller: Caller, id: string): Promise<void> {
    const deleted = await stores(this.db).agents.deleteAgent(caller.customerId, id, caller.profileId);
    if (!deleted) throw notFound('prompt');
  }
}
