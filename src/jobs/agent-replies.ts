import { AGENT_REPLY_QUEUE } from '../core/interactions/replies.ts';
import { systemCaller } from '../core/tenancy/access.ts';
import { ParleyError } from '../kernel/errors.ts';
import type { JsonObject } from '../kernel/types.ts';
import type { QueueSpec } from './types.ts';

export { AGENT_REPLY_QUEUE };

function parse(payload: JsonObject): { conversationId: string; questionId: string } | null {
  const { conversationId, questionId } = payload;
  return typeof conversationId === 'string' && typeof questionId === 'string' ? { conversationId, questionId } : null;
}

/**
 * Answers a question the support desk asked for a later reply (core.replies.askLater enqueues it
 * with the question). Idempotent: the reply and the awaited reply's completion are one
 * transaction, and a run that finds the question settled does nothing. While another turn holds
 * the conversation, or the agent's provider fails, it is retried; when it gives up the question
 * is marked failed with the reason, which the poll reports.
 */
export const agentReplyQueue: QueueSpec = {
  async handler(job, ctx) {
    const payload = parse(job.payload);
    if (!payload) {
      ctx.log.error({ job: job.id, payload: job.payload }, 'agent-reply job with a malformed payload; dropped');
      return;
    }
    const outcome = await ctx.core.replies.answerAwaited(systemCaller(job.customerId), payload.conversationId, payload.questionId, ctx.signal);
    ctx.log.debug({ job: job.id, ...payload, outcome }, 'agent-reply job finished');
  },
  retry: { baseMs: 1000, maxMs: 60_000, maxAttempts: 6 },
  async onGiveUp(job, error, ctx) {
    const payload = parse(job.payload);
    if (!payload) return;
    const reason = error instanceof ParleyError ? error.message : 'the agent failed while answering';
    ctx.log.warn({ job: job.id, ...payload, err: error instanceof Error ? error.message : String(error) }, 'agent reply given up');
    await ctx.core.replies.failAwaited(job.customerId, payload.conversationId, payload.questionId, reason);
  },
};
