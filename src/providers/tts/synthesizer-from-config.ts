import { chooseProvider, type ProviderMode } from '../provider-choice.ts';
import { EspeakSynthesizer, detectEspeak, ESPEAK_DEFAULT_VOICE } from './espeak-synthesizer.ts';
import { OpenAiSynthesizer } from './openai-synthesizer.ts';
import type { Synthesizer } from './synthesizer.ts';

export type TtsMode = ProviderMode;

export interface TtsConfig {
  tts: TtsMode;
  ttsBaseUrl: string;
  ttsApiKey: string;
  ttsModel: string;
  /** '' : the provider's default (`alloy` for the OpenAI-compatible service, `en-us` for espeak-ng). */
  ttsVoice: string;
}

const OPENAI_DEFAULT_VOICE = 'alloy';

/**
 * The speech provider PARLEY_TTS chooses (provider-choice.ts): the OpenAI-compatible service, or
 * espeak-ng; with none, the agent surface refuses voice replies, naming the setting.
 */
export function synthesizerFromConfig(config: TtsConfig): Synthesizer | null {
  return chooseProvider<Synthesizer>('PARLEY_TTS', config.tts, {
    baseUrl: config.ttsBaseUrl,
    remote: () => new OpenAiSynthesizer({
      baseUrl: config.ttsBaseUrl, apiKey: config.ttsApiKey, model: config.ttsModel, voice: config.ttsVoice || OPENAI_DEFAULT_VOICE,
    }),
    local: () => {
      const found = detectEspeak(config.ttsVoice || ESPEAK_DEFAULT_VOICE);
      return typeof found === 'string' ? found : new EspeakSynthesizer(found);
    },
  });
}
