import { errors as undiciErrors, request } from 'undici';
import { pcm16FromLittleEndian } from '../../audio/codecs.ts';
import { retryBeforeAnswer } from '../provider-error.ts';
import { SpeechError } from './speech-error.ts';
import type { Synthesizer } from './synthesizer.ts';

export interface OpenAiSynthesizerOptions {
  /** `https://api.openai.com`, `https://api.openai.com/v1`, or any compatible server (LocalAI, Kokoro-FastAPI, openedai-speech). */
  baseUrl: string;
  apiKey: string;
  model: string;
  voice: string;
  /** Until the response head arrives, and between two pieces of its body. Default 30 s. */
  timeoutMs?: number;
  /** Further attempts when the endpoint fails before answering anything (429, 5xx, network). Default 2. */
  retries?: number;
}

/** OpenAI's `pcm` response format: 24 kHz, 16-bit signed little-endian, mono, no header. */
export const OPENAI_PCM_SAMPLE_RATE_HERTZ = 24000;
const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_ERROR_BYTES = 4096;

/**
 * OpenAI-compatible text to speech: `POST {base}/v1/audio/speech` with `{model, input, voice,
 * response_format: "pcm"}`, answered with raw PCM16 streamed as it is produced. A failure before
 * any audio arrived is retried; once audio has gone to the caller it is not.
 */
export class OpenAiSynthesizer implements Synthesizer {
  readonly name: string;
  readonly sampleRateHertz = OPENAI_PCM_SAMPLE_RATE_HERTZ;
  private readonly url: string;

  constructor(private readonly options: OpenAiSynthesizerOptions) {
    this.name = `openai:${options.model}`;
    const base = options.baseUrl.replace(/\/+$/, '');
    this.url = `${base}${base.endsWith('/v1') ? '' : '/v1'}/audio/speech`;
  }

  async *synthesize(text: string, signal: AbortSignal): AsyncIterable<Int16Array> {
    const body = await this.post(text, signal);
    let odd: Buffer = Buffer.alloc(0);
    let spoke = false;
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        const bytes = odd.length ? Buffer.concat([odd, chunk]) : chunk;
        const whole = bytes.length - (bytes.length % 2);
        odd = Buffer.from(bytes.subarray(whole));
        if (whole === 0) continue;
        spoke = true;
        yield pcm16FromLittleEndian(bytes.subarray(0, whole));
      }
    } catch (err) {
      throw this.failure(err, signal, 'interrupted');
    } finally {
      body.destroy();
    }
    if (!spoke) throw new SpeechError('malformed', `the speech service ${this.url} answered without audio`);
  }

  /** The response body of a successful request; retries what failed before any answer, with backoff. */
  private post(text: string, signal: AbortSignal) {
    return retryBeforeAnswer(() => this.send(text, signal), this.options.retries ?? 2, signal);
  }

  private async send(text: string, signal: AbortSignal) {
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'audio/pcm, application/octet-stream' };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(this.url, {
        method: 'POST', headers, signal, headersTimeout: timeoutMs, bodyTimeout: timeoutMs,
        body: JSON.stringify({ model: this.options.model, input: text, voice: this.options.voice, response_format: 'pcm' }),
      });
    } catch (err) {
      throw this.failure(err, signal, 'unreachable');
    }
    if (response.statusCode < 200 || response.statusCode >= 300) {
      const detail = await readLimited(response.body, MAX_ERROR_BYTES).catch(() => '');
      const retryable = response.statusCode === 429 || response.statusCode >= 500;
      throw new SpeechError('http', `the speech service answered HTTP ${response.statusCode}: ${detail.slice(0, 300)}`, { retryable, status: response.statusCode });
    }
    return response.body;
  }

  /** An error of the HTTP client as a SpeechError; the caller's abort passes through as it is. */
  private failure(err: unknown, signal: AbortSignal, otherwise: 'unreachable' | 'interrupted'): unknown {
    if (signal.aborted || err instanceof SpeechError) return err;
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError) {
      return new SpeechError('timeout', `no answer from the speech service ${this.url} for ${timeoutMs} ms`, { cause: err, retryable: otherwise === 'unreachable' });
    }
    const why = (err as Error).message;
    return otherwise === 'unreachable'
      ? new SpeechError('unreachable', `the speech service ${this.url} could not be reached: ${why}`, { cause: err, retryable: true })
      : new SpeechError('interrupted', `the connection to the speech service broke: ${why}`, { cause: err });
  }
}

async function readLimited(body: AsyncIterable<Buffer> & { destroy(): void }, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= maxBytes) break;
    }
  } finally {
    body.destroy();
  }
  return Buffer.concat(chunks).toString('utf8');
}
