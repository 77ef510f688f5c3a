import type { JsonObject, Message } from '../../kernel/types.ts';
import type { AgentState } from '../../store/agents.ts';
import type { TurnRecord } from '../agents/runtime/answerer.ts';
import type { RunningAgent } from './agent-profile.ts';

/**
 * The state a turn runs in. The runtime has no state machine of its own: it runs in the agent's
 * first configured state, or in the one it always has (answering from its knowledge).
 */
export function turnState(agent: RunningAgent): AgentState {
  return agent.version.states[0] ?? {
    name: 'answer',
    action: 'answer the user from the knowledge base, or offer a person when it does not cover the question',
    objective: agent.profile.instructions.trim() || `help the user with what ${agent.profile.name} knows`,
  };
}

/** One knowledge search or provider call of a turn, as kept: no conversation content. */
export interface RecordedCall {
  name: string;
  durationMs: number;
  /** What was asked, without the conversation's words (a search's passage count, a model's name). */
  input: JsonObject;
}

/**
 * What a turn's answer was made from, stored with the turn (store/messages.ts appendMessageBatch)
 * for the interaction's insights. It holds knowledge passages and timings, never the user's or the
 * agent's words: those live only in the messages, where redaction and deletion reach them; the
 * insights read the search query back from the interaction's input message.
 */
export interface StoredTurnRecord {
  agentId: string;
  version: number;
  state: AgentState;
  runtime: string;
  passages: { documentId: string; documentName: string; heading: string; text: string; score: number }[];
  calls: RecordedCall[];
  answeredFromKnowledge: boolean | null;
}

export function storedRecordOf(
  agent: RunningAgent, runtime: string, search: { durationMs: number; passages: number } | undefined, record: TurnRecord | undefined,
): StoredTurnRecord {
  const calls: RecordedCall[] = [];
  if (search) calls.push({ name: 'knowledge-search', durationMs: search.durationMs, input: { limit: search.passages } });
  for (const call of record?.calls ?? []) calls.push({ name: call.name, durationMs: call.durationMs, input: { provider: call.name } });
  return {
    agentId: agent.agentId,
    version: agent.version.version,
    state: turnState(agent),
    runtime,
    passages: (record?.passages ?? []).map((p) => ({ documentId: p.documentId, documentName: p.documentName, heading: p.heading, text: p.text, score: p.score })),
    calls,
    answeredFromKnowledge: record ? record.answeredFromKnowledge : null,
  };
}

/** An interaction's insights: its stored record and the query it searched (its input, as stored now). */
export interface InteractionInsights {
  record: StoredTurnRecord;
  /** The input message's text as it is now (redacted text when it was redacted); none for the opening turn. */
  query: string | undefined;
}

export function insightsOf(record: JsonObject, input: Message | undefined): InteractionInsights {
  return { record: record as unknown as StoredTurnRecord, query: input && input.state !== 'DELETED' ? input.text : undefined };
}
