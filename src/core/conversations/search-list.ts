import type { Driver } from '../../store/driver.ts';
import type { ConversationFilter, ConversationOrder } from '../../store/conversation-list.ts';
import type { SearchOrder } from '../../store/conversation-search.ts';
import { stores } from '../../store/index.ts';
import { decodePageToken, encodePageToken, type KeyPart } from '../../kernel/page-token.ts';
import type { Caller, Conversation } from '../../kernel/types.ts';
import { requireProfile } from '../tenancy/access.ts';

export interface SearchListOptions {
  filter: ConversationFilter;
  /** The keyword (support desk search: title, agent name, person, summary, message words). */
  search: string;
  /** Absent: best match first. */
  order?: ConversationOrder;
  pageSize: number;
  pageToken?: string;
}

const isRank = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1000;

/**
 * ListConversations with a search (the console's list): the list's filters and the support
 * desk's ranked keyword index (store/search.ts, the one search rule) over one profile, best match
 * first unless a time order is asked for, in keyset pages whose tokens are bound to the filter,
 * the keyword and the order. A key narrowed to an agent finds that agent's conversations only.
 */
export class ConversationSearchService {
  constructor(private readonly db: Driver) {}

  async list(caller: Caller, customerId: string, profileId: string, options: SearchListOptions): Promise<{ conversations: Conversation[]; nextPageToken: string }> {
    const s = stores(this.db);
    await requireProfile(s, caller, customerId, profileId);
    const order: SearchOrder = options.order ?? { field: 'rank' };
    const tokenScope = { filter: options.filter, search: options.search, order, profileId };
    const shape: KeyPart[] = order.field === 'rank' ? [isRank, 'timestamp', 'id'] : ['timestamp', 'id'];
    const after = decodePageToken(options.pageToken, tokenScope, shape);
    const rows = await s.conversations.searchConversations(customerId, profileId, caller.agentId, options.filter, options.search, order, after, options.pageSize + 1);
    const page = rows.slice(0, options.pageSize);
    let nextPageToken = '';
    if (rows.length > options.pageSize) {
      const { conversation, rank } = page[page.length - 1];
      const key = order.field === 'rank'
        ? [rank, conversation.startTime.toISOString(), conversation.id]
        : [conversation[order.field].toISOString(), conversation.id];
      nextPageToken = encodePageToken(tokenScope, key);
    }
    return { conversations: page.map((r) => r.conversation), nextPageToken };
  }
}
