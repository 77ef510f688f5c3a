import { ANALYSIS_QUEUE } from '../core/insights/insights.ts';
import type { QueueSpec } from './types.ts';

export { ANALYSIS_QUEUE };

const MINUTE_MS = 60_000;

/**
 * Runs the configured analyzer on one conversation and stores its insights with an
 * ANALYSIS_COMPLETE event (core.insights.analyze). A failing analyzer — an LLM endpoint that is
 * down or answers malformed JSON — is retried with backoff for a day, then given up with a warning.
 */
export const analysisQueue: QueueSpec = {
  async handler(job, ctx) {
    const conversationId = job.payload.conversationId;
    if (typeof conversationId !== 'string') throw new Error('analysis job without a conversationId');
    const outcome = await ctx.core.insights.analyze(job.customerId, conversationId, job.id, ctx.signal);
    ctx.log.debug({ job: job.id, conversationId, outcome }, 'analysis job finished');
  },
  retry: { baseMs: 10_000, maxMs: 10 * MINUTE_MS, giveUpAfterMs: 24 * 60 * MINUTE_MS },
  async onGiveUp(job, error, ctx) {
    ctx.log.warn({ job: job.id, conversationId: job.payload.conversationId, err: error instanceof Error ? error.message : String(error) }, 'analysis given up; the conversation has no new insights');
  },
  // Longer than PARLEY_LLM_TIMEOUT_MS's maximum (150 s): a slow model must not make a second worker analyse too.
  lockMs: 180_000,
};
