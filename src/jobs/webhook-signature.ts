import { createHmac } from 'node:crypto';

/**
 * Standard Webhooks signing: `v1,` + base64 HMAC-SHA256 over `{id}.{timestamp}.{body}`, keyed with
 * the bytes the secret's base64 (after `whsec_`) encodes.
 */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
  const mac = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/** The headers of one attempt; `webhook-id` is the event's id, the same on every retry. */
export function webhookHeaders(secret: string, id: string, body: string, now: Date): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  const signature = signWebhook(secret, id, timestamp, body);
  return {
    'content-type': 'application/json',
    'user-agent': 'Parley-Webhooks/1',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signature,
    // Converra's header name, carrying the same value.
    'x-converra-signature': signature,
  };
}
