/**
 * How a speech provider is chosen (PARLEY_ASR, PARLEY_TTS): `auto` takes the OpenAI-compatible
 * service when its base URL is set, else the local tool when it is installed, else none; `openai`
 * and `local` insist on that provider and fail at start-up when it cannot work; `off` uses none.
 */
export const PROVIDER_MODES = ['auto', 'openai', 'local', 'off'] as const;
export type ProviderMode = (typeof PROVIDER_MODES)[number];

export function chooseProvider<T>(
  setting: string, mode: ProviderMode,
  options: { baseUrl: string; remote: () => T; /** The local provider, or why it cannot work. */ local: () => T | string },
): T | null {
  switch (mode) {
    case 'off':
      return null;
    case 'openai':
      if (!options.baseUrl) throw new Error(`${setting}=openai needs ${setting}_BASE_URL`);
      return options.remote();
    case 'local': {
      const found = options.local();
      if (typeof found === 'string') throw new Error(`${setting}=local: ${found}`);
      return found;
    }
    default: {
      if (options.baseUrl) return options.remote();
      const found = options.local();
      return typeof found === 'string' ? null : found;
    }
  }
}
