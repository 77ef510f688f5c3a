import { stores } from '../store/index.ts';
import type { QueueSpec } from './types.ts';

export const RETENTION_QUEUE = 'retention';

const MINUTE_MS = 60_000;

/**
 * The retention purge (core/retention): each run removes at most PARLEY_RETENTION_BATCH
 * conversations past retention, every PARLEY_RETENTION_SWEEP_MINUTES; a run that stopped at its
 * limit queues the next one at once, so a backlog drains batch by batch. The runs are
 * cross-customer work (customerId ''); removing a conversation twice is a no-op, so a run retried
 * after a crash, or two runs at once, remove nothing twice.
 * `now` is injectable so tests move the clock instead of waiting.
 */
export function retentionQueueWith(options: { now?: () => Date } = {}): QueueSpec {
  const now = options.now ?? (() => new Date());
  return {
    async handler(job, ctx) {
      const outcome = await ctx.core.retention.purgeExpired({ now: now() });
      const removed = outcome.removed.reduce((n, r) => n + r.conversationIds.length, 0);
      if (removed > 0 || outcome.more) ctx.log.info({ job: job.id, removed, recordings: outcome.recordings, more: outcome.more }, 'retention purge');
      if (outcome.more) await stores(ctx.core.db).jobs.enqueueJobs([{ queue: RETENTION_QUEUE, customerId: '', payload: {} }]);
    },
    retry: { baseMs: 10_000, maxMs: 10 * MINUTE_MS, maxAttempts: 5 },
    everyMs: (core) => core.retention.options.sweepMs,
  };
}

export const retentionQueue = retentionQueueWith();
