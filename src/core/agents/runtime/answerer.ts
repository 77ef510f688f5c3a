import type { KnowledgePassage } from '../../../store/knowledge.ts';

/** A turn of the conversation so far, as the runtime reads it. */
export interface Turn {
  role: 'user' | 'agent';
  text: string;
}

/** What the agent is, as the version the conversation runs says. */
export interface AgentProfile {
  name: string;
  instructions: string;
  /** The configured opening line, if any (model settings `greeting`). */
  greeting?: string;
  /** What its knowledge covers (document names), for a greeting made when none is configured. */
  topics: readonly string[];
}

/** One call of an outside provider during a turn: the interaction's tool-call log. */
export interface ProviderCall {
  name: string;
  input: string;
  output: string;
  durationMs: number;
}

/**
 * What a turn's answer was made from, kept with the interaction for its insights: the passages
 * retrieved (working memory), each provider call, and whether the knowledge answered.
 */
export interface TurnRecord {
  passages: KnowledgePassage[];
  calls: ProviderCall[];
  /** False when the agent said it does not know (and offered a person). */
  answeredFromKnowledge: boolean;
}

export interface AnswerRequest {
  agent: AgentProfile;
  /** The conversation before this turn, oldest first. */
  history: readonly Turn[];
  question: string;
  /** The knowledge passages that best match the question, best first (core/agents/knowledge.ts search). */
  passages: readonly KnowledgePassage[];
  signal: AbortSignal;
  /** Receives what the answer was made from, once, when the answer is complete. */
  record: (record: TurnRecord) => void;
}

/**
 * Who writes the agent's replies: the local retrieval agent (local-answerer.ts, the embedded
 * default) or an LLM behind an OpenAI-compatible endpoint (llm-answerer.ts). Both stream the
 * reply in pieces; joined, the pieces are the whole reply.
 */
export interface Answerer {
  readonly name: string;
  /** The agent's opening turn of a new conversation. */
  greet(agent: AgentProfile, signal: AbortSignal): AsyncIterable<string>;
  answer(request: AnswerRequest): AsyncIterable<string>;
}

/** The plain words of a reply that the knowledge does not answer: never a guess. */
export function unknownAnswer(): string {
  return "I'm sorry, I don't know that: it isn't covered by what I've been given. Would you like me to connect you with a person who can help?";
}

/** The agent's opening turn when none is configured: its name and what its knowledge covers. */
export function madeGreeting(agent: AgentProfile): string {
  const topics = agent.topics.slice(0, 3);
  const covers = topics.length === 0 ? '' : ` I can help with ${topics.length === 1 ? topics[0] : `${topics.slice(0, -1).join(', ')} and ${topics[topics.length - 1]}`}.`;
  return `Hello, I'm ${agent.name}.${covers} How can I help you?`;
}
