import type { Queryable } from './driver.ts';

/** Where an event's conversation lives, as a profile stream needs it to pick and name the event. */
export interface EventConversation {
  customerId: string;
  id: string;
  profileId: string;
  nameId: string;
  agentId: string | null;
}

/**
 * The conversations of a batch of events, of any customers, in one statement (the stream follower
 * looks up each poll's new conversations at once). A purged conversation is simply absent.
 */
export async function conversationsOfEvents(db: Queryable, keys: readonly { customerId: string; id: string }[]): Promise<EventConversation[]> {
  if (keys.length === 0) return [];
  return db.query<EventConversation>(
    `SELECT c.customer_id AS "customerId", c.id, c.profile_id AS "profileId", c.name_id AS "nameId", c.agent_id AS "agentId"
       FROM unnest($1::text[], $2::text[]) AS k(customer_id, id)
       JOIN conversations c ON c.customer_id = k.customer_id AND c.id = k.id`,
    [keys.map((k) => k.customerId), keys.map((k) => k.id)],
  );
}
