import type { ConversationEvent } from '../../kernel/types.ts';
import { isPostProcessingType, POST_PROCESSING_EVENT } from '../post-processing/post-processing.ts';
import { webhookEventId } from './webhook-events.ts';

/**
 * The webhook event types an endpoint of format `amigo` can subscribe to (Amigo's names). Parley
 * sends the one about conversations; Amigo's others (api-key-expiration-soon,
 * agent-framework-resource-updated) have nothing in Parley to report.
 */
export const AMIGO_WEBHOOK_EVENT_TYPES = ['conversation-post-processing-complete'] as const;
export type AmigoWebhookEventType = (typeof AMIGO_WEBHOOK_EVENT_TYPES)[number];

/** One Amigo webhook event: its id (the x-amigo-idempotent-key, the same on every retry), type and exact body. */
export interface AmigoWebhookEvent {
  id: string;
  type: AmigoWebhookEventType;
  body: string;
}

/**
 * The Amigo webhook events for the log events one transaction wrote to one conversation: one
 * `conversation-post-processing-complete` per POST_PROCESSING_COMPLETE. The body is the vendor's,
 * key order included; `org_id` is the organization, which is the Parley customer.
 */
export function amigoWebhookEventsFor(events: readonly ConversationEvent[]): AmigoWebhookEvent[] {
  const out: AmigoWebhookEvent[] = [];
  for (const event of events) {
    const kind = event.payload.type;
    if (event.type !== POST_PROCESSING_EVENT || typeof kind !== 'string' || !isPostProcessingType(kind)) continue;
    const type: AmigoWebhookEventType = 'conversation-post-processing-complete';
    out.push({
      // Keyed on this event, not the batch's first: one transaction may complete several kinds.
      id: webhookEventId(event, `${type}/${kind}`),
      type,
      body: JSON.stringify({ type, post_processing_type: kind, conversation_id: event.conversationId, org_id: event.customerId }),
    });
  }
  return out;
}
