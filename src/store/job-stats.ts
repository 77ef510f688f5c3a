import type { Queryable } from './driver.ts';

/** Unfinished jobs of one queue in one state, for the operator's metrics. */
export interface JobQueueStat {
  queue: string;
  state: 'queued' | 'running';
  jobs: number;
  /** How long the longest-waiting job that is due has waited (0 when none is due yet). */
  oldestDueSeconds: number;
}

/**
 * Every unfinished job counted by queue and state, in one grouped statement over the partial index
 * of runnable jobs (002_jobs.sql). Across customers on purpose: it answers the operator's `/metrics`,
 * never a tenant, and names no customer.
 */
export async function jobQueueStats(db: Queryable): Promise<JobQueueStat[]> {
  return db.query<JobQueueStat>(
    `SELECT queue, state, count(*)::int AS jobs,
            COALESCE(EXTRACT(EPOCH FROM now() - min(run_at) FILTER (WHERE run_at <= now())), 0)::float8 AS "oldestDueSeconds"
       FROM jobs
      WHERE state IN ('queued', 'running')
      GROUP BY queue, state`,
  );
}
