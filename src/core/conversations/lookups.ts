import type { Driver } from '../../store/driver.ts';
import type { ConversationRef } from '../../store/conversation-ref.ts';
import { stores } from '../../store/index.ts';
import { requireProfile } from '../tenancy/access.ts';
import type { ConversationService } from './conversations.ts';
import { checkInput, type ConversationInput, type StartDefaults } from './conversation-input.ts';
import { startIn } from './lifecycle.ts';
import { resolveNamesIn } from './resolve.ts';
import { invalidArgument, notFound, ParleyError } from '../../kernel/errors.ts';
import { LIMITS } from '../../kernel/limits.ts';
import type { Caller, Conversation, MetadataValues } from '../../kernel/types.ts';

export interface BatchStartRequest {
  conversationId?: string;
  conversation: ConversationInput;
}

/**
 * Lookups by foreign ids, batch get / start and metadata upserts. Every rule of a single start
 * lives in `startIn`; this module only batches it.
 */
export class ConversationLookupService {
  constructor(
    private readonly db: Driver,
    private readonly conversations: ConversationService,
  ) {}

  async fetchByLegacyId(caller: Caller, customerId: string, profileId: string, legacyChatId: number): Promise<Conversation> {
    const s = stores(this.db);
    await requireProfile(s, caller, customerId, profileId);
    const found = await s.conversations.findByLegacyChatId(customerId, profileId, legacyChatId);
    if (!found) throw notFound('conversation');
    return found;
  }

  /**
   * Sorted by start time ascending; the caller's "conversation" is the last (latest) one. A voice
   * call has no platform account: its conversation is found by its platform call id alone (the
   * platformConversationId asked for), whatever platformAccountId says.
   */
  async fetchByPlatformId(caller: Caller, customerId: string, profileId: string, platformConversationId: string, platformAccountId: string): Promise<Conversation[]> {
    const s = stores(this.db);
    await requireProfile(s, caller, customerId, profileId);
    const [byPlatform, call] = await Promise.all([
      s.conversations.findByPlatformId(customerId, profileId, platformConversationId, platformAccountId, LIMITS.pageSize),
      s.conversations.findCallConversation(customerId, profileId, platformConversationId),
    ]);
    const found = call && !byPlatform.some((c) => c.id === call.id) ? [...byPlatform, call] : byPlatform;
    if (found.length === 0) throw notFound('conversation');
    found.sort((a, b) => a.startTime.getTime() - b.startTime.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return found.slice(0, LIMITS.pageSize);
  }

  /**
   * In request order; one missing name fails the whole call (AIP-231). Each segment is a name or a
   * 24-hex id, as everywhere (resolve.ts).
   */
  async batchGet(caller: Caller, customerId: string, profileId: string, nameIds: readonly string[]): Promise<Conversation[]> {
    if (nameIds.length > LIMITS.batchConversations) throw invalidArgument('names', `at most ${LIMITS.batchConversations} names in one call`);
    const s = stores(this.db);
    await requireProfile(s, caller, customerId, profileId);
    const resolved = await resolveNamesIn(s, customerId, profileId, nameIds);
    const rows = await s.conversations.getConversationsByNames(customerId, profileId, [...new Set(resolved.values())]);
    const byName = new Map(rows.map((c) => [c.nameId, c]));
    return nameIds.map((nameId) => {
      const found = byName.get(resolved.get(nameId)!);
      if (!found) throw new ParleyError('NOT_FOUND', `conversation ${nameId} not found`);
      return found;
    });
  }

  /** All-or-nothing: every request is checked first, then all start in one transaction. */
  async batchStart(caller: Caller, customerId: string, profileId: string, requests: readonly BatchStartRequest[], defaults: StartDefaults = { source: 'API' }): Promise<Conversation[]> {
    if (requests.length === 0) throw invalidArgument('requests', 'must hold at least one request');
    if (requests.length > LIMITS.batchConversations) throw invalidArgument('requests', `at most ${LIMITS.batchConversations} requests in one call`);
    const seen = new Set<string>();
    requests.forEach((r, i) => {
      if (r.conversationId === undefined) return;
      // Two starts of one id in a batch would silently return the first body for the second.
      if (seen.has(r.conversationId)) throw invalidArgument(`requests[${i}].conversationId`, `"${r.conversationId}" appears twice in the batch`);
      seen.add(r.conversationId);
    });
    const checked = requests.map((r, i) => checkInput(r.conversation, `requests[${i}].conversation.`));
    return this.db.transaction(async (tx) => {
      const s = stores(tx);
      await requireProfile(s, caller, customerId, profileId);
      const started: Conversation[] = [];
      for (const [i, r] of requests.entries()) {
        started.push((await startIn(s, caller, customerId, profileId, r.conversationId, checked[i], defaults)).conversation);
      }
      return started;
    });
  }

  /**
   * UpsertConversationMetadata, the vendor's semantics: new keys are added, a given key's values
   * replace the old ones (never concatenated), keys not given are kept. Dotted keys such as
   * `builtin.visitor.geo.country` are stored flat under the dotted key, so the list filter
   * `metadata: {"builtin.visitor.geo.country": [...]}` addresses them with one jsonb lookup.
   * The CONVERSATION_METADATA event holds only the values of this call.
   */
  async upsertMetadata(caller: Caller, ref: ConversationRef, values: MetadataValues, source: string): Promise<Conversation> {
    const keys = Object.keys(values);
    if (keys.length === 0) throw invalidArgument('metadataValues', 'must hold at least one key');
    for (const key of keys) {
      if (key.length === 0) throw invalidArgument('metadataValues', 'keys must not be empty');
    }
    return this.conversations.mutate(caller, ref, (current) => {
      const metadata = { ...current.metadata, ...values };
      if (Object.keys(metadata).length > LIMITS.metadataKeys) {
        throw invalidArgument('metadataValues', `a conversation holds at most ${LIMITS.metadataKeys} metadata keys`);
      }
      return { changes: { metadata }, event: 'CONVERSATION_METADATA', payload: { metadataValues: values, source } };
    });
  }
}
