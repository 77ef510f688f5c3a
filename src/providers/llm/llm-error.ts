/** Why a call to the LLM endpoint failed; `retryable` when nothing was answered and trying again may help. */
export type LlmFailure = 'unreachable' | 'http' | 'timeout' | 'malformed' | 'interrupted';

export class LlmError extends Error {
  readonly failure: LlmFailure;
  readonly retryable: boolean;
  /** The endpoint's HTTP status, for `http`. */
  readonly status: number | undefined;

  constructor(failure: LlmFailure, message: string, options: { cause?: unknown; retryable?: boolean; status?: number } = {}) {
    super(message, { cause: options.cause });
    this.name = 'LlmError';
    this.failure = failure;
    this.retryable = options.retryable ?? false;
    this.status = options.status;
  }
}
