import type { Driver } from '../../store/driver.ts';
import { stores } from '../../store/index.ts';
import type { Caller } from '../../kernel/types.ts';

export const RATE_LIMIT_WINDOW_MS = 60_000;

/**
 * The ingest surface's per-key request limit: fixed one-minute windows counted in the database,
 * so N server processes share one count per key.
 */
export class IngestRateLimit {
  constructor(private readonly db: Driver, readonly perMinute: number) {}

  /** Counts this request; `current` includes it. */
  async hit(caller: Caller): Promise<{ current: number; ttlMs: number }> {
    const { count, resetMs } = await stores(this.db).ingest.countRequest(caller.customerId, caller.keyId, RATE_LIMIT_WINDOW_MS);
    return { current: count, ttlMs: Math.max(0, resetMs) };
  }
}
