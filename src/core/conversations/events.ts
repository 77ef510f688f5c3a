import type { Driver } from '../../store/driver.ts';
import type { ConversationRef } from '../../store/conversation-ref.ts';
import type { NewEvent } from '../../store/events.ts';
import { stores } from '../../store/index.ts';
import { actorOf } from '../tenancy/access.ts';
import { invalidArgument, notFound } from '../../kernel/errors.ts';
import { LIMITS } from '../../kernel/limits.ts';
import { decodePageToken, encodePageToken } from '../../kernel/page-token.ts';
import { CLIENT_EVENT_TYPES, type Caller, type ConversationEvent } from '../../kernel/types.ts';

// What batchCreate() takes, so the surfaces need not import the store.
export type { NewEvent };

export class EventService {
  constructor(private readonly db: Driver) {}

  async list(ref: ConversationRef, options: { types: readonly string[]; pageSize: number; pageToken?: string }): Promise<{ events: ConversationEvent[]; nextPageToken: string }> {
    const s = stores(this.db);
    const conversation = await s.conversations.getConversation(ref);
    if (!conversation) throw notFound('conversation');
    const types = [...new Set(options.types)].sort();
    const tokenScope = { conversation: conversation.id, types };
    const after = decodePageToken(options.pageToken, tokenScope, ['int'])?.[0] as number | undefined;
    const rows = await s.events.listEvents(conversation.customerId, conversation.id, { types, afterSeq: after, limit: options.pageSize + 1 });
    const events = rows.slice(0, options.pageSize);
    const nextPageToken = rows.length > options.pageSize ? encodePageToken(tokenScope, [events[events.length - 1].seq]) : '';
    return { events, nextPageToken };
  }

  /** Records client events (the vendor's types only: the mutation types are the core's own). */
  async batchCreate(caller: Caller, ref: ConversationRef, events: readonly NewEvent[]): Promise<ConversationEvent[]> {
    if (events.length === 0) throw invalidArgument('events', 'must hold at least one event');
    if (events.length > LIMITS.batchEvents) throw invalidArgument('events', `at most ${LIMITS.batchEvents} events in one call`);
    events.forEach((event, i) => {
      if (!(CLIENT_EVENT_TYPES as readonly string[]).includes(event.type) || event.type === 'EVENT_TYPE_UNSPECIFIED') {
        throw invalidArgument(`events[${i}].type`, `${event.type} cannot be recorded by a client; use one of ${CLIENT_EVENT_TYPES.slice(1).join(', ')}`);
      }
    });
    return this.db.transaction(async (tx) => {
      const s = stores(tx);
      const conversation = await s.conversations.getConversation(ref, { forUpdate: true });
      if (!conversation) throw notFound('conversation');
      return s.events.appendEvents(conversation.customerId, conversation.id, actorOf(caller), events);
    });
  }
}
