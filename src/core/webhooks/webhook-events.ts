import { createHash } from 'node:crypto';
import { conversationName, ingestId } from '../resource-names.ts';
import { DELETE_EVENT, isHandoff, OUTBOUND_EVENT } from '../conversations/lifecycle.ts';
import type { Conversation, ConversationEvent, Json, JsonObject } from '../../kernel/types.ts';

/** The webhook event types a customer can subscribe to (Converra's names). */
export const WEBHOOK_EVENT_TYPES = [
  'conversation.created', 'conversation.updated', 'conversation.deleted', 'insights.generated', 'conversation.outbound_message',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** One webhook event: what is sent to every subscribed endpoint, byte for byte the same. */
export interface WebhookEvent {
  /** `evt_<24 hex>`; also the `webhook-id` header, the same on every retry. */
  id: string;
  type: WebhookEventType;
  createdAt: string;
  data: JsonObject;
}

/**
 * The conversation field each log event changes, for `conversation.updated`'s `changedFields`.
 * CONVERSATION_UPDATE names its fields in its payload. Vendor annotation events a client records
 * (USED_SUGGESTION, …) change nothing and send nothing.
 */
const CHANGED_FIELD: Partial<Record<ConversationEvent['type'], string>> = {
  MESSAGE_CREATE: 'messages',
  MESSAGE_REDACT: 'messages',
  MESSAGE_DELETE: 'messages',
  CONVERSATION_END: 'state',
  CONVERSATION_HOLD: 'state',
  CONVERSATION_UNHOLD: 'state',
  CONVERSATION_METADATA: 'metadata',
  TAG_ADD: 'tags',
  TAG_REMOVE: 'tags',
  CONVERSATION_TRANSFER: 'transferInfo',
  FEEDBACK: 'feedback',
};

function changedFields(events: readonly ConversationEvent[]): string[] {
  const fields = new Set<string>();
  for (const event of events) {
    if (event.type === 'CONVERSATION_UPDATE') {
      const named = event.payload.fields;
      if (Array.isArray(named)) for (const f of named) if (typeof f === 'string') fields.add(f);
    } else if (isHandoff(event)) {
      fields.add('mode');
    } else {
      const field = CHANGED_FIELD[event.type];
      if (field) fields.add(field);
    }
  }
  return [...fields];
}

/**
 * A webhook event id that the same (conversation, log position, type) always gets, so a reactor
 * run twice makes the same event (and the unique index drops the copy). 32-bit seconds first,
 * like every Parley id, so ids sort by time.
 */
export function webhookEventId(batchStart: ConversationEvent, type: string): string {
  const seconds = Math.floor(batchStart.createTime.getTime() / 1000) >>> 0;
  const digest = createHash('sha256')
    .update(`${batchStart.customerId}\0${batchStart.conversationId}\0${batchStart.seq}\0${type}`)
    .digest('hex');
  return `evt_${seconds.toString(16).padStart(8, '0')}${digest.slice(0, 16)}`;
}

/**
 * The webhook events for the log events one transaction wrote to one conversation, in this order:
 * - CONVERSATION_START → `conversation.created` (whatever else the creating transaction did is
 *   part of the creation, so no `conversation.updated` joins it);
 * - any change → ONE `conversation.updated` whose `changedFields` is the union of the fields;
 * - ANALYSIS_COMPLETE → `insights.generated` with the insights from the event;
 * - CONVERSATION_DELETE → `conversation.deleted` alone, with ids only: the conversation is gone
 *   (`conversation` is then undefined) and so is everything else it held;
 * - MESSAGE_OUTBOUND → `conversation.outbound_message` [Parley]: a first message to deliver by
 *   e-mail, SMS or a call, with the channel, the address and the text (`texts`, by message id),
 *   for the endpoint that does the sending.
 */
export function webhookEventsFor(
  conversation: Conversation | undefined, events: readonly ConversationEvent[], texts: ReadonlyMap<string, string> = new Map(),
): WebhookEvent[] {
  if (events.length === 0) return [];
  const first = events[0];
  const createdAt = events[events.length - 1].createTime.toISOString();
  const deletion = events.find((e) => e.type === DELETE_EVENT);
  if (deletion) return [deletedEvent(deletion, first, createdAt)];
  if (!conversation) return [];
  const base: JsonObject = {
    conversationId: ingestId('conversation', conversation.id),
    name: conversationName(conversation),
    source: conversation.source,
  };
  const out: WebhookEvent[] = [];
  const make = (type: WebhookEventType, data: JsonObject) => out.push({ id: webhookEventId(first, type), type, createdAt, data: { ...base, ...data } });
  if (events.some((e) => e.type === 'CONVERSATION_START')) {
    make('conversation.created', {});
  } else {
    const fields = changedFields(events);
    if (fields.length > 0) make('conversation.updated', { changedFields: fields });
  }
  const outbound = events.find((e) => e.type === OUTBOUND_EVENT);
  if (outbound) {
    const { channel, to, subject, messageId } = outbound.payload;
    const text = typeof messageId === 'string' ? texts.get(messageId) : undefined;
    make('conversation.outbound_message', {
      channel: channel ?? null, to: to ?? null, ...(subject ? { subject } : {}), messageId: messageId ?? null, message: text ?? null,
    });
  }
  const analysis = [...events].reverse().find((e) => e.type === 'ANALYSIS_COMPLETE');
  if (analysis) make('insights.generated', { insights: insightsOf(conversation, analysis) });
  return out;
}

/** `conversation.deleted`: named from the CONVERSATION_DELETE's ids, as the conversation row is gone. */
function deletedEvent(deletion: ConversationEvent, first: ConversationEvent, createdAt: string): WebhookEvent {
  const { profileId, nameId } = deletion.payload;
  const data: JsonObject = { conversationId: ingestId('conversation', deletion.conversationId) };
  if (typeof profileId === 'string' && typeof nameId === 'string') {
    data.name = conversationName({ customerId: deletion.customerId, profileId, nameId });
  }
  return { id: webhookEventId(first, 'conversation.deleted'), type: 'conversation.deleted', createdAt, data };
}

const INSIGHT_FIELDS = ['sentiment', 'sentimentScore', 'taskCompleted', 'topics', 'summary', 'issues'] as const;

/**
 * The insights in the ingest surface's shape (Converra's Insights object), read from the
 * ANALYSIS_COMPLETE payload's `insights` (or the payload itself).
 */
function insightsOf(conversation: Conversation, event: ConversationEvent): JsonObject {
  const nested = event.payload.insights;
  const source: JsonObject = nested && typeof nested === 'object' && !Array.isArray(nested) ? nested : event.payload;
  const insights: JsonObject = { conversationId: ingestId('conversation', conversation.id) };
  for (const field of INSIGHT_FIELDS) if (source[field] !== undefined) insights[field] = source[field];
  const created: Json | undefined = source.createdAt ?? source.createTime;
  insights.createdAt = typeof created === 'string' ? created : event.createTime.toISOString();
  return insights;
}

/** The request body: key order fixed here, the bytes stored with the delivery and signed as they are. */
export function webhookBody(event: WebhookEvent): string {
  return JSON.stringify({ id: event.id, type: event.type, createdAt: event.createdAt, data: event.data });
}
