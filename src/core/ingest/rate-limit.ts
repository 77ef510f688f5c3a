import type { Driver } from '../../store/driver.ts';
import { stores } from '../../store/index.ts';
import type { Caller } from '../../kernel/types.ts';

export const RATE_LIMIT_WINDOW_MS = 60_000;

interface Hit {
  resolve: (outcome: { current: number; ttlMs: number }) => void;
  reject: (err: unknown) => void;
}

/**
 * The ingest surface's per-key request limit: fixed one-minute windows counted in the database,
 * so N server processes share one count per key.
 *
 * The count is one row per key, and every upsert of it holds that row's lock until its commit, so
 * counting each request on its own serialised all of a key's requests on one row (bench/RESULTS.md,
 * ingest: 0.00 sessions waiting on locks, but one commit per request on one row). Hits of a key
 * are therefore counted in groups, like appends: while one upsert of a key is running, its further
 * hits wait and then go as ONE upsert adding their number. Each request still waits for the count
 * that includes it, so the limit stays exact across processes (no in-memory drift to reconcile);
 * the price is that a request may wait for one upsert ahead of its own.
 */
export class IngestRateLimit {
  private readonly pending = new Map<string, Hit[]>();
  private readonly running = new Set<string>();

  constructor(private readonly db: Driver, readonly perMinute: number) {}

  /** Counts this request; `current` includes it. */
  hit(caller: Caller): Promise<{ current: number; ttlMs: number }> {
    const key = JSON.stringify([caller.customerId, caller.keyId]);
    return new Promise((resolve, reject) => {
      const waiting = this.pending.get(key);
      if (waiting) waiting.push({ resolve, reject });
      else this.pending.set(key, [{ resolve, reject }]);
      if (!this.running.has(key)) void this.flush(key, caller.customerId, caller.keyId);
    });
  }

  private async flush(key: string, customerId: string, keyId: string): Promise<void> {
    const hits = this.pending.get(key);
    if (!hits) return;
    this.pending.delete(key);
    this.running.add(key);
    try {
      const { count, resetMs } = await stores(this.db).ingest.countRequest(customerId, keyId, RATE_LIMIT_WINDOW_MS, hits.length);
      // The group's hits take the last places of the count, in arrival order.
      hits.forEach((h, i) => h.resolve({ current: count - hits.length + 1 + i, ttlMs: Math.max(0, resetMs) }));
    } catch (err) {
      for (const h of hits) h.reject(err);
    } finally {
      this.running.delete(key);
      if (this.pending.has(key)) void this.flush(key, customerId, keyId);
    }
  }
}
