import { LRUCache } from 'lru-cache';
import type { Queryable } from '../../store/driver.ts';
import { stores } from '../../store/index.ts';
import type { AgentVersion } from '../../store/agent-versions.ts';
import { failedPrecondition, invalidArgument, notFound } from '../../kernel/errors.ts';
import type { Message } from '../../kernel/types.ts';
import { CHAT_ROLE_OF_SPEAKER } from '../messages/chat-roles.ts';
import type { AgentProfile, Turn } from '../agents/runtime/answerer.ts';

/** Turns of the conversation so far given to the runtime: enough context, a bounded prompt. */
export const HISTORY_TURNS = 40;

/** The agent a conversation runs: the version it recorded at create (recordConversationVersion). */
export interface RunningAgent {
  agentId: string;
  version: AgentVersion;
  profile: AgentProfile;
}

/** A document's name as a topic: `returns-policy.md` → `returns policy`. */
function topicOf(documentName: string): string {
  const base = documentName.split('/').pop() ?? documentName;
  return base.replace(/\.(md|markdown|txt)$/i, '').replace(/[-_]+/g, ' ').trim();
}

/** Agent versions kept in memory per process: a few thousand agents' worth of profiles. */
const RUNNING_AGENTS_KEPT = 2000;
/** Conversations whose agent version is kept (two short ids each). */
const CONVERSATIONS_KEPT = 50_000;

/**
 * The agents conversations run, by version. A version and the documents it names never change
 * (a change of the agent makes a new version), so what is read once is kept: a turn reads no agent
 * row. The database stays the only record; this is a copy that can never be stale.
 */
export class RunningAgents {
  private readonly kept = new LRUCache<string, Promise<RunningAgent | undefined>>({ max: RUNNING_AGENTS_KEPT });
  /** The agent version each conversation runs, as seen: recorded at create, it never changes. */
  private readonly ranBy = new LRUCache<string, { agentId: string; version: number }>({ max: CONVERSATIONS_KEPT });

  constructor(private readonly db: Queryable) {}

  /** The version `version` of the agent; undefined when it has none. */
  async at(customerId: string, agentId: string, version: number): Promise<RunningAgent | undefined> {
    const key = `${customerId}/${agentId}/${version}`;
    let agent = this.kept.get(key);
    if (!agent) {
      agent = this.read(customerId, agentId, version);
      this.kept.set(key, agent);
      // A failed or empty read is tried again next time, not kept.
      agent.then((found) => { if (!found) this.kept.delete(key); }, () => this.kept.delete(key));
    }
    return agent;
  }

  /**
   * The agent a conversation runs: the version it recorded at create (recordConversationVersion),
   * or `otherVersion` of the same agent (a simulation's). Read from the database only the first
   * time in this process; the caller has checked that the conversation is there and its to reach.
   */
  async of(customerId: string, conversationId: string, otherVersion?: number): Promise<RunningAgent> {
    const recorded = this.ranBy.get(`${customerId}/${conversationId}`)
      ?? await stores(this.db).agentVersions.getConversationAgentVersion(customerId, conversationId);
    if (!recorded) throw notFound('conversation');
    return this.recorded(customerId, recorded.agentId, recorded.version, otherVersion, conversationId);
  }

  /**
   * The agent a conversation runs when this process has seen it before, without reading the
   * database; undefined otherwise. Lets a turn search the knowledge while it claims the
   * conversation (the claim's read still decides whether the caller may reach it).
   */
  async seen(customerId: string, conversationId: string): Promise<RunningAgent | undefined> {
    const ran = this.ranBy.get(`${customerId}/${conversationId}`);
    return ran && this.at(customerId, ran.agentId, ran.version);
  }

  /** The agent of a conversation whose recorded agent and version the caller has read. */
  async recorded(
    customerId: string, agentId: string | null, version: number | null, otherVersion?: number, conversationId?: string,
  ): Promise<RunningAgent> {
    if (!agentId || !version) throw failedPrecondition('the conversation runs no service: it was not created on the agent surface');
    if (conversationId) this.ranBy.set(`${customerId}/${conversationId}`, { agentId, version });
    const agent = await this.at(customerId, agentId, otherVersion ?? version);
    if (!agent && otherVersion !== undefined) throw invalidArgument('agent_version', `the service has no version ${otherVersion}`);
    if (!agent) throw notFound('service version of the conversation');
    return agent;
  }

  /**
   * The profile the answerer speaks as: the version's name, instructions, the greeting in its model
   * settings when one is set, and its knowledge documents' names as the topics it covers.
   */
  private async read(customerId: string, agentId: string, number: number): Promise<RunningAgent | undefined> {
    const s = stores(this.db);
    const version = await s.agentVersions.getAgentVersion(customerId, agentId, number);
    if (!version) return undefined;
    const documents = await s.knowledge.listDocuments(customerId, agentId, version.documentIds);
    const greeting = (version.modelSettings as Record<string, unknown>).greeting;
    return {
      agentId,
      version,
      profile: {
        name: version.name,
        instructions: version.instructions,
        greeting: typeof greeting === 'string' && greeting.trim() !== '' ? greeting : undefined,
        topics: documents.map((d) => topicOf(d.name)).filter(Boolean),
      },
    };
  }
}

/**
 * The conversation so far as the runtime reads it, oldest first: the user's and the agents'
 * messages (those before `beforeSeq` when given: the history an earlier interaction saw).
 */
export async function historyOf(db: Queryable, customerId: string, conversationId: string, beforeSeq?: number): Promise<Turn[]> {
  const page = await stores(db).messages.listMessages({ customerId, id: conversationId }, { descending: true, limit: HISTORY_TURNS * 2, afterSeq: beforeSeq });
  return page.messages
    .filter((m: Message) => m.state !== 'DELETED' && m.text.trim() !== '')
    .reverse()
    .flatMap((m): Turn[] => {
      const role = CHAT_ROLE_OF_SPEAKER[m.speaker];
      if (role === 'user') return [{ role: 'user', text: m.text }];
      if (role === 'assistant') return [{ role: 'agent', text: m.text }];
      return [];
    })
    .slice(-HISTORY_TURNS);
}
