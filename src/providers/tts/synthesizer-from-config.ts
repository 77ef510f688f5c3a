import { EspeakSynthesizer, detectEspeak, ESPEAK_DEFAULT_VOICE } from './espeak-synthesizer.ts';
import { OpenAiSynthesizer } from './openai-synthesizer.ts';
import type { Synthesizer } from './synthesizer.ts';

export type TtsMode = 'auto' | 'openai' | 'local' | 'off';

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
 * PARLEY_TTS=auto (default): the OpenAI-compatible service when PARLEY_TTS_BASE_URL is set, else
 * espeak-ng when it is installed, else none (the agent surface refuses voice replies, naming the
 * setting). `openai` and `local` insist on that provider and fail at start-up when it cannot
 * work; `off` speaks nothing.
 */
export function synthesizerFromConfig(config: TtsConfig): Synthesizer | null {
  const openai = () => new OpenAiSynthesizer({
    baseUrl: config.ttsBaseUrl, apiKey: config.ttsApiKey, model: config.ttsModel, voice: config.ttsVoice || OPENAI_DEFAULT_VOICE,
  });
  const local = () => detectEspeak(config.ttsVoice || ESPEAK_DEFAULT_VOICE);
  switch (config.tts) {
    case 'off':
      return null;
    case 'openai':
      if (!config.ttsBaseUrl) throw new Error('PARLEY_TTS=openai needs PARLEY_TTS_BASE_URL');
      return openai();
    case 'local': {
      const found = local();
      if (typeof found === 'string') throw new Error(`PARLEY_TTS=local: ${found}`);
      return new EspeakSynthesizer(found);
    }
    default: {
      if (config.ttsBaseUrl) return openai();
      const found = local();
      return typeof found === 'string' ? null : new EspeakSynthesizer(found);
    }
  }
}
