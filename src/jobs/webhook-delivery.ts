import { Agent, request } from 'undici';
import type { AttemptResult, WebhookService } from '../core/webhooks/webhooks.ts';
import { forbiddenLiteralHost, guardedLookup } from '../core/webhooks/webhook-url.ts';
import type { DeliveryToSend } from '../store/webhooks.ts';
import type { QueueSpec } from './types.ts';
import { webhookHeaders } from './webhook-signature.ts';
import { amigoWebhookHeaders } from './amigo-webhook-signature.ts';

const HOUR_MS = 3_600_000;
/** Longest error text kept with an attempt. */
const ERROR_TEXT_MAX = 500;

const agents = new Map<boolean, Agent>();

/**
 * One connection pool per policy. Without WEBHOOK_ALLOW_PRIVATE_NETWORKS every connection resolves
 * its host through `guardedLookup`, so the address actually connected to is checked at delivery,
 * not only the one seen at registration (DNS rebinding). Redirects are not followed: a 3xx is a
 * failed attempt, so a public URL cannot bounce a delivery to a private one.
 */
function agentFor(allowPrivateNetworks: boolean): Agent {
  let agent = agents.get(allowPrivateNetworks);
  if (!agent) {
    agent = new Agent({ keepAliveTimeout: 4_000, connect: allowPrivateNetworks ? {} : { lookup: guardedLookup } });
    agents.set(allowPrivateNetworks, agent);
  }
  return agent;
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  const cause = err.cause instanceof Error && err.cause.message !== err.message ? `: ${err.cause.message}` : '';
  const text = `${typeof code === 'string' ? `${code} ` : ''}${err.message}${cause}`;
  return text.length > ERROR_TEXT_MAX ? `${text.slice(0, ERROR_TEXT_MAX - 1)}…` : text;
}

/** Sends one delivery once and reports what happened; never throws. */
export async function attemptDelivery(delivery: DeliveryToSend, webhooks: WebhookService, signal: AbortSignal): Promise<AttemptResult> {
  const time = new Date();
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  if (!webhooks.allowPrivateNetworks) {
    const reason = forbiddenLiteralHost(delivery.url);
    if (reason) return { time, statusCode: null, error: `refused to connect: ${reason}`, durationMs: 0 };
  }
  try {
    const response = await request(delivery.url, {
      method: 'POST',
      headers: (delivery.format === 'amigo' ? amigoWebhookHeaders : webhookHeaders)(delivery.secret, delivery.eventId, delivery.body, time),
      body: delivery.body,
      dispatcher: agentFor(webhooks.allowPrivateNetworks),
      signal: AbortSignal.any([signal, AbortSignal.timeout(webhooks.timeoutMs)]),
      headersTimeout: webhooks.timeoutMs,
      bodyTimeout: webhooks.timeoutMs,
    });
    // The receiver's answer is not kept; reading it frees the connection for the next delivery.
    await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
    const ok = response.statusCode >= 200 && response.statusCode < 300;
    return { time, statusCode: response.statusCode, error: ok ? '' : `HTTP ${response.statusCode}`, durationMs: elapsed() };
  } catch (err) {
    return { time, statusCode: null, error: describe(err), durationMs: elapsed() };
  }
}

function deliveryIdOf(payload: Record<string, unknown>): string {
  const id = payload.deliveryId;
  if (typeof id !== 'string') throw new Error('webhook job without a deliveryId');
  return id;
}

/**
 * The `webhook` queue: one job per delivery. A failed attempt throws so the runner retries with
 * exponential backoff (5 s doubling, at most 1 h apart) for 24 h; then the delivery is failed.
 */
export const webhookQueue: QueueSpec = {
  retry: { baseMs: 5_000, maxMs: HOUR_MS, giveUpAfterMs: 24 * HOUR_MS },
  // Longer than the longest attempt (WEBHOOK_TIMEOUT_MS ≤ 25 s), so a live attempt is never taken
  // over; a process killed mid-attempt frees its delivery after this.
  lockMs: 30_000,
  async handler(job, ctx) {
    const deliveryId = deliveryIdOf(job.payload);
    const webhooks = ctx.core.webhooks;
    const delivery = await webhooks.deliveryToSend(job.customerId, deliveryId);
    if (!delivery) return;
    const result = await attemptDelivery(delivery, webhooks, ctx.signal);
    const outcome = await webhooks.recordAttempt(job.customerId, deliveryId, result);
    ctx.core.metrics.webhookDeliveries.inc({ outcome });
    if (outcome === 'retry') throw new Error(`webhook delivery ${deliveryId} to endpoint ${delivery.endpointId} failed: ${result.error}`);
  },
  async onGiveUp(job, _error, ctx) {
    await ctx.core.webhooks.giveUp(job.customerId, deliveryIdOf(job.payload));
    ctx.core.metrics.webhookDeliveries.inc({ outcome: 'gave_up' });
  },
};
