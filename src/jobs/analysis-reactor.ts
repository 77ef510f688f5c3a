import { enqueueAnalysis, hasAnalysis } from '../core/insights/insights.ts';
import type { EventReactor } from './types.ts';

/**
 * A conversation that ends (CONVERSATION_END, on any surface) gets analysed — except one the
 * ingest surface closed as `abandoned`. A conversation that already has insights is not analysed
 * again by a repeated end (regenerate does that on request), and a second end while the first
 * analysis still waits is the same job (its unique key).
 */
export const analysisReactor: EventReactor = async (s, batch) => {
  const ended = batch.events.some((e) => e.type === 'CONVERSATION_END' && e.payload.reason !== 'abandoned');
  if (!ended) return;
  if (await hasAnalysis(s, batch.customerId, batch.conversationId)) return;
  await enqueueAnalysis(s, batch.customerId, batch.conversationId, 'close');
};
