import { checkAnalysisResult, MalformedAnalysisError, type AnalysisResult, type Analyzer, type Transcript } from './analyzer.ts';

export interface LlmAnalyzerOptions {
  /** OpenAI-compatible API root, e.g. `https://api.openai.com/v1` (no trailing slash). */
  baseUrl: string;
  apiKey: string;
  model: string;
  timeoutMs: number;
}

/** Characters of transcript sent to the model: ~12k tokens, inside every current model's context. */
const MAX_TRANSCRIPT_CHARS = 48_000;
const MAX_ANSWER_BYTES = 256 * 1024;

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
 * that is not that object with every field is an error, so the analysis job retries it.
 */
export class LlmAnalyzer implements Analyzer {
  readonly name: string;
  readonly version: string;

  constructor(private readonly options: LlmAnalyzerOptions) {
    this.name = 'llm';
    this.version = options.model;
  }

  async analyze(transcript: Transcript, opts: { signal: AbortSignal }): Promise<AnalysisResult> {
    const signal = AbortSignal.any([opts.signal, AbortSignal.timeout(this.options.timeoutMs)]);
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    const response = await fetch(`${this.options.baseUrl}/chat/completions`, {
      method: 'POST',
      headers,
      signal,
      body: JSON.stringify({
        model: this.options.model,
        temperature: 0,
        response_format: { type: 'json_object' },
        messages: [
          { role: 'system', content: INSTRUCTIONS },
          { role: 'user', content: `Conversation:\n${transcriptText(transcript)}` },
        ],
      }),
    });
    const body = await readLimited(response, MAX_ANSWER_BYTES);
    if (!response.ok) {
      throw new Error(`LLM endpoint answered HTTP ${response.status}: ${body.slice(0, 300)}`);
    }
    return checkAnalysisResult(parseJson(contentOf(parseJson(body, 'response body')), 'message content'));
  }
}

/** `choices[0].message.content` of a chat completion. */
function contentOf(completion: unknown): string {
  const choices = (completion as { choices?: unknown })?.choices;
  const first = Array.isArray(choices) ? (choices[0] as { message?: { content?: unknown; refusal?: unknown }; finish_reason?: unknown }) : undefined;
  const content = first?.message?.content;
  if (typeof content !== 'string' || content.trim() === '') {
    const why = typeof first?.message?.refusal === 'string' ? `refused: ${first.message.refusal}` : `finish_reason ${String(first?.finish_reason)}`;
    throw new MalformedAnalysisError(`the completion has no message content (${why})`);
  }
  return content;
}

function parseJson(text: string, what: string): unknown {
  try {
    // Some servers wrap JSON mode output in a markdown fence all the same.
    return JSON.parse(text.trim().replace(/^```(?:json)?\s*([\s\S]*?)\s*```$/, '$1'));
  } catch (err) {
    throw new MalformedAnalysisError(`${what} is not JSON`, { cause: err });
  }
}

async function readLimited(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new Error(`LLM answer is larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
