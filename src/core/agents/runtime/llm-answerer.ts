import type { ChatMessage, ChatModel } from '../../../providers/llm/openai-chat.ts';
import { LlmError } from '../../../providers/llm/llm-error.ts';
import type { KnowledgePassage } from '../../../store/knowledge.ts';
import { madeGreeting, MAX_RECOMMENDED_RESPONSES, type AgentProfile, type Answerer, type AnswerRequest, type RecommendRequest } from './answerer.ts';
import { LOCAL_AGENT } from './local-answerer.ts';
import { piecesOf } from './pieces.ts';

/** Passages given to the model at most, and each one's length: enough context, a bounded prompt. */
const PROMPT_PASSAGES = 5;
const PASSAGE_CHARS = 2_000;

const GROUNDING = [
  'Answer the user from the knowledge passages below and the conversation so far.',
  'If the passages do not contain the answer, say plainly that you do not know and offer to connect the user with a person; never invent facts.',
  'Be brief: a few sentences at most.',
].join(' ');

function knowledge(passages: readonly KnowledgePassage[]): string {
  if (passages.length === 0) return 'Knowledge passages: none match this question.';
  return `Knowledge passages:\n${passages.slice(0, PROMPT_PASSAGES)
    .map((p, i) => `[${i + 1}] ${p.documentName}${p.heading ? ` > ${p.heading}` : ''}\n${p.text.slice(0, PASSAGE_CHARS)}`)
    .join('\n\n')}`;
}

/** The chat request of a turn: the agent's instructions and the grounding rule, the passages, the conversation, the question. */
export function promptOf(request: Pick<AnswerRequest, 'agent' | 'history' | 'question' | 'passages'>): ChatMessage[] {
  const system = [request.agent.instructions.trim(), `You are ${request.agent.name}.`, GROUNDING, knowledge(request.passages)].filter(Boolean).join('\n\n');
  return [
    { role: 'system', content: system },
    ...request.history.map((t): ChatMessage => ({ role: t.role === 'user' ? 'user' : 'assistant', content: t.text })),
    { role: 'user', content: request.question },
  ];
}

const RECOMMENDING = [
  `Suggest up to ${MAX_RECOMMENDED_RESPONSES} short messages the user might send next in the conversation below, in the user's voice, each under 15 words.`,
  'Prefer questions the knowledge passages answer.',
  'Reply with one JSON object: {"recommended_responses": ["…"]}.',
].join(' ');

/** The chat request for recommended responses: who the agent is, the passages, the caller's context, the conversation as a transcript. */
export function recommendPromptOf(request: RecommendRequest): ChatMessage[] {
  const system = [`The agent is ${request.agent.name}.`, RECOMMENDING, request.context ? `Context:\n${request.context}` : '', knowledge(request.passages)]
    .filter(Boolean).join('\n\n');
  const transcript = request.history.map((t) => `${t.role === 'user' ? 'User' : 'Agent'}: ${t.text}`).join('\n');
  return [{ role: 'system', content: system }, { role: 'user', content: `Conversation so far:\n${transcript}` }];
}

/** The model's suggestions: the strings of its JSON answer, trimmed, deduplicated, at most MAX_RECOMMENDED_RESPONSES. */
function suggestionsOf(content: string | null): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content ?? '');
  } catch (err) {
    throw new LlmError('malformed', 'the model\'s recommended responses are not JSON', { cause: err });
  }
  const list = (parsed as { recommended_responses?: unknown })?.recommended_responses;
  if (!Array.isArray(list)) throw new LlmError('malformed', 'the model gave no recommended_responses list');
  const texts = list.filter((item): item is string => typeof item === 'string').map((item) => item.trim()).filter((item) => item !== '');
  return [...new Set(texts)].slice(0, MAX_RECOMMENDED_RESPONSES);
}

/**
 * An agent answered by a chat model behind an OpenAI-compatible endpoint (PARLEY_LLM_*): the
 * agent's instructions, the passages retrieved from its knowledge and the conversation so far go
 * in; the reply's pieces are passed on as the endpoint streams them. Retries, timeouts and
 * cancellation are the provider's (providers/llm/openai-chat.ts).
 */
export class LlmAnswerer implements Answerer {
  readonly name: string;

  constructor(private readonly chat: ChatModel) {
    this.name = `llm:${chat.model}`;
  }

  async *greet(agent: AgentProfile): AsyncIterable<string> {
    // A configured or made greeting: opening a conversation costs no model call.
    yield* piecesOf(agent.greeting?.trim() || madeGreeting(agent));
  }

  async *answer(request: AnswerRequest): AsyncIterable<string> {
    const messages = promptOf(request);
    const started = performance.now();
    let output = '';
    for await (const piece of this.chat.stream({ messages, temperature: 0.2 }, { signal: request.signal })) {
      output += piece;
      yield piece;
    }
    request.record({
      passages: [...request.passages],
      calls: [{ name: `chat.completions ${this.chat.model}`, input: JSON.stringify(messages), output, durationMs: Math.round(performance.now() - started) }],
      answeredFromKnowledge: (request.passages[0]?.coverage ?? 0) >= LOCAL_AGENT.minCoverage,
    });
  }

  async recommend(request: RecommendRequest): Promise<string[]> {
    const answer = await this.chat.complete({ messages: recommendPromptOf(request), temperature: 0.7, json: true }, { signal: request.signal });
    return suggestionsOf(answer.content);
  }
}
