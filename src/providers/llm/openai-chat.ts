import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { retryBeforeAnswer } from '../provider-error.ts';
import { LlmError } from './llm-error.ts';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  messages: readonly ChatMessage[];
  temperature?: number;
  /** Ask for one JSON object (`response_format: json_object`). */
  json?: boolean;
  maxTokens?: number;
}

/** The first choice of a completion: its text, or why there is none. */
export interface ChatAnswer {
  content: string | null;
  refusal: string | null;
  finishReason: string | null;
}

export interface LlmOptions {
  /** OpenAI-compatible API root, e.g. `https://api.openai.com/v1` (no trailing slash). */
  baseUrl: string;
  apiKey: string;
  model: string;
  /** Until the answer (complete) or its first piece (stream) arrives, and between two pieces. */
  timeoutMs: number;
  /** Further attempts when the endpoint fails before answering anything (429, 5xx, network). Default 2. */
  retries?: number;
}

/** What the runtime and the analyzers need of a chat model. */
export interface ChatModel {
  readonly model: string;
  complete(request: ChatRequest, options: { signal: AbortSignal }): Promise<ChatAnswer>;
  /** The answer's text in pieces, as the endpoint sends them. */
  stream(request: ChatRequest, options: { signal: AbortSignal }): AsyncIterable<string>;
}

const MAX_ANSWER_BYTES = 256 * 1024;

/**
 * A chat model behind an OpenAI-compatible `/chat/completions` endpoint (OpenAI, vLLM, Ollama,
 * llama.cpp server). A failure before anything was answered is retried; once a streamed answer
 * has begun it is not, since its pieces have already gone to the caller.
 */
export class OpenAiChat implements ChatModel {
  readonly model: string;

  constructor(private readonly options: LlmOptions) {
    this.model = options.model;
  }

  async complete(request: ChatRequest, { signal }: { signal: AbortSignal }): Promise<ChatAnswer> {
    const response = await this.post(request, false, signal);
    const body = await readLimited(response, MAX_ANSWER_BYTES, this.options.timeoutMs, signal);
    let completion: unknown;
    try {
      completion = JSON.parse(body);
    } catch (err) {
      throw new LlmError('malformed', 'the response body is not JSON', { cause: err });
    }
    const choices = (completion as { choices?: unknown })?.choices;
    const first = Array.isArray(choices)
      ? (choices[0] as { message?: { content?: unknown; refusal?: unknown }; finish_reason?: unknown } | undefined)
      : undefined;
    if (!first) throw new LlmError('malformed', 'the completion has no choices');
    return {
      content: typeof first.message?.content === 'string' ? first.message.content : null,
      refusal: typeof first.message?.refusal === 'string' ? first.message.refusal : null,
      finishReason: typeof first.finish_reason === 'string' ? first.finish_reason : null,
    };
  }

  async *stream(request: ChatRequest, { signal }: { signal: AbortSignal }): AsyncIterable<string> {
    const response = await this.post(request, true, signal);
    const events: EventSourceMessage[] = [];
    const parser = createParser({ onEvent: (event) => events.push(event) });
    const decoder = new TextDecoder();
    let done = false;
    for await (const chunk of withIdleTimeout(response.body!, this.options.timeoutMs, signal)) {
      parser.feed(decoder.decode(chunk, { stream: true }));
      for (const event of events.splice(0)) {
        if (event.data === '[DONE]') {
          done = true;
          break;
        }
        const piece = deltaOf(event.data);
        if (piece) yield piece;
      }
      if (done) break;
    }
    if (!done) throw new LlmError('interrupted', 'the stream ended before the model finished its answer');
  }

  /** Sends the request; retries what failed before any answer, with backoff. */
  private post(request: ChatRequest, stream: boolean, signal: AbortSignal): Promise<Response> {
    return retryBeforeAnswer(() => this.send(request, stream, signal), this.options.retries ?? 2, signal);
  }

  private async send(request: ChatRequest, stream: boolean, signal: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json' };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    const body: Record<string, unknown> = { model: this.options.model, messages: request.messages, stream };
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (request.json) body.response_format = { type: 'json_object' };
    if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
    // The timeout covers the wait for the response head only: a streamed body may take longer
    // as a whole, and its pieces are watched by withIdleTimeout instead.
    const headTimeout = new AbortController();
    const timer = setTimeout(() => headTimeout.abort(), this.options.timeoutMs);
    let response: Response;
    try {
      response = await fetch(`${this.options.baseUrl}/chat/completions`, {
        method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.any([signal, headTimeout.signal]),
      });
    } catch (err) {
      if (signal.aborted) throw err;
      const why = headTimeout.signal.aborted ? `no answer within ${this.options.timeoutMs} ms` : (err as Error).message;
      throw new LlmError('unreachable', `the LLM endpoint could not be reached: ${why}`, { cause: err, retryable: true });
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok) {
      const text = await readLimited(response, 4096, this.options.timeoutMs, signal).catch(() => '');
      const retryable = response.status === 429 || response.status >= 500;
      throw new LlmError('http', `the LLM endpoint answered HTTP ${response.status}: ${text.slice(0, 300)}`, { retryable, status: response.status });
    }
    if (!response.body) throw new LlmError('malformed', 'the response has no body');
    return response;
  }
}

/** `choices[0].delta.content` of one streamed chunk; an `error` object in the stream is thrown. */
function deltaOf(data: string): string {
  let chunk: { choices?: { delta?: { content?: unknown } }[]; error?: { message?: unknown } };
  try {
    chunk = JSON.parse(data);
  } catch (err) {
    throw new LlmError('malformed', 'a streamed chunk is not JSON', { cause: err });
  }
  if (chunk.error) throw new LlmError('interrupted', `the model failed mid-answer: ${String(chunk.error.message ?? 'unknown error')}`);
  const content = chunk.choices?.[0]?.delta?.content;
  return typeof content === 'string' ? content : '';
}

/** The body's chunks, failing when none arrives for `idleMs` (a stalled endpoint must not hang a turn). */
async function* withIdleTimeout(body: ReadableStream<Uint8Array>, idleMs: number, signal: AbortSignal): AsyncIterable<Uint8Array> {
  const reader = body.getReader();
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => undefined);
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new LlmError('timeout', `no answer from the LLM endpoint for ${idleMs} ms`)), idleMs);
      });
      try {
        const { done, value } = await Promise.race([reader.read(), idle, aborted]).catch((err: unknown) => {
          if (err instanceof LlmError || signal.aborted) throw err;
          throw new LlmError('interrupted', `the connection to the LLM endpoint broke: ${(err as Error).message}`, { cause: err });
        });
        if (done) return;
        yield value;
      } finally {
        clearTimeout(timer);
      }
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    await reader.cancel().catch(() => undefined);
  }
}

async function readLimited(response: Response, maxBytes: number, idleMs: number, signal: AbortSignal): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of withIdleTimeout(response.body, idleMs, signal)) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new LlmError('malformed', `the LLM answer is larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
