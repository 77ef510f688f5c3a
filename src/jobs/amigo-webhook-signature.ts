import { createHmac } from 'node:crypto';

/**
 * Amigo's webhook signing: hex HMAC-SHA256 over `v1:{timestamp}:{body}`, the timestamp in
 * milliseconds, keyed with the endpoint's secret exactly as the receiver was given it (its UTF-8
 * bytes, `whsec_` included: an Amigo receiver keys its HMAC with the secret string).
 */
export function signAmigoWebhook(secret: string, timestampMs: number, body: string): string {
  return createHmac('sha256', secret).update(`v1:${timestampMs}:${body}`).digest('hex');
}

/** The headers of one attempt; the idempotent key is the event's id, the same on every retry. */
export function amigoWebhookHeaders(secret: string, id: string, body: string, now: Date): Record<string, string> {
  const timestamp = now.getTime();
  return {
    'content-type': 'application/json',
    'user-agent': 'Parley-Webhooks/1',
    'x-amigo-idempotent-key': id,
    'x-amigo-request-timestamp': String(timestamp),
    'x-amigo-request-signature': signAmigoWebhook(secret, timestamp, body),
  };
}
