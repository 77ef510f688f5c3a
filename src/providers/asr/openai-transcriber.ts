import { ParleyError } from '../../kernel/errors.ts';
import { resample } from '../../audio/resample.ts';
import { encodeWav } from '../../audio/wav.ts';
import { splitAtQuietPoints } from './audio-chunks.ts';
import { ASR_SAMPLE_RATE_HERTZ, type TranscribeOptions, type Transcriber, type Utterance } from './transcriber.ts';

export interface OpenAiTranscriberOptions {
  /** `https://api.openai.com`, `https://api.openai.com/v1`, or any compatible server (vLLM, faster-whisper-server, LocalAI). */
  baseUrl: string;
  apiKey: string;
  model: string;
  /** Longest audio sent in one request (default 600 s: 19.2 MB of 16 kHz PCM16, under the 25 MB limit). */
  maxChunkSeconds?: number;
  /** Per request; a 10-minute chunk takes well under a minute on OpenAI. */
  timeoutMs?: number;
}

/** 10 minutes of 16 kHz PCM16 is 19.2 MB, under the endpoint's 25 MB upload limit. */
const MAX_CHUNK_SECONDS = 600;
const DEFAULT_TIMEOUT_MS = 5 * 60_000;

interface VerboseJson {
  text?: string;
  duration?: number;
  segments?: { start?: number; end?: number; text?: string }[];
}

/**
 * OpenAI-compatible speech to text: `POST {base}/v1/audio/transcriptions`, multipart with a WAV
 * `file`, `model` and `response_format=verbose_json`, answered with `segments` carrying
 * `start`/`end` seconds. Audio is sent as 16 kHz mono (what whisper works at) in chunks of at
 * most 10 minutes, cut at quiet points; segment times are shifted back onto the whole recording.
 */
export class OpenAiTranscriber implements Transcriber {
  readonly name: string;
  private readonly url: string;

  constructor(private readonly options: OpenAiTranscriberOptions) {
    this.name = `openai:${options.model}`;
    const base = options.baseUrl.replace(/\/+$/, '');
    this.url = `${base}${base.endsWith('/v1') ? '' : '/v1'}/audio/transcriptions`;
  }

  async transcribe(pcm: Int16Array, sampleRateHertz: number, options: TranscribeOptions = {}): Promise<Utterance[]> {
    const audio = resample(pcm, sampleRateHertz, ASR_SAMPLE_RATE_HERTZ);
    const utterances: Utterance[] = [];
    for (const span of splitAtQuietPoints(audio, ASR_SAMPLE_RATE_HERTZ, this.options.maxChunkSeconds ?? MAX_CHUNK_SECONDS)) {
      const offset = span.start / ASR_SAMPLE_RATE_HERTZ;
      const duration = (span.end - span.start) / ASR_SAMPLE_RATE_HERTZ;
      const result = await this.request(audio.subarray(span.start, span.end), options);
      for (const u of toUtterances(result, duration)) utterances.push({ text: u.text, start: u.start + offset, end: u.end + offset });
    }
    return utterances;
  }

  private async request(pcm: Int16Array, options: TranscribeOptions): Promise<VerboseJson> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(encodeWav([pcm], ASR_SAMPLE_RATE_HERTZ))], { type: 'audio/wav' }), 'audio.wav');
    form.append('model', this.options.model);
    form.append('response_format', 'verbose_json');
    form.append('timestamp_granularities[]', 'segment');
    const language = options.languageCode?.split('-')[0]?.toLowerCase();
    if (language) form.append('language', language);
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {},
        body: form,
        signal,
      });
    } catch (cause) {
      throw new ParleyError('UNAVAILABLE', `transcription service ${this.url} unreachable: ${(cause as Error).message}`, {}, { cause });
    }
    const body = await res.text();
    if (!res.ok) {
      // 4xx too is reported as UNAVAILABLE: the job retries, and a fixed key or model heals it.
      throw new ParleyError('UNAVAILABLE', `transcription service answered HTTP ${res.status}: ${body.slice(0, 300)}`);
    }
    try {
      return JSON.parse(body) as VerboseJson;
    } catch (cause) {
      throw new ParleyError('UNAVAILABLE', `transcription service answered with non-JSON: ${body.slice(0, 100)}`, {}, { cause });
    }
  }
}

/** Segments when the server gives them; a server without segments yields one utterance for the chunk. */
function toUtterances(result: VerboseJson, duration: number): Utterance[] {
  if (Array.isArray(result.segments) && result.segments.length > 0) {
    return result.segments
      .map((s) => ({ text: (s.text ?? '').trim(), start: Number(s.start ?? 0), end: Number(s.end ?? s.start ?? 0) }))
      .filter((u) => u.text.length > 0 && Number.isFinite(u.start) && Number.isFinite(u.end));
  }
  const text = (result.text ?? '').trim();
  return text ? [{ text, start: 0, end: result.duration ?? duration }] : [];
}
