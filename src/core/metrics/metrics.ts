import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Driver } from '../../store/driver.ts';
import { jobQueueStats, type JobQueueStat } from '../../store/job-stats.ts';

/**
 * A scrape reads the jobs table at most this often: Prometheus scrapes every 15–60 s, but several
 * scrapers (or a dashboard refreshing) must not turn into a query each.
 */
const JOB_STATS_TTL_MS = 2_000;

/** How a webhook delivery attempt ended (core/webhooks AttemptOutcome), or `gave_up` when its retries ran out. */
export type WebhookOutcome = 'delivered' | 'retry' | 'failed' | 'gave_up';

/**
 * The process's Prometheus metrics, in a registry of its own (one per core, so several apps in one
 * test process never share or collide), served by `/metrics` (api/kit/metrics.ts).
 */
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'parley_http_requests_total',
    help: 'HTTP requests answered, by surface, route template, method and status.',
    labelNames: ['surface', 'route', 'method', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'parley_http_request_duration_seconds',
    help: 'Time from a request\'s arrival to its response, by surface, route template, method and status.',
    labelNames: ['surface', 'route', 'method', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  /** Group commit at work (core/messages/append-batcher.ts): 1 on an idle server, more under load. */
  readonly appendGroupRequests = new Histogram({
    name: 'parley_append_group_requests',
    help: 'Append requests written by one grouped statement (group commit).',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [this.registry],
  });

  readonly webhookDeliveries = new Counter({
    name: 'parley_webhook_delivery_attempts_total',
    help: 'Webhook delivery attempts by outcome: delivered, retry (failed, tried again later), failed (for good), gave_up (retries exhausted).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly openStreamsGauge = new Gauge({
    name: 'parley_open_streams',
    help: 'Live event streams (SSE or NDJSON) this process is serving.',
    registers: [this.registry],
  });

  private readonly liveCallsGauge = new Gauge({
    name: 'parley_live_calls',
    help: 'Voice call streams (StreamCallSession, StreamCallSessionAudio) open on this process.',
    registers: [this.registry],
  });

  private jobStats: { at: number; rows: Promise<JobQueueStat[]> } | undefined;

  constructor(private readonly db: Driver) {
    collectDefaultMetrics({ register: this.registry });
    this.poolGauge();
    this.jobGauges();
  }

  /** Counts one open event stream; call the returned function once when it ends (more calls do nothing). */
  streamOpened(): () => void {
    return this.opened(this.openStreamsGauge);
  }

  /** Counts one open voice call stream; call the returned function once when it ends. */
  callOpened(): () => void {
    return this.opened(this.liveCallsGauge);
  }

  /** The text a Prometheus scrape receives, and its content type. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private opened(gauge: Gauge): () => void {
    gauge.inc();
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      gauge.dec();
    };
  }

  private poolGauge(): void {
    const db = this.db;
    new Gauge({
      name: 'parley_db_pool_connections',
      help: 'Database connections of this process by state: total, idle, and waiting (requests queued for a connection). PGlite: one connection, total only.',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const stats = db.poolStats?.();
        if (!stats) {
          this.set({ state: 'total' }, 1);
          return;
        }
        this.set({ state: 'total' }, stats.total);
        this.set({ state: 'idle' }, stats.idle);
        this.set({ state: 'waiting' }, stats.waiting);
      },
    });
  }

  private jobGauges(): void {
    const stats = () => this.currentJobStats();
    // A kind drained to zero keeps a series at 0 instead of vanishing, so rate() and alerts see it.
    const seen = new Set<string>();
    const fill = (gauge: Gauge<'kind' | 'state'>, rows: JobQueueStat[], value: (row: JobQueueStat) => number, states: readonly string[]) => {
      gauge.reset();
      for (const row of rows) seen.add(row.queue);
      for (const kind of seen) for (const state of states) gauge.set({ kind, state }, 0);
      for (const row of rows) if (states.includes(row.state)) gauge.set({ kind: row.queue, state: row.state }, value(row));
    };
    new Gauge({
      name: 'parley_jobs',
      help: 'Unfinished background jobs by kind (queue) and state (queued, running), from the jobs table (shared by every process).',
      labelNames: ['kind', 'state'] as const,
      registers: [this.registry],
      async collect() {
        fill(this, await stats(), (row) => row.jobs, ['queued', 'running']);
      },
    });
    new Gauge({
      name: 'parley_jobs_oldest_due_seconds',
      help: 'How long the longest-waiting queued job that is due has waited, by kind (0: none is waiting).',
      labelNames: ['kind', 'state'] as const,
      registers: [this.registry],
      async collect() {
        fill(this, await stats(), (row) => row.oldestDueSeconds, ['queued']);
      },
    });
  }

  /** One query for both job gauges and for every scrape within JOB_STATS_TTL_MS; an unreachable database shows no job series. */
  private currentJobStats(): Promise<JobQueueStat[]> {
    const now = Date.now();
    if (!this.jobStats || now - this.jobStats.at > JOB_STATS_TTL_MS) {
      this.jobStats = { at: now, rows: jobQueueStats(this.db).catch(() => []) };
    }
    return this.jobStats.rows;
  }
}
