/** Why a synthesizer failed; `retryable` when nothing was spoken and trying again may help. */
export type SpeechFailure = 'missing' | 'unreachable' | 'http' | 'timeout' | 'malformed' | 'interrupted';

export class SpeechError extends Error {
  readonly failure: SpeechFailure;
  readonly retryable: boolean;
  /** The endpoint's HTTP status, for `http`. */
  readonly status: number | undefined;

  constructor(failure: SpeechFailure, message: string, options: { cause?: unknown; retryable?: boolean; status?: number } = {}) {
    super(message, { cause: options.cause });
    this.name = 'SpeechError';
    this.failure = failure;
    this.retryable = options.retryable ?? false;
    this.status = options.status;
  }
}
