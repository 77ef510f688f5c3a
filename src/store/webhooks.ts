import type { Queryable } from './driver.ts';

/** How an endpoint's deliveries are shaped and signed (core/webhooks/webhooks.ts WEBHOOK_FORMATS). */
export type WebhookFormat = 'standard' | 'amigo';

export interface WebhookEndpoint {
  customerId: string;
  id: string;
  url: string;
  /** Subscribed event types; empty means every type. */
  events: string[];
  format: WebhookFormat;
  description: string;
  enabled: boolean;
  disabledReason: string;
  failingSince: Date | null;
  createTime: Date;
  updateTime: Date;
}

export interface WebhookAttempt {
  attempt: number;
  time: Date;
  /** Null when no HTTP response came back. */
  statusCode: number | null;
  error: string;
  durationMs: number;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  conversationId: string;
  status: DeliveryStatus;
  attempts: WebhookAttempt[];
  createTime: Date;
  deliveredTime: Date | null;
}

export interface NewDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  conversationId: string;
  body: string;
  /** The endpoint's format the body was made for; it is signed the same way. */
  format: WebhookFormat;
}

/** What the delivery job needs to send one delivery. */
export interface DeliveryToSend {
  id: string;
  endpointId: string;
  eventId: string;
  body: string;
  format: WebhookFormat;
  status: DeliveryStatus;
  url: string;
  secret: string;
  endpointEnabled: boolean;
}

const ENDPOINT_SELECT = `customer_id AS "customerId", id, url, events, format, description, enabled, disabled_reason AS "disabledReason",
  failing_since AS "failingSince", create_time AS "createTime", update_time AS "updateTime"`;

export async function insertEndpoint(
  db: Queryable,
  customerId: string,
  endpoint: { id: string; url: string; events: readonly string[]; format: WebhookFormat; description: string; secret: string },
): Promise<WebhookEndpoint> {
  const rows = await db.query<WebhookEndpoint>(
    `INSERT INTO webhook_endpoints (customer_id, id, url, events, format, description, secret)
     VALUES ($1, $2, $3, $4::text[], $5, $6, $7) RETURNING ${ENDPOINT_SELECT}`,
    [customerId, endpoint.id, endpoint.url, endpoint.events, endpoint.format, endpoint.description, endpoint.secret],
  );
  return rows[0];
}

export async function countEndpoints(db: Queryable, customerId: string): Promise<number> {
  const rows = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_endpoints WHERE customer_id = $1 AND removed_time IS NULL`, [customerId]);
  return rows[0].n;
}

/** Locks the customer row so concurrent creates cannot both pass the per-customer endpoint limit. */
export async function lockCustomerEndpoints(db: Queryable, customerId: string): Promise<boolean> {
  const rows = await db.query(`SELECT 1 FROM customers WHERE id = $1 FOR NO KEY UPDATE`, [customerId]);
  return rows.length > 0;
}

export async function listEndpoints(db: Queryable, customerId: string, options: { enabledOnly?: boolean } = {}): Promise<WebhookEndpoint[]> {
  return db.query<WebhookEndpoint>(
    `SELECT ${ENDPOINT_SELECT} FROM webhook_endpoints WHERE customer_id = $1 AND removed_time IS NULL${options.enabledOnly ? ' AND enabled' : ''}
     ORDER BY create_time, id`,
    [customerId],
  );
}

export async function getEndpoint(db: Queryable, customerId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<WebhookEndpoint | undefined> {
  const rows = await db.query<WebhookEndpoint>(
    `SELECT ${ENDPOINT_SELECT} FROM webhook_endpoints WHERE customer_id = $1 AND id = $2 AND removed_time IS NULL${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [customerId, id],
  );
  return rows[0];
}

export interface EndpointChanges {
  url?: string;
  events?: readonly string[];
  format?: WebhookFormat;
  description?: string;
  enabled?: boolean;
  disabledReason?: string;
  failingSince?: null;
}

const ENDPOINT_COLUMNS: Record<keyof EndpointChanges, [string, string]> = {
  url: ['url', 'text'],
  events: ['events', 'text[]'],
  format: ['format', 'text'],
  description: ['description', 'text'],
  enabled: ['enabled', 'boolean'],
  disabledReason: ['disabled_reason', 'text'],
  failingSince: ['failing_since', 'timestamptz'],
};

export async function updateEndpoint(db: Queryable, customerId: string, id: string, changes: EndpointChanges): Promise<WebhookEndpoint | undefined> {
  const sets = ['update_time = now()'];
  const params: unknown[] = [customerId, id];
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    const [column, type] = ENDPOINT_COLUMNS[field as keyof EndpointChanges];
    params.push(value);
    sets.push(`${column} = $${params.length}::${type}`);
  }
  const rows = await db.query<WebhookEndpoint>(
    `UPDATE webhook_endpoints SET ${sets.join(', ')} WHERE customer_id = $1 AND id = $2 AND removed_time IS NULL RETURNING ${ENDPOINT_SELECT}`,
    params,
  );
  return rows[0];
}

/**
 * The first step of a removal: the endpoint disappears from every read and takes no new attempt.
 * The row lock waits for attempts being claimed (claimDeliveryToSend's share lock) to commit.
 */
export async function markEndpointRemoved(db: Queryable, customerId: string, id: string): Promise<boolean> {
  const rows = await db.query(
    `UPDATE webhook_endpoints SET removed_time = now() WHERE customer_id = $1 AND id = $2 AND removed_time IS NULL RETURNING id`,
    [customerId, id],
  );
  return rows.length > 0;
}

/** Whether an attempt claimed before the endpoint's removal may still be sending. */
export async function attemptsInFlight(db: Queryable, customerId: string, endpointId: string): Promise<boolean> {
  const rows = await db.query<{ inFlight: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM webhook_deliveries WHERE customer_id = $1 AND endpoint_id = $2 AND sending_until > now()) AS "inFlight"`,
    [customerId, endpointId],
  );
  return rows[0].inFlight;
}

/** The last step of a removal: deletes the endpoint with its deliveries and attempts (cascade). */
export async function deleteEndpoint(db: Queryable, customerId: string, id: string): Promise<boolean> {
  const rows = await db.query(`DELETE FROM webhook_endpoints WHERE customer_id = $1 AND id = $2 RETURNING id`, [customerId, id]);
  return rows.length > 0;
}

/**
 * Inserts deliveries, skipping any whose (endpoint, event) already exists, so a reactor that runs
 * twice for the same events enqueues nothing new. Returns the inserted ones in input order.
 */
export async function insertDeliveries(db: Queryable, customerId: string, deliveries: readonly NewDelivery[]): Promise<NewDelivery[]> {
  if (deliveries.length === 0) return [];
  const inserted = await db.query<{ id: string }>(
    `INSERT INTO webhook_deliveries (customer_id, id, endpoint_id, event_id, event_type, conversation_id, body, format)
     SELECT $1::text, d.id, d.endpoint_id, d.event_id, d.event_type, d.conversation_id, d.body, d.format
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
            AS d(id, endpoint_id, event_id, event_type, conversation_id, body, format)
     ON CONFLICT DO NOTHING RETURNING id`,
    [
      customerId,
      deliveries.map((d) => d.id),
      deliveries.map((d) => d.endpointId),
      deliveries.map((d) => d.eventId),
      deliveries.map((d) => d.eventType),
      deliveries.map((d) => d.conversationId),
      deliveries.map((d) => d.body),
      deliveries.map((d) => d.format),
    ],
  );
  const ids = new Set(inserted.map((r) => r.id));
  return deliveries.filter((d) => ids.has(d.id));
}

/**
 * Claims a pending delivery for one attempt, in the caller's transaction: the share lock on the
 * endpoint orders the claim against a removal (markEndpointRemoved), and `sending_until` (now plus
 * `attemptMs`) tells the removal how long to wait for the attempt. Undefined when the endpoint is
 * removed or the delivery is no longer pending; a disabled endpoint's delivery is returned unclaimed.
 */
export async function claimDeliveryToSend(db: Queryable, customerId: string, deliveryId: string, attemptMs: number): Promise<DeliveryToSend | undefined> {
  const rows = await db.query<DeliveryToSend>(
    `SELECT d.id, d.endpoint_id AS "endpointId", d.event_id AS "eventId", d.body, d.format, d.status, e.url, e.secret,
            e.enabled AS "endpointEnabled"
       FROM webhook_deliveries d
       JOIN webhook_endpoints e ON e.customer_id = d.customer_id AND e.id = d.endpoint_id
      WHERE d.customer_id = $1 AND d.id = $2 AND e.removed_time IS NULL
        FOR SHARE OF e`,
    [customerId, deliveryId],
  );
  const delivery = rows[0];
  if (!delivery || delivery.status !== 'pending' || !delivery.endpointEnabled) return delivery;
  await db.query(
    `UPDATE webhook_deliveries SET sending_until = now() + $3::int * interval '1 millisecond' WHERE customer_id = $1 AND id = $2`,
    [customerId, deliveryId, attemptMs],
  );
  return delivery;
}

/** The attempt is over (recorded): a removal need not wait for it any more. */
export async function endAttempt(db: Queryable, customerId: string, deliveryId: string): Promise<void> {
  await db.query(`UPDATE webhook_deliveries SET sending_until = NULL WHERE customer_id = $1 AND id = $2`, [customerId, deliveryId]);
}

/** Locks the delivery row: two runs of the same job (at-least-once) record their attempts in turn. */
/**
 * Locks a delivery's endpoint, then the delivery: the order in which deleting an endpoint takes
 * them (the row, then its cascade), so recording an attempt and removing the endpoint never
 * deadlock. KEY SHARE on the endpoint keeps its DELETE out while letting concurrent attempts to the
 * same endpoint proceed together (FOR UPDATE serialised them: bench/webhooks.ts).
 */
export async function lockDelivery(db: Queryable, customerId: string, deliveryId: string): Promise<{ status: DeliveryStatus; endpointId: string } | undefined> {
  const endpoint = await db.query(
    `SELECT e.id FROM webhook_endpoints e JOIN webhook_deliveries d ON d.customer_id = e.customer_id AND d.endpoint_id = e.id
      WHERE d.customer_id = $1 AND d.id = $2 FOR KEY SHARE OF e`,
    [customerId, deliveryId],
  );
  if (endpoint.length === 0) return undefined;
  const rows = await db.query<{ status: DeliveryStatus; endpointId: string }>(
    `SELECT status, endpoint_id AS "endpointId" FROM webhook_deliveries WHERE customer_id = $1 AND id = $2 FOR UPDATE`,
    [customerId, deliveryId],
  );
  return rows[0];
}

/** Records the next attempt of a delivery; returns its 1-based number. */
export async function insertAttempt(
  db: Queryable,
  customerId: string,
  deliveryId: string,
  attempt: { time: Date; statusCode: number | null; error: string; durationMs: number },
): Promise<number> {
  const rows = await db.query<{ attempt: number }>(
    `INSERT INTO webhook_attempts (customer_id, delivery_id, attempt, time, status_code, error, duration_ms)
     SELECT $1::text, $2::text, coalesce(max(attempt), 0) + 1, $3::timestamptz, $4::int, $5::text, $6::int
       FROM webhook_attempts WHERE customer_id = $1 AND delivery_id = $2
     RETURNING attempt`,
    [customerId, deliveryId, attempt.time.toISOString(), attempt.statusCode, attempt.error, attempt.durationMs],
  );
  return rows[0].attempt;
}

export async function setDeliveryStatus(db: Queryable, customerId: string, deliveryId: string, status: 'delivered' | 'failed'): Promise<boolean> {
  const rows = await db.query(
    `UPDATE webhook_deliveries SET status = $3::text, delivered_time = CASE WHEN $3::text = 'delivered' THEN now() END
      WHERE customer_id = $1 AND id = $2 AND status = 'pending' RETURNING id`,
    [customerId, deliveryId, status],
  );
  return rows.length > 0;
}

/** Marks every pending delivery of an endpoint failed (the endpoint was disabled); returns how many. */
export async function failPendingDeliveries(db: Queryable, customerId: string, endpointId: string): Promise<number> {
  const rows = await db.query(
    `UPDATE webhook_deliveries SET status = 'failed' WHERE customer_id = $1 AND endpoint_id = $2 AND status = 'pending' RETURNING id`,
    [customerId, endpointId],
  );
  return rows.length;
}

export async function markEndpointSucceeding(db: Queryable, customerId: string, endpointId: string): Promise<void> {
  await db.query(
    `UPDATE webhook_endpoints SET failing_since = NULL WHERE customer_id = $1 AND id = $2 AND failing_since IS NOT NULL`,
    [customerId, endpointId],
  );
}

/**
 * Notes a failed attempt: `failing_since` is set by the first failure. Returns when the endpoint
 * started failing and whether that is longer ago than `disableAfter`, measured on the database's
 * clock so application servers with skewed clocks agree.
 */
export async function markEndpointFailing(
  db: Queryable,
  customerId: string,
  endpointId: string,
  disableAfter: string,
): Promise<{ failingSince: Date; expired: boolean } | undefined> {
  const rows = await db.query<{ failingSince: Date; expired: boolean }>(
    `UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, now())
      WHERE customer_id = $1 AND id = $2
      RETURNING failing_since AS "failingSince", failing_since <= now() - $3::interval AS expired`,
    [customerId, endpointId, disableAfter],
  );
  return rows[0];
}

const DELIVERY_SELECT = `d.id, d.endpoint_id AS "endpointId", d.event_id AS "eventId", d.event_type AS "eventType",
  d.conversation_id AS "conversationId", d.status, d.create_time AS "createTime", d.delivered_time AS "deliveredTime",
  coalesce((SELECT jsonb_agg(jsonb_build_object('attempt', a.attempt, 'time', a.time, 'statusCode', a.status_code,
                                                'error', a.error, 'durationMs', a.duration_ms) ORDER BY a.attempt)
              FROM webhook_attempts a WHERE a.customer_id = d.customer_id AND a.delivery_id = d.id), '[]') AS attempts`;

type DeliveryRow = Omit<WebhookDelivery, 'attempts'> & { attempts: (Omit<WebhookAttempt, 'time'> & { time: string })[] };

function toDelivery(row: DeliveryRow): WebhookDelivery {
  return { ...row, attempts: row.attempts.map((a) => ({ ...a, time: new Date(a.time) })) };
}

/** An endpoint's deliveries, newest first, each with its attempts. */
export async function listDeliveries(
  db: Queryable,
  customerId: string,
  endpointId: string,
  page: { limit: number; offset: number },
): Promise<WebhookDelivery[]> {
  const rows = await db.query<DeliveryRow>(
    `SELECT ${DELIVERY_SELECT} FROM webhook_deliveries d WHERE d.customer_id = $1 AND d.endpoint_id = $2
     ORDER BY d.seq DESC LIMIT $3 OFFSET $4`,
    [customerId, endpointId, page.limit, page.offset],
  );
  return rows.map(toDelivery);
}

export async function countDeliveries(db: Queryable, customerId: string, endpointId: string): Promise<number> {
  const rows = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM webhook_deliveries WHERE customer_id = $1 AND endpoint_id = $2`,
    [customerId, endpointId],
  );
  return rows[0].n;
}

export async function getDelivery(db: Queryable, customerId: string, deliveryId: string): Promise<WebhookDelivery | undefined> {
  const rows = await db.query<DeliveryRow>(`SELECT ${DELIVERY_SELECT} FROM webhook_deliveries d WHERE d.customer_id = $1 AND d.id = $2`, [
    customerId,
    deliveryId,
  ]);
  return rows[0] && toDelivery(rows[0]);
}
