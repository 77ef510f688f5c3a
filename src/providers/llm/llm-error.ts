import { ProviderError } from '../provider-error.ts';

/** Why a call to the LLM endpoint failed. */
export type LlmFailure = 'unreachable' | 'http' | 'timeout' | 'malformed' | 'interrupted';

export class LlmError extends ProviderError<LlmFailure> {
  constructor(...args: ConstructorParameters<typeof ProviderError<LlmFailure>>) {
    super(...args);
    this.name = 'LlmError';
  }
}
