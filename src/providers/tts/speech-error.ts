import { ProviderError } from '../provider-error.ts';

/** Why a synthesizer failed. */
export type SpeechFailure = 'missing' | 'unreachable' | 'http' | 'timeout' | 'malformed' | 'interrupted';

export class SpeechError extends ProviderError<SpeechFailure> {
  constructor(...args: ConstructorParameters<typeof ProviderError<SpeechFailure>>) {
    super(...args);
    this.name = 'SpeechError';
  }
}
