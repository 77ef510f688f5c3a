import type { Stores } from '../../store/index.ts';
import { ParleyError } from '../../kernel/errors.ts';
import type { Json } from '../../kernel/types.ts';

/**
 * How a surface names its idempotency key, which decides the wording of a conflict and of a replay
 * of a request still running. The wording is each vendor's and stays byte-identical on the wire.
 */
export interface IdempotencyWording {
  conflict(key: string): ParleyError;
  running: string;
}

/** The conversations surface's `requestId` body field. */
export const REQUEST_ID: IdempotencyWording = {
  conflict: (key) => new ParleyError('ALREADY_EXISTS', `requestId "${key}" was already used with a different request`),
  running: 'the first request with this requestId is still running; retry',
};

/** The ingest surface's key, named by where it came: `idempotencyKey` (body) or `Idempotency-Key` (header). */
export function ingestKeyWording(field: string): IdempotencyWording {
  return {
    conflict: () => new ParleyError('ALREADY_EXISTS', `${field} was already used with a different request body`, {
      fieldViolations: [{ field, description: 'already used with a different request body' }],
    }),
    running: 'the first request with this idempotency key is still running; retry',
  };
}

export interface IdempotencyKey {
  /** What the key is unique within beside the customer (e.g. `messages:<conversation>`). */
  scope: string;
  key: string;
  /** contentHash of the request without its key. */
  requestHash: string;
  wording: IdempotencyWording;
}

/**
 * Runs `first` under an idempotency key, inside the caller's transaction: claims the key, and
 * records what `first` answers (its `record`) for 24 h. A retry with the same key and body gets
 * `replay(record)`: the first result as it is now; another body is ALREADY_EXISTS; a retry while the
 * first request is still running (its claim uncommitted, then committed without a record) is ABORTED.
 */
export async function idempotent<T, R extends Json>(
  s: Stores,
  customerId: string,
  key: IdempotencyKey | undefined,
  first: () => Promise<{ result: T; record: R }>,
  replay: (record: R) => Promise<T>,
): Promise<T> {
  if (!key) return (await first()).result;
  const earlier = await s.idempotency.claimIdempotencyKey(customerId, key.scope, key.key, key.requestHash);
  if (earlier) {
    if (earlier.requestHash !== key.requestHash) throw key.wording.conflict(key.key);
    if (earlier.response === null) throw new ParleyError('ABORTED', key.wording.running);
    return replay(earlier.response as R);
  }
  const { result, record } = await first();
  await s.idempotency.saveIdempotentResponse(customerId, key.scope, key.key, record);
  return result;
}
