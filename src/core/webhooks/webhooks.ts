import { OUTBOUND_EVENT } from '../conversations/lifecycle.ts';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Driver } from '../../store/driver.ts';
import { stores, type Stores } from '../../store/index.ts';
import type { DeliveryToSend, EndpointChanges, NewDelivery, WebhookDelivery, WebhookEndpoint, WebhookFormat } from '../../store/webhooks.ts';
import { invalidArgument, notFound, ParleyError } from '../../kernel/errors.ts';
import { isId, newId } from '../../kernel/ids.ts';
import { checkOffsetPage, LIMITS } from '../../kernel/limits.ts';
import type { Caller, ConversationEvent } from '../../kernel/types.ts';
import { WEBHOOK_EVENT_TYPES, webhookBody, webhookEventsFor } from './webhook-events.ts';
import { AMIGO_WEBHOOK_EVENT_TYPES, amigoWebhookEventsFor } from './amigo-webhook-events.ts';
import { checkWebhookUrl } from './webhook-url.ts';

export type { WebhookAttempt, WebhookDelivery, WebhookEndpoint } from '../../store/webhooks.ts';
export { WEBHOOK_EVENT_TYPES, type WebhookEventType } from './webhook-events.ts';
export { AMIGO_WEBHOOK_EVENT_TYPES } from './amigo-webhook-events.ts';

/**
 * How an endpoint's deliveries are shaped and signed [Parley]: `standard` (the default) gets
 * Converra's events signed the Standard Webhooks way; `amigo` gets Amigo's events signed the Amigo
 * way (x-amigo-request-signature). An endpoint gets only its format's events: each format's
 * receiver knows one body shape and one signature.
 */
export const WEBHOOK_FORMATS = ['standard', 'amigo'] as const satisfies readonly WebhookFormat[];
export type { WebhookFormat };

/** The event types each format's endpoints can subscribe to. */
const EVENT_TYPES_OF_FORMAT: Record<WebhookFormat, readonly string[]> = {
  standard: WEBHOOK_EVENT_TYPES,
  amigo: AMIGO_WEBHOOK_EVENT_TYPES,
};

/** Parley's webhook limits (the vendor documents none). */
export const WEBHOOK_LIMITS = {
  /** Endpoints one customer may register: every event is sent once per endpoint. */
  endpointsPerCustomer: 50,
} as const;

/** An endpoint whose every attempt has failed this long is disabled (Standard Webhooks practice). */
export const DISABLE_AFTER_FAILING = '24 hours';

export interface WebhookOptions {
  /** WEBHOOK_ALLOW_PRIVATE_NETWORKS: let endpoints point at loopback and private addresses. */
  allowPrivateNetworks?: boolean;
  /** WEBHOOK_TIMEOUT_MS: how long one delivery attempt may take. */
  timeoutMs?: number;
}

export interface EndpointInput {
  url: string;
  events?: readonly string[];
  /** Default `standard`. */
  format?: string;
  description?: string;
}

export interface EndpointUpdate {
  enabled?: boolean;
  url?: string;
  events?: readonly string[];
  /** A new format needs `events` of that format too, unless the endpoint subscribes to every event. */
  format?: string;
  description?: string;
}

/** The outcome of one attempt, as the delivery job saw it. */
export interface AttemptResult {
  time: Date;
  statusCode: number | null;
  error: string;
  durationMs: number;
}

/** What the job does next: nothing (delivered, or given up for good), or retry later. */
export type AttemptOutcome = 'delivered' | 'retry' | 'failed';

/** Standard Webhooks secret: `whsec_` and the base64 of 24 random bytes (the HMAC key). */
function newSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

function checkFormat(format: string | undefined): WebhookFormat {
  if (format === undefined) return 'standard';
  if (!(WEBHOOK_FORMATS as readonly string[]).includes(format)) throw invalidArgument('format', `must be one of ${WEBHOOK_FORMATS.join(', ')}`);
  return format as WebhookFormat;
}

function checkEvents(events: readonly string[] | undefined, format: WebhookFormat): string[] {
  if (!events) return [];
  if (events.length > 16) throw invalidArgument('events', 'at most 16 entries');
  const allowed = EVENT_TYPES_OF_FORMAT[format];
  events.forEach((event, i) => {
    if (!allowed.includes(event)) throw invalidArgument(`events[${i}]`, `must be one of ${allowed.join(', ')} (format ${format})`);
  });
  return [...new Set(events)];
}

function checkDescription(description: string | undefined): string {
  if (description !== undefined && description.length > LIMITS.shortString) {
    throw invalidArgument('description', `at most ${LIMITS.shortString} characters`);
  }
  return description ?? '';
}

/** Webhook endpoints are the whole customer's: a key narrowed to a profile or agent would see others' events. */
function requireWholeCustomer(caller: Caller): void {
  if (caller.profileId !== null || caller.agentId !== null) {
    throw new ParleyError('PERMISSION_DENIED', 'webhook endpoints receive every profile\'s events; use a key that is not narrowed to a profile or agent');
  }
}

function checkEndpointId(id: string): void {
  if (!isId(id)) throw notFound('webhook endpoint');
}

export function subscribes(endpoint: Pick<WebhookEndpoint, 'events'>, type: string): boolean {
  return endpoint.events.length === 0 || endpoint.events.includes(type);
}

/**
 * Plans the webhook deliveries for what one transaction did to one conversation: one delivery per
 * (webhook event, enabled subscribed endpoint), each with the exact body to send. Runs inside the
 * event dispatcher's transaction; returns the deliveries it inserted, in event order, for the
 * caller to enqueue. Already-planned events (a repeated dispatch) insert nothing.
 */
export async function planDeliveries(
  s: Stores,
  batch: { customerId: string; conversationId: string; events: ConversationEvent[] },
  endpoints: readonly WebhookEndpoint[],
): Promise<NewDelivery[]> {
  if (endpoints.length === 0) return [];
  const events: { format: WebhookFormat; id: string; type: string; body: string }[] = [];
  if (endpoints.some((e) => e.format === 'standard')) {
    // Undefined once deleted: only a deletion is then still told (its event outlives the row).
    const conversation = await s.conversations.getConversation({ customerId: batch.customerId, id: batch.conversationId });
    for (const event of webhookEventsFor(conversation, batch.events, await outboundTexts(s, batch))) events.push({ format: 'standard', id: event.id, type: event.type, body: webhookBody(event) });
  }
  for (const event of amigoWebhookEventsFor(batch.events)) events.push({ format: 'amigo', ...event });
  const deliveries: NewDelivery[] = [];
  for (const event of events) {
    for (const endpoint of endpoints) {
      if (endpoint.format !== event.format || !subscribes(endpoint, event.type)) continue;
      deliveries.push({
        id: newId(), endpointId: endpoint.id, eventId: event.id, eventType: event.type, conversationId: batch.conversationId, body: event.body, format: event.format,
      });
    }
  }
  return s.webhooks.insertDeliveries(batch.customerId, deliveries);
}

/** The texts of the outbound messages a batch hands on (MESSAGE_OUTBOUND), by message id. */
async function outboundTexts(s: Stores, batch: { customerId: string; conversationId: string; events: ConversationEvent[] }): Promise<Map<string, string>> {
  const ids = batch.events.filter((e) => e.type === OUTBOUND_EVENT && typeof e.payload.messageId === 'string').map((e) => e.payload.messageId as string);
  if (ids.length === 0) return new Map();
  return new Map((await s.messages.getMessages(batch.customerId, batch.conversationId, ids)).map((m) => [m.id, m.text]));
}

/** How long past its timeout a claimed attempt counts as in flight (recording it takes a moment). */
const ATTEMPT_MARGIN_MS = 5_000;
/** How often a removal looks whether the attempts it waits for are over. */
const REMOVAL_POLL_MS = 20;

export class WebhookService {
  readonly allowPrivateNetworks: boolean;
  readonly timeoutMs: number;

  constructor(
    private readonly db: Driver,
    options: WebhookOptions = {},
  ) {
    this.allowPrivateNetworks = options.allowPrivateNetworks ?? false;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Registers an endpoint; the secret is returned here only. Empty or omitted `events` = every event. */
  async create(caller: Caller, input: EndpointInput): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    requireWholeCustomer(caller);
    const format = checkFormat(input.format);
    const events = checkEvents(input.events, format);
    const description = checkDescription(input.description);
    const url = await checkWebhookUrl(input.url ?? '', { allowPrivateNetworks: this.allowPrivateNetworks });
    const secret = newSecret();
    return this.db.transaction(async (tx) => {
      const s = stores(tx);
      if (!(await s.webhooks.lockCustomerEndpoints(caller.customerId))) throw notFound('customer');
      if ((await s.webhooks.countEndpoints(caller.customerId)) >= WEBHOOK_LIMITS.endpointsPerCustomer) {
        throw new ParleyError('RESOURCE_EXHAUSTED', `at most ${WEBHOOK_LIMITS.endpointsPerCustomer} webhook endpoints per customer`, {
          limit: { name: 'webhookEndpoints', max: WEBHOOK_LIMITS.endpointsPerCustomer },
        });
      }
      const endpoint = await s.webhooks.insertEndpoint(caller.customerId, { id: newId(), url, events, format, description, secret });
      return { endpoint, secret };
    });
  }

  async list(caller: Caller): Promise<WebhookEndpoint[]> {
    requireWholeCustomer(caller);
    return stores(this.db).webhooks.listEndpoints(caller.customerId);
  }

  async get(caller: Caller, id: string): Promise<WebhookEndpoint> {
    requireWholeCustomer(caller);
    checkEndpointId(id);
    const endpoint = await stores(this.db).webhooks.getEndpoint(caller.customerId, id);
    if (!endpoint) throw notFound('webhook endpoint');
    return endpoint;
  }

  /** Re-enabling (`enabled: true`) also forgets the failure streak, so the endpoint gets a full 24 h again. */
  async update(caller: Caller, id: string, input: EndpointUpdate): Promise<WebhookEndpoint> {
    requireWholeCustomer(caller);
    checkEndpointId(id);
    const changes: EndpointChanges = {};
    const newFormat = input.format === undefined ? undefined : checkFormat(input.format);
    if (input.description !== undefined) changes.description = checkDescription(input.description);
    if (input.url !== undefined) {
      changes.url = await checkWebhookUrl(input.url, { allowPrivateNetworks: this.allowPrivateNetworks });
      changes.failingSince = null; // the old URL's failures say nothing about the new one
    }
    return this.db.transaction(async (tx) => {
      const s = stores(tx);
      const current = await s.webhooks.getEndpoint(caller.customerId, id, { forUpdate: true });
      if (!current) throw notFound('webhook endpoint');
      const format = newFormat ?? current.format;
      if (format !== current.format) changes.format = format;
      if (input.events !== undefined) changes.events = checkEvents(input.events, format);
      else if (changes.format && current.events.length > 0) {
        throw invalidArgument('events', `the endpoint subscribes to ${current.events.join(', ')}: give the events of format ${format} with the new format`);
      }
      if (input.enabled === true && !current.enabled) Object.assign(changes, { enabled: true, disabledReason: '', failingSince: null });
      if (input.enabled === false && current.enabled) Object.assign(changes, { enabled: false, disabledReason: 'disabled by a caller' });
      if (Object.keys(changes).length === 0) return current;
      return (await s.webhooks.updateEndpoint(caller.customerId, id, changes))!;
    });
  }

  /** Removes the endpoint with its delivery history; its pending deliveries are dropped. */
  async remove(caller: Caller, id: string): Promise<void> {
    requireWholeCustomer(caller);
    checkEndpointId(id);
    const marked = await this.db.transaction((tx) => stores(tx).webhooks.markEndpointRemoved(caller.customerId, id));
    if (!marked) throw notFound('webhook endpoint');
    // Once this returns nothing more is sent to the endpoint: an attempt claimed before the mark
    // may still be sending, so wait for it (at most one attempt's timeout, also if its process died).
    while (await stores(this.db).webhooks.attemptsInFlight(caller.customerId, id)) await delay(REMOVAL_POLL_MS);
    await this.db.transaction((tx) => stores(tx).webhooks.deleteEndpoint(caller.customerId, id));
  }

  /** An endpoint's deliveries, newest first, with every attempt. */
  async listDeliveries(caller: Caller, id: string, page: { limit: number; offset: number }): Promise<{ deliveries: WebhookDelivery[]; total: number }> {
    requireWholeCustomer(caller);
    checkEndpointId(id);
    checkOffsetPage(page);
    const s = stores(this.db);
    if (!(await s.webhooks.getEndpoint(caller.customerId, id))) throw notFound('webhook endpoint');
    const [deliveries, total] = await Promise.all([s.webhooks.listDeliveries(caller.customerId, id, page), s.webhooks.countDeliveries(caller.customerId, id)]);
    return { deliveries, total };
  }

  /* ---- The delivery lifecycle, driven by the `webhook` job. ---- */

  /**
   * The delivery to send now, or undefined when there is nothing to send: the endpoint was removed
   * (its deliveries went with it), the delivery is already delivered or failed, or the endpoint is
   * disabled (its pending deliveries are then marked failed).
   */
  async deliveryToSend(customerId: string, deliveryId: string): Promise<DeliveryToSend | undefined> {
    const delivery = await this.db.transaction((tx) =>
      stores(tx).webhooks.claimDeliveryToSend(customerId, deliveryId, this.timeoutMs + ATTEMPT_MARGIN_MS));
    if (!delivery || delivery.status !== 'pending') return undefined;
    if (!delivery.endpointEnabled) {
      await this.db.transaction((tx) => stores(tx).webhooks.setDeliveryStatus(customerId, deliveryId, 'failed'));
      return undefined;
    }
    return delivery;
  }

  /**
   * Records one attempt and its consequences in one transaction: a 2xx delivers and ends the
   * endpoint's failure streak; a failure starts or continues it, and once it has lasted
   * DISABLE_AFTER_FAILING the endpoint is disabled and its pending deliveries fail.
   */
  async recordAttempt(customerId: string, deliveryId: string, result: AttemptResult): Promise<AttemptOutcome> {
    const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    return this.db.transaction(async (tx) => {
      const s = stores(tx);
      const delivery = await s.webhooks.lockDelivery(customerId, deliveryId);
      if (!delivery) return 'failed'; // the endpoint was removed meanwhile
      await s.webhooks.insertAttempt(customerId, deliveryId, result);
      await s.webhooks.endAttempt(customerId, deliveryId);
      if (ok) {
        await s.webhooks.setDeliveryStatus(customerId, deliveryId, 'delivered');
        await s.webhooks.markEndpointSucceeding(customerId, delivery.endpointId);
        return 'delivered';
      }
      if (delivery.status !== 'pending') return 'failed';
      const failing = await s.webhooks.markEndpointFailing(customerId, delivery.endpointId, DISABLE_AFTER_FAILING);
      if (failing?.expired) {
        await s.webhooks.updateEndpoint(customerId, delivery.endpointId, {
          enabled: false,
          disabledReason: `every delivery attempt failed for ${DISABLE_AFTER_FAILING} (failing since ${failing.failingSince.toISOString()})`,
        });
        await s.webhooks.failPendingDeliveries(customerId, delivery.endpointId);
        return 'failed';
      }
      return 'retry';
    });
  }

  /** The job ran out of retries: the delivery is failed for good. */
  async giveUp(customerId: string, deliveryId: string): Promise<void> {
    await this.db.transaction((tx) => stores(tx).webhooks.setDeliveryStatus(customerId, deliveryId, 'failed'));
  }
}
