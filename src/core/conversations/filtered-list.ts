import type { Driver } from '../../store/driver.ts';
import type { ConversationWithAgent, FilteredConversationQuery, FilteredMessageQuery, MetadataTagFilter } from '../../store/filtered-lists.ts';
import { stores } from '../../store/index.ts';
import { notFound, ParleyError } from '../../kernel/errors.ts';
import type { Caller, Message } from '../../kernel/types.ts';

export type { ConversationWithAgent, FilteredMessageQuery, MetadataTagFilter };
export type ConversationQuery = Omit<FilteredConversationQuery, 'profileId'>;

/**
 * How deep a numbered page may start (rows skipped). The vendor's integer continuation token is a
 * row count, served by OFFSET, whose cost grows with the depth; past this, narrow the filters.
 */
export const MAX_LIST_OFFSET = 10_000;

export interface OffsetPage {
  /** Rows to skip: the previous page's continuation token, 0 for the first page. */
  offset: number;
  limit: number;
}

export interface OffsetResult<T> {
  items: T[];
  /** The offset of the next page when there is one. */
  next: number | null;
}

function checkOffset(offset: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset > MAX_LIST_OFFSET) {
    throw new ParleyError('OUT_OF_RANGE', `continuation_token must be an integer from 0 to ${MAX_LIST_OFFSET}`, {
      fieldViolations: [{ field: 'continuation_token', description: `must be from 0 to ${MAX_LIST_OFFSET}` }],
    });
  }
}

/** One numbered page: fetches a row beyond the limit to know whether there is more. */
export async function page<T>(offset: OffsetPage, fetch: (limit: number) => Promise<T[]>): Promise<OffsetResult<T>> {
  checkOffset(offset.offset);
  const rows = await fetch(offset.limit + 1);
  const more = rows.length > offset.limit;
  return { items: more ? rows.slice(0, offset.limit) : rows, next: more ? offset.offset + offset.limit : null };
}

/**
 * Conversations and their messages listed by filters (end user, agent, finished, ids, tags) with
 * numbered pages: the agent surface's reads. What a caller sees is what its key sees: its customer,
 * and only its profile or agent when the key is narrowed to one.
 */
export class FilteredListService {
  constructor(private readonly db: Driver) {}

  /** The query as the caller's key may ask it; undefined when the key can see none of what it asks for. */
  private scoped(caller: Caller, query: ConversationQuery): FilteredConversationQuery | undefined {
    if (caller.agentId === null) return { ...query, profileId: caller.profileId };
    if (query.agentIds?.length && !query.agentIds.includes(caller.agentId)) return undefined;
    return { ...query, agentIds: [caller.agentId], profileId: caller.profileId };
  }

  private find(caller: Caller, query: ConversationQuery, offset: number, limit: number): Promise<ConversationWithAgent[]> {
    const scoped = this.scoped(caller, query);
    return scoped ? stores(this.db).filteredLists.listConversationsFiltered(caller.customerId, scoped, offset, limit) : Promise.resolve([]);
  }

  list(caller: Caller, query: ConversationQuery, offset: OffsetPage): Promise<OffsetResult<ConversationWithAgent>> {
    return page(offset, (limit) => this.find(caller, query, offset.offset, limit));
  }

  /** One conversation by its 24-hex id; NOT_FOUND when the key does not see it. */
  async get(caller: Caller, id: string): Promise<ConversationWithAgent> {
    const [found] = await this.find(caller, { ids: [id], descending: false }, 0, 1);
    if (!found) throw notFound('conversation');
    return found;
  }

  async messages(caller: Caller, conversationId: string, query: FilteredMessageQuery, offset: OffsetPage): Promise<OffsetResult<Message>> {
    checkOffset(offset.offset);
    await this.get(caller, conversationId);
    return page(offset, (limit) => stores(this.db).filteredLists.listMessagesFiltered(caller.customerId, conversationId, query, offset.offset, limit));
  }
}
