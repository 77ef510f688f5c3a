import { OpenAiTranscriber } from './openai-transcriber.ts';
import { PocketsphinxTranscriber, detectPocketsphinx } from './pocketsphinx-transcriber.ts';
import type { Transcriber } from './transcriber.ts';

export type { TranscribeOptions, Transcriber, Utterance } from './transcriber.ts';
export { ASR_SAMPLE_RATE_HERTZ } from './transcriber.ts';
export { OpenAiTranscriber } from './openai-transcriber.ts';
export { PocketsphinxTranscriber, detectPocketsphinx, parsePocketsphinxOutput } from './pocketsphinx-transcriber.ts';

export type AsrMode = 'auto' | 'openai' | 'local' | 'off';

export interface AsrConfig {
  asr: AsrMode;
  asrBaseUrl: string;
  asrApiKey: string;
  asrModel: string;
}

/**
 * PARLEY_ASR=auto (default): the OpenAI-compatible service when PARLEY_ASR_BASE_URL is set, else
 * the local recognizer when it is installed, else none (calls are recorded, transcription is
 * marked unavailable). `openai` and `local` insist on that provider and fail at start-up when it
 * cannot work; `off` transcribes nothing.
 */
export function transcriberFromConfig(config: AsrConfig): Transcriber | null {
  const openai = () => new OpenAiTranscriber({ baseUrl: config.asrBaseUrl, apiKey: config.asrApiKey, model: config.asrModel });
  switch (config.asr) {
    case 'off':
      return null;
    case 'openai':
      if (!config.asrBaseUrl) throw new Error('PARLEY_ASR=openai needs PARLEY_ASR_BASE_URL');
      return openai();
    case 'local': {
      const found = detectPocketsphinx();
      if (typeof found === 'string') throw new Error(`PARLEY_ASR=local: ${found}`);
      return new PocketsphinxTranscriber(found);
    }
    default: {
      if (config.asrBaseUrl) return openai();
      const found = detectPocketsphinx();
      return typeof found === 'string' ? null : new PocketsphinxTranscriber(found);
    }
  }
}
