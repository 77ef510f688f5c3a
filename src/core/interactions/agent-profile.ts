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

/**
 * The profile the answerer speaks as, from the version the conversation runs: its name,
 * instructions, the greeting in its model settings when one is set, and its knowledge documents'
 * names as the topics it covers. `otherVersion`: another version of the same agent (a simulation's).
 */
export async function runningAgent(db: Queryable, customerId: string, conversationId: string, otherVersion?: number): Promise<RunningAgent> {
  const s = stores(db);
  const recorded = await s.agentVersions.getConversationAgentVersion(customerId, conversationId);
  if (!recorded) throw notFound('conversation');
  if (!recorded.agentId || !recorded.version) throw failedPrecondition('the conversation runs no service: it was not created on the agent surface');
  const version = await s.agentVersions.getAgentVersion(customerId, recorded.agentId, otherVersion ?? recorded.version);
  if (!version && otherVersion !== undefined) throw invalidArgument('agent_version', `the service has no version ${otherVersion}`);
  if (!version) throw notFound('service version of the conversation');
  const documents = await s.knowledge.listDocuments(customerId, recorded.agentId, version.documentIds);
  const greeting = (version.modelSettings as Record<string, unknown>).greeting;
  return {
    agentId: recorded.agentId,
    version,
    profile: {
      name: version.name,
      instructions: version.instructions,
      greeting: typeof greeting === 'string' && greeting.trim() !== '' ? greeting : undefined,
      topics: documents.map((d) => topicOf(d.name)).filter(Boolean),
    },
  };
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
