import type { Driver, Queryable } from '../../store/driver.ts';
import type { Agent, AgentChanges, AgentState, AgentStatus, ModelSettings } from '../../store/agents.ts';
import type { AgentVersion } from '../../store/agent-versions.ts';
import type { KnowledgeDocument } from '../../store/knowledge.ts';
import { stores, type Stores } from '../../store/index.ts';
import { assertCustomer, assertProfileVisible } from '../tenancy/access.ts';
import { invalidArgument, notFound } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import { checkOffsetPage } from '../../kernel/limits.ts';
import { decodePageToken, encodePageToken } from '../../kernel/page-token.ts';
import { DEFAULT_PROFILE_ID } from '../tenancy/tenancy.ts';
import type { Caller } from '../../kernel/types.ts';
import { AGENT_LIMITS, checkChanges, checkGreeting, checkKnowledge, withGreeting, type AgentEdit, type KnowledgeInput } from './agent-input.ts';
import { chunkDocument } from './chunking.ts';

export type { Agent, AgentChanges, AgentEdit, AgentState, AgentStatus, AgentVersion, KnowledgeDocument, KnowledgeInput, ModelSettings };
export { AGENT_STATUSES } from '../../store/agents.ts';
export { AGENT_LIMITS } from './agent-input.ts';

/**
 * Which agents a call may reach: a customer, narrowed to a profile (a narrowed key, or a profile
 * in the path) and to one agent (a key narrowed to an agent). A Caller is one. `what` names a
 * missing agent in errors: the ingest surface calls agents prompts.
 */
export interface AgentScope {
  customerId: string;
  profileId: string | null;
  agentId?: string | null;
  what?: string;
}

/** A version by number, or a version set: `release` (the default) is the version last released, `edge` the newest. */
export type VersionSelector = 'release' | 'edge' | number;
export const VERSION_SETS = ['release', 'edge'] as const;

/** How a change touches the knowledge base; documents are immutable, so each change is a new set. */
export interface KnowledgeChange {
  add?: KnowledgeInput[];
  /** Ids of documents to drop from the set. */
  remove?: string[];
  /** The whole new set: an unchanged document (same name, type and content) keeps its id. */
  replace?: KnowledgeInput[];
}

/**
 * The profile a surface without profiles works in: the key's own profile when it is narrowed to
 * one, else the customer's default profile.
 */
export function workingProfile(caller: Pick<Caller, 'profileId'>): string {
  return caller.profileId ?? DEFAULT_PROFILE_ID;
}

const noun = (scope: AgentScope) => scope.what ?? 'prompt';

/**
 * Agents: configured AI agents (DESIGN core model). The ingest surface serves them as prompts
 * (instructions = the prompt's content), the conversations surface as agents. Every change is one
 * transaction that writes the agents row (the edge) and the new immutable version beside it.
 */
export class AgentService {
  constructor(private readonly db: Driver) {}

  /** The scope of a path `customers/{c}/profiles/{p}`: another customer's, or a profile outside a narrowed key, is NOT_FOUND. */
  scope(caller: Caller, customerId: string, profileId: string): AgentScope {
    assertCustomer(caller, customerId, 'agent');
    assertProfileVisible(caller, profileId, 'agent');
    return { customerId, profileId, agentId: caller.agentId, what: 'agent' };
  }

  async create(scope: AgentScope, input: Pick<Agent, 'name'> & AgentEdit & { knowledge?: KnowledgeInput[] }): Promise<Agent> {
    const { knowledge = [], greeting, handOff, ...fields } = input;
    const checked = checkChanges(fields);
    if (greeting != null) checked.modelSettings = withGreeting(checked.modelSettings ?? {}, checkGreeting(greeting));
    if (handOff !== undefined) checked.modelSettings = { ...checked.modelSettings, handOff };
    const documents = checkKnowledge(knowledge);
    const profileId = workingProfile(scope);
    return this.db.transaction(async (tx) => {
      const s = stores(tx);
      if (!(await s.customers.getProfile(scope.customerId, profileId))) throw notFound('profile');
      const agent = await s.agents.insertAgent({ ...checked, name: input.name, customerId: scope.customerId, profileId, id: newId() });
      const documentIds = await insertDocuments(tx, agent, documents);
      await s.agentVersions.insertAgentVersion(snapshot(agent, documentIds));
      return agent;
    });
  }

  /** An agent in scope; NOT_FOUND otherwise (no existence leak). */
  async get(scope: AgentScope, id: string, db: Queryable = this.db, options: { forUpdate?: boolean } = {}): Promise<Agent> {
    const agent = scope.agentId && scope.agentId !== id ? undefined : await stores(db).agents.getAgent(scope.customerId, id, scope.profileId, options);
    if (!agent) throw notFound(noun(scope));
    return agent;
  }

  async list(scope: AgentScope, options: { status?: AgentStatus; limit: number; offset: number }): Promise<{ agents: Agent[]; total: number }> {
    checkOffsetPage(options);
    return stores(this.db).agents.listAgents(scope.customerId, workingProfile(scope), { ...options, onlyId: scope.agentId ?? null });
  }

  /** Agents of a profile (every profile's with `profileId` null), newest first, a keyset page at a time. */
  async listPage(scope: AgentScope, page: { pageSize: number; pageToken?: string }): Promise<{ agents: Agent[]; nextPageToken: string }> {
    const filter = { profileId: scope.profileId, agentId: scope.agentId ?? null };
    const after = decodePageToken(page.pageToken, filter, ['timestamp', 'id']);
    const agents = await stores(this.db).agents.listAgentsAfter(scope.customerId, scope.profileId, {
      after: after ? { createTime: new Date(after[0] as string), id: after[1] as string } : undefined,
      onlyId: scope.agentId ?? null,
      limit: page.pageSize + 1,
    });
    const more = agents.length > page.pageSize;
    const shown = agents.slice(0, page.pageSize);
    const last = shown[shown.length - 1];
    return { agents: shown, nextPageToken: more ? encodePageToken(filter, [last.createTime.toISOString(), last.id]) : '' };
  }

  /** Changes an agent: the result is its next version (the edge). The release set stays where it was. */
  async update(scope: AgentScope, id: string, changes: AgentEdit, knowledge: KnowledgeChange = {}): Promise<Agent> {
    return (await this.change(scope, id, changes, knowledge)).agent;
  }

  /** update, also returning the ids of the documents it added. */
  async change(scope: AgentScope, id: string, changes: AgentEdit, knowledge: KnowledgeChange): Promise<{ agent: Agent; added: string[] }> {
    const { greeting, handOff, ...fields } = changes;
    const checked = checkChanges(fields);
    const newGreeting = greeting == null ? greeting : checkGreeting(greeting);
    const add = checkKnowledge(knowledge.add ?? []);
    const replace = knowledge.replace ? checkKnowledge(knowledge.replace) : undefined;
    const remove = knowledge.remove ?? [];
    if (Object.values(checked).every((v) => v === undefined) && newGreeting === undefined && handOff === undefined && add.length === 0 && !replace && remove.length === 0) {
      throw invalidArgument('body', 'must change at least one field');
    }
    return this.db.transaction(async (tx) => {
      const s = stores(tx);
      const current = await this.get(scope, id, tx, { forUpdate: true });
      // Under the row lock, so a concurrent change of the other settings is not lost.
      if (newGreeting !== undefined) checked.modelSettings = withGreeting(checked.modelSettings ?? current.modelSettings, newGreeting);
      if (handOff !== undefined) checked.modelSettings = { ...(checked.modelSettings ?? current.modelSettings), handOff };
      const previous = await s.agentVersions.getAgentVersion(scope.customerId, id, current.edgeVersion);
      let documentIds = previous?.documentIds ?? [];
      for (const removed of remove) {
        if (!documentIds.includes(removed)) throw notFound('knowledge document');
      }
      documentIds = documentIds.filter((d) => !remove.includes(d));
      if (replace) {
        const existing = await s.knowledge.listDocuments(scope.customerId, id, documentIds);
        const next: string[] = [];
        for (const doc of replace) {
          const same = existing.find((e) => e.name === doc.name && e.mediaType === doc.mediaType && e.content === doc.content && !next.includes(e.id));
          next.push(...(same ? [same.id] : await insertDocuments(tx, current, [doc])));
        }
        documentIds = next;
      }
      const added = await insertDocuments(tx, current, add);
      documentIds = [...documentIds, ...added];
      if (documentIds.length > AGENT_LIMITS.documents) throw invalidArgument('knowledge', `at most ${AGENT_LIMITS.documents} documents in a knowledge base`);
      const updated = await s.agents.updateAgent(scope.customerId, id, scope.profileId, checked);
      if (!updated) throw notFound(noun(scope));
      await s.agentVersions.insertAgentVersion(snapshot(updated, documentIds));
      return { agent: updated, added };
    });
  }

  /** Points the `release` set at `version` (default: the edge). Makes no new version. */
  async release(scope: AgentScope, id: string, version?: number): Promise<Agent> {
    return this.db.transaction(async (tx) => {
      const current = await this.get(scope, id, tx, { forUpdate: true });
      const target = version ?? current.edgeVersion;
      if (!Number.isInteger(target) || target < 1 || target > current.edgeVersion) {
        throw invalidArgument('version', `must be a version of the agent, 1 to ${current.edgeVersion}`);
      }
      return (await stores(tx).agents.setReleaseVersion(scope.customerId, id, target))!;
    });
  }

  /** The version a selector names; a number beyond the edge is NOT_FOUND. */
  async version(scope: AgentScope, id: string, selector: VersionSelector = 'release', db: Queryable = this.db): Promise<AgentVersion> {
    const agent = await this.get(scope, id, db);
    const number = selector === 'release' ? agent.releaseVersion : selector === 'edge' ? agent.edgeVersion : selector;
    const found = Number.isInteger(number) && number >= 1 ? await stores(db).agentVersions.getAgentVersion(scope.customerId, id, number) : undefined;
    if (!found) throw notFound('agent version');
    return found;
  }

  async versions(scope: AgentScope, id: string, page: { pageSize: number; pageToken?: string }): Promise<{ versions: AgentVersion[]; nextPageToken: string }> {
    await this.get(scope, id);
    const filter = { agent: id };
    const after = decodePageToken(page.pageToken, filter, ['int']);
    const rows = await stores(this.db).agentVersions.listAgentVersions(scope.customerId, id, { beforeVersion: after?.[0] as number | undefined, limit: page.pageSize + 1 });
    const shown = rows.slice(0, page.pageSize);
    const more = rows.length > page.pageSize;
    return { versions: shown, nextPageToken: more ? encodePageToken(filter, [shown[shown.length - 1].version]) : '' };
  }

  /** The agent version a conversation recorded (recordConversationVersion); undefined for another customer's conversation. */
  async conversationVersion(customerId: string, conversationId: string, db: Queryable = this.db) {
    return stores(db).agentVersions.getConversationAgentVersion(customerId, conversationId);
  }

  /** Conversations held with the agent keep its id and version (their history); nothing else changes. */
  async delete(scope: AgentScope, id: string): Promise<void> {
    if (scope.agentId && scope.agentId !== id) throw notFound(noun(scope));
    const deleted = await stores(this.db).agents.deleteAgent(scope.customerId, id, scope.profileId);
    if (!deleted) throw notFound(noun(scope));
  }

  /**
   * Records on a conversation which agent version it runs: the set asked for, resolved now. For
   * the runtime, inside its own transaction when it passes one.
   */
  async recordConversationVersion(
    scope: AgentScope, conversationId: string, agentId: string, selector: VersionSelector = 'release', db: Queryable = this.db,
  ): Promise<AgentVersion> {
    const version = await this.version(scope, agentId, selector, db);
    const versionSet = typeof selector === 'number' ? 'version' : selector;
    const recorded = await stores(db).agentVersions.setConversationAgentVersion(scope.customerId, conversationId, { agentId, version: version.version, versionSet });
    if (!recorded) throw notFound('conversation');
    return version;
  }
}

function snapshot(agent: Agent, documentIds: string[]): Omit<AgentVersion, 'createTime'> {
  return {
    customerId: agent.customerId, agentId: agent.id, version: agent.edgeVersion, name: agent.name, instructions: agent.instructions,
    model: agent.model, modelSettings: agent.modelSettings, states: agent.states, documentIds,
  };
}

async function insertDocuments(tx: Queryable, agent: Agent, documents: Required<KnowledgeInput>[]): Promise<string[]> {
  const s: Stores = stores(tx);
  const ids: string[] = [];
  for (const doc of documents) {
    const id = newId();
    await s.knowledge.insertDocument({ ...doc, customerId: agent.customerId, agentId: agent.id, id }, chunkDocument(doc.content, doc.mediaType === 'text/markdown'));
    ids.push(id);
  }
  return ids;
}
