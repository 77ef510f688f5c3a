import { setTimeout as delay } from 'node:timers/promises';

/**
 * Why a call to an outside provider (an LLM, a speech service) failed; `retryable` when nothing
 * was answered yet and trying again may help. Each provider names its own failures and class.
 */
export class ProviderError<Failure extends string = string> extends Error {
  readonly failure: Failure;
  readonly retryable: boolean;
  /** The endpoint's HTTP status, for `http`. */
  readonly status: number | undefined;

  constructor(failure: Failure, message: string, options: { cause?: unknown; retryable?: boolean; status?: number } = {}) {
    super(message, { cause: options.cause });
    this.failure = failure;
    this.retryable = options.retryable ?? false;
    this.status = options.status;
  }
}

/** First wait between attempts; it doubles with each further one. */
const RETRY_BASE_MS = 250;

/**
 * `send` again, after a doubling wait, while it fails with a retryable ProviderError (nothing was
 * answered yet), at most `retries` more times; the caller's abort ends the waiting at once.
 */
export async function retryBeforeAnswer<T>(send: () => Promise<T>, retries: number, signal: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      if (signal.aborted || !(err instanceof ProviderError) || !err.retryable || attempt >= retries) throw err;
      await delay(RETRY_BASE_MS * 2 ** attempt, undefined, { signal });
    }
  }
}
