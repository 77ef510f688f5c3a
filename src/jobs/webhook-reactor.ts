import { planDeliveries } from '../core/webhooks/webhooks.ts';
import type { EventReactor } from './types.ts';

export const WEBHOOK_QUEUE = 'webhook';

/**
 * Turns what one transaction did to a conversation, on any surface, into webhook deliveries and
 * their jobs, in the dispatcher's transaction. The ordering key keeps each endpoint's events of one
 * conversation in order: a delivery waits while an earlier one to the same endpoint is retrying.
 */
export const webhookReactor: EventReactor = async (s, batch, step) => {
  const endpoints = await step.once(`webhook-endpoints:${batch.customerId}`, () => s.webhooks.listEndpoints(batch.customerId, { enabledOnly: true }));
  if (endpoints.length === 0) return;
  const deliveries = await planDeliveries(s, batch, endpoints);
  await s.jobs.enqueueJobs(
    deliveries.map((d) => ({
      queue: WEBHOOK_QUEUE,
      customerId: batch.customerId,
      payload: { deliveryId: d.id },
      orderingKey: `webhook:${d.endpointId}:${d.conversationId}`,
    })),
  );
};
