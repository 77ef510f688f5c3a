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

/** What the end user might say next, after the latest interaction (Amigo's recommended responses). */
export interface RecommendRequest {
  agent: AgentProfile;
  /** The conversation so far, oldest first; its last turn is the agent's. */
  history: readonly Turn[];
  /** Knowledge passages related to the last turn, best first. */
  passages: readonly KnowledgePassage[];
  /** The caller's description of the user and scenario, if any. */
  context?: string;
  signal: AbortSignal;
}

/** Recommended responses given at most: a few short choices, as a chat UI shows them. */
export const MAX_RECOMMENDED_RESPONSES = 3;

/**
 * Who writes the agent's replies: the local retrieval agent (local-answerer.ts, the embedded
 * default) or an LLM behind an OpenAI-compatible endpoint (llm-answerer.ts). Both stream the
 * reply in pieces; joined, the pieces are the whole reply.
 */
export interface Answerer {
  readonly name: string;
  /** False for a runtime that answers from the passages alone: a turn then reads no history for it. Default true. */
  readonly readsHistory?: boolean;
  /** The agent's opening turn of a new conversation. */
  greet(agent: AgentProfile, signal: AbortSignal): AsyncIterable<string>;
  answer(request: AnswerRequest): AsyncIterable<string>;
  /** Up to MAX_RECOMMENDED_RESPONSES short messages the end user might send next. */
  recommend(request: RecommendRequest): Promise<string[]>;
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
