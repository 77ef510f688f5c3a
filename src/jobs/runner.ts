import type { Logger } from 'pino';
import type { Core } from '../core/index.ts';
import { stores } from '../store/index.ts';
import { DISPATCHER_CURSOR, dispatchEvents } from './dispatcher.ts';
import { PERIODIC_CHECK_MS, schedulePeriodicJobs } from './periodic.ts';
import { QUEUES } from './queues.ts';
import { REACTORS } from './reactors.ts';
import type { EventReactor, Job, JobContext, QueueSpec, RetryPolicy } from './types.ts';

export interface RunnerOptions {
  core: Core;
  log: Logger;
  queues?: Record<string, QueueSpec>;
  reactors?: readonly EventReactor[];
  /** Jobs run at once by this process. */
  concurrency?: number;
  /** How often the database is polled when idle. */
  pollMs?: number;
}

export interface JobRunner {
  /**
   * Runs until no event is left to dispatch and no job is due; jobs waiting for a later retry are
   * not awaited. Events that are committed but not yet safe to read (a transaction elsewhere on the
   * server is still open) are waited for up to `patienceMs` (default 30 s).
   */
  drain(patienceMs?: number): Promise<void>;
  /** Stops claiming, aborts running handlers' I/O and waits for them to settle. */
  stop(): Promise<void>;
}

const DEFAULT_LOCK_MS = 60_000;
const FINISHED_JOB_RETENTION = '7 days';
const PURGE_EVERY_MS = 10 * 60_000;
const DISPATCH_BATCH = 500;
const DISPATCH_EVERY_MS = 100;

/** Exponential backoff with full jitter in its upper half, so retries of many jobs spread out. */
export function retryDelay(policy: RetryPolicy, attempt: number): number {
  const exact = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  return Math.round(exact / 2 + Math.random() * (exact / 2));
}

function exhausted(policy: RetryPolicy, job: Job, nextRunInMs: number): boolean {
  const maxAttempts = policy.maxAttempts ?? (policy.giveUpAfterMs === undefined ? 10 : Infinity);
  if (job.attempt >= maxAttempts) return true;
  return policy.giveUpAfterMs !== undefined && Date.now() + nextRunInMs - job.createTime.getTime() > policy.giveUpAfterMs;
}

/**
 * The background worker of one process: dispatches committed events to the reactors and runs due
 * jobs, claimed with FOR UPDATE SKIP LOCKED so any number of processes can share the work.
 */
export function startJobRunner(options: RunnerOptions): JobRunner {
  const { core, log } = options;
  const queues = options.queues ?? QUEUES;
  const reactors = options.reactors ?? REACTORS;
  const concurrency = options.concurrency ?? 4;
  const pollMs = options.pollMs ?? 250;
  const queueNames = Object.keys(queues);
  const lockMs = Object.fromEntries(queueNames.map((q) => [q, queues[q].lockMs ?? DEFAULT_LOCK_MS]));
  const abort = new AbortController();
  const context: JobContext = { core, log, signal: abort.signal };
  const running = new Set<Promise<void>>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<boolean> | undefined;
  let lastPurge = 0;
  let lastPeriodicCheck = 0;
  let lastDispatch = 0;
  let dispatchBacklog = false;

  async function run(job: Job): Promise<void> {
    const spec = queues[job.queue];
    const db = core.db;
    try {
      await spec.handler(job, context);
      await stores(db).jobs.completeJob(job.id, job.attempt);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const delay = retryDelay(spec.retry, job.attempt);
      if (exhausted(spec.retry, job, delay)) {
        log.warn({ job: job.id, queue: job.queue, attempt: job.attempt, err: message }, 'job failed; giving up');
        if (await stores(db).jobs.failJob(job.id, job.attempt, message)) await spec.onGiveUp?.(job, error, context);
      } else {
        log.info({ job: job.id, queue: job.queue, attempt: job.attempt, retryInMs: delay, err: message }, 'job failed; will retry');
        await stores(db).jobs.retryJob(job.id, job.attempt, delay, message);
      }
    }
  }

  /**
   * One pass; true when it found work (so the caller should look again at once). The event log is
   * read at most every DISPATCH_EVERY_MS unless the last read was a full batch: under a stream of
   * writes, reading it after every commit cost the append benchmark two thirds of its throughput.
   */
  async function tick(): Promise<boolean> {
    let busy = false;
    if (dispatchBacklog || Date.now() - lastDispatch >= DISPATCH_EVERY_MS) {
      lastDispatch = Date.now();
      dispatchBacklog = (await dispatchEvents(core.db, reactors, DISPATCH_BATCH)) === DISPATCH_BATCH;
      if (dispatchBacklog) busy = true;
    }
    const free = concurrency - running.size;
    if (free > 0 && !stopped) {
      const claimed = await stores(core.db).jobs.claimJobs(queueNames, free, lockMs);
      for (const job of claimed) {
        busy = true;
        const promise = run(job)
          .catch((err) => log.error({ err, job: job.id }, 'job bookkeeping failed'))
          .finally(() => {
            running.delete(promise);
            schedule(0);
          });
        running.add(promise);
      }
    }
    if (Date.now() - lastPurge > PURGE_EVERY_MS) {
      lastPurge = Date.now();
      await stores(core.db).jobs.purgeFinishedJobs(FINISHED_JOB_RETENTION);
    }
    if (!stopped && Date.now() - lastPeriodicCheck > PERIODIC_CHECK_MS) {
      lastPeriodicCheck = Date.now();
      await schedulePeriodicJobs(core, queues);
    }
    return busy;
  }

  function tickOnce(): Promise<boolean> {
    ticking ??= tick().finally(() => {
      ticking = undefined;
    });
    return ticking;
  }

  function schedule(delay: number): void {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      tickOnce()
        .then((busy) => schedule(busy ? 0 : pollMs))
        .catch((err) => {
          log.error({ err }, 'job runner tick failed');
          schedule(pollMs);
        });
    }, delay);
  }

  schedule(0);

  return {
    async drain(patienceMs = 30_000) {
      const giveUpAt = Date.now() + patienceMs;
      // A tick already under way may have read before the caller's last commit: start a fresh one.
      await ticking?.catch(() => undefined);
      for (;;) {
        lastDispatch = 0;
        const busy = await tickOnce();
        if (running.size > 0) {
          await Promise.race(running);
          continue;
        }
        if (busy || (await stores(core.db).jobs.countRunnableJobs(queueNames)) > 0) continue;
        if (!(await stores(core.db).jobs.eventsPastCursor(DISPATCHER_CURSOR)) || Date.now() > giveUpAt) return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      abort.abort();
      await ticking?.catch(() => undefined);
      await Promise.allSettled([...running]);
    },
  };
}
