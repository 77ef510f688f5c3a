import { METRICS_QUEUE } from '../core/post-processing/post-processing.ts';
import type { QueueSpec } from './types.ts';

export { METRICS_QUEUE };

const MINUTE_MS = 60_000;

/**
 * Computes a finished agent conversation's metrics (core.postProcessing.computeMetrics): one
 * transaction of SQL counts, so a failure is the database's and a retry soon is enough.
 */
export const metricsQueue: QueueSpec = {
  async handler(job, ctx) {
    const conversationId = job.payload.conversationId;
    if (typeof conversationId !== 'string') {
      ctx.log.error({ job: job.id, payload: job.payload }, 'metrics job without a conversationId; dropped');
      return;
    }
    const outcome = await ctx.core.postProcessing.computeMetrics(job.customerId, conversationId, job.id);
    ctx.log.debug({ job: job.id, conversationId, outcome }, 'metrics job finished');
  },
  retry: { baseMs: 5_000, maxMs: 10 * MINUTE_MS, giveUpAfterMs: 24 * 60 * MINUTE_MS },
  async onGiveUp(job, error, ctx) {
    ctx.log.warn({ job: job.id, conversationId: job.payload.conversationId, err: error instanceof Error ? error.message : String(error) }, 'metrics given up; the conversation has no metrics');
  },
};
