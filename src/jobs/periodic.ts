import type { Core } from '../core/index.ts';
import { stores } from '../store/index.ts';
import type { QueueSpec } from './types.ts';

/** How often each process makes sure every periodic queue has its next run queued. */
export const PERIODIC_CHECK_MS = 60_000;

/** The unique key of a periodic queue's next run: at most one queued or running, across every process. */
export const PERIODIC_KEY = 'periodic';

/**
 * Queues the next run of every periodic queue (`everyMs`) that has none queued or running, due
 * `everyMs` from now: a job row, so the schedule survives restarts and any process may run it.
 * Every process calls this; the unique key keeps one run in the queue.
 */
export async function schedulePeriodicJobs(core: Core, queues: Record<string, QueueSpec>, now = Date.now()): Promise<void> {
  const due = Object.entries(queues).flatMap(([queue, spec]) => {
    const everyMs = spec.everyMs?.(core);
    return everyMs ? [{ queue, customerId: '', payload: {}, uniqueKey: PERIODIC_KEY, runAt: new Date(now + everyMs) }] : [];
  });
  await stores(core.db).jobs.enqueueJobs(due);
}
