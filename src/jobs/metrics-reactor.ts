import { enqueueMetricsIfAgentConversation } from '../core/post-processing/post-processing.ts';
import type { EventReactor } from './types.ts';

/**
 * A conversation with an agent that ends (Amigo's finish, or a close on any surface) gets its
 * metrics computed once; a conversation without an agent has no agent runtime to measure.
 */
export const metricsReactor: EventReactor = async (s, batch) => {
  if (!batch.events.some((e) => e.type === 'CONVERSATION_END')) return;
  await enqueueMetricsIfAgentConversation(s, batch.customerId, batch.conversationId);
};
