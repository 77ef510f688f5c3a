import { chooseProvider, type ProviderMode } from '../provider-choice.ts';
import { OpenAiTranscriber } from './openai-transcriber.ts';
import { PocketsphinxTranscriber, detectPocketsphinx } from './pocketsphinx-transcriber.ts';
import type { Transcriber } from './transcriber.ts';

export type { TranscribeOptions, Transcriber, Utterance } from './transcriber.ts';
export { ASR_SAMPLE_RATE_HERTZ } from './transcriber.ts';
export { OpenAiTranscriber } from './openai-transcriber.ts';
export { PocketsphinxTranscriber, detectPocketsphinx, parsePocketsphinxOutput } from './pocketsphinx-transcriber.ts';

export type AsrMode = ProviderMode;

export interface AsrConfig {
  asr: AsrMode;
  asrBaseUrl: string;
  asrApiKey: string;
  asrModel: string;
}

/**
 * The recognizer PARLEY_ASR chooses (provider-choice.ts): the OpenAI-compatible service, or the
 * local pocketsphinx; with none, calls are recorded and their transcription marked unavailable.
 */
export function transcriberFromConfig(config: AsrConfig): Transcriber | null {
  return chooseProvider<Transcriber>('PARLEY_ASR', config.asr, {
    baseUrl: config.asrBaseUrl,
    remote: () => new OpenAiTranscriber({ baseUrl: config.asrBaseUrl, apiKey: config.asrApiKey, model: config.asrModel }),
    local: () => {
      const found = detectPocketsphinx();
      return typeof found === 'string' ? found : new PocketsphinxTranscriber(found);
    },
  });
}
