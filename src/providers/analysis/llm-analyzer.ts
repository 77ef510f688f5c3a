import { LlmError } from '../llm/llm-error.ts';
import { OpenAiChat, type LlmOptions } from '../llm/openai-chat.ts';
import { checkAnalysisResult, MalformedAnalysisError, type AnalysisResult, type Analyzer, type Transcript } from './analyzer.ts';

export type LlmAnalyzerOptions = Omit<LlmOptions, 'retries'>;

/** Characters of transcript sent to the model: ~12k tokens, inside every current model's context. */
const MAX_TRANSCRIPT_CHARS = 48_000;

const INSTRUCTIONS = `You analyse customer-support conversations between a user and an assistant (an agent).
Answer with one JSON object and nothing else, with exactly these fields:
- "sentiment": "positive", "neutral" or "negative": how the user feels, weighted toward the end of the conversation.
- "sentimentScore": a number from -1 (very negative) to 1 (very positive).
- "taskCompleted": true when the user's request was done or answered by the end, false when it was refused, handed off, left pending or abandoned.
- "topics": up to 5 short noun phrases naming what the conversation is about.
- "summary": one to three sentences: what the user wanted, what the agent did, the outcome.
- "issues": problems the user met, as [{"description": string, "severity": "low" | "medium" | "high"}]; [] when there were none.`;

/** The transcript as plain labelled lines, its end kept when it is too long (the end decides the outcome). */
export function transcriptText(transcript: Transcript): string {
  const lines = transcript.filter((t) => t.text.trim() !== '').map((t) => `${t.role === 'user' ? 'User' : t.role === 'assistant' ? 'Assistant' : 'System'}: ${t.text.trim()}`);
  let text = lines.join('\n');
  if (text.length > MAX_TRANSCRIPT_CHARS) text = `[earlier turns omitted]\n${text.slice(text.length - MAX_TRANSCRIPT_CHARS)}`;
  return text;
}

/**
 * Insights from a model behind an OpenAI-compatible chat completions endpoint (OpenAI, vLLM,
 * Ollama, llama.cpp server), asked for a JSON object (`response_format: json_object`). An answer
 * that is not that object with every field is an error, so the analysis job retries it; the job's
 * own backoff does the retrying, so the chat client makes one attempt.
 */
export class LlmAnalyzer implements Analyzer {
  readonly name: string;
  readonly version: string;
  private readonly chat: OpenAiChat;

  constructor(options: LlmAnalyzerOptions) {
    this.name = 'llm';
    this.version = options.model;
    this.chat = new OpenAiChat({ ...options, retries: 0 });
  }

  async analyze(transcript: Transcript, opts: { signal: AbortSignal }): Promise<AnalysisResult> {
    const answer = await this.chat.complete({
      temperature: 0,
      json: true,
      messages: [
        { role: 'system', content: INSTRUCTIONS },
        { role: 'user', content: `Conversation:\n${transcriptText(transcript)}` },
      ],
    }, opts).catch((err: unknown) => {
      throw err instanceof LlmError && err.failure === 'malformed' ? new MalformedAnalysisError(err.message, { cause: err }) : err;
    });
    if (answer.content === null || answer.content.trim() === '') {
      const why = answer.refusal !== null ? `refused: ${answer.refusal}` : `finish_reason ${String(answer.finishReason)}`;
      throw new MalformedAnalysisError(`the completion has no message content (${why})`);
    }
    return checkAnalysisResult(parseJson(answer.content, 'message content'));
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    // Some servers wrap JSON mode output in a markdown fence all the same.
    return JSON.parse(text.trim().replace(/^```(?:json)?\s*([\s\S]*?)\s*```$/, '$1'));
  } catch (err) {
    throw new MalformedAnalysisError(`${what} is not JSON`, { cause: err });
  }
}
