import type { Driver } from '../../store/driver.ts';
import type { ConversationRef } from '../../store/conversation-ref.ts';
import type { NewEvent } from '../../store/events.ts';
import type { ConversationCursor, ConversationFilter, ConversationOrder } from '../../store/conversation-list.ts';
import { stores, type Stores } from '../../store/index.ts';
import { actorOf, namedConversation, requireProfile } from '../tenancy/access.ts';
import { failedPrecondition, invalidArgument, notFound } from '../../kernel/errors.ts';
import { decodePageToken, encodePageToken } from '../../kernel/page-token.ts';
import type { Caller, Conversation, ConversationMode, ConversationState, EventType, JsonObject } from '../../kernel/types.ts';
import { canonicalLanguage, checkInput, isUpdatableField, type ConversationInput, type StartDefaults, type StartOptions } from './conversation-input.ts';
import { handOff, LIFECYCLE_FIELDS, moveTo, remove, startIn } from './lifecycle.ts';
import { resolveNameIn, type NamedConversation } from './resolve.ts';

// Where these lived before the lifecycle and the input rules got their own files.
export { startIn } from './lifecycle.ts';
export { canonicalLanguage, checkInput, type ConversationInput, type StartDefaults } from './conversation-input.ts';
// What list() takes, so the surfaces need not import the store.
export type { ConversationFilter, ConversationOrder };
export type { NamedConversation };

export interface ListOptions {
  filter: ConversationFilter;
  order: ConversationOrder;
  pageSize: number;
  pageToken?: string;
}

/**
 * Writes a decided change to a conversation's fields and its events, in the caller's transaction:
 * the one way a conversation row changes (mutate below, and the call, ingest and transcript rules
 * that already hold the row inside their own transaction). The state columns are the lifecycle's
 * (lifecycle.ts): a change naming one is a bug.
 */
export async function applyChange(
  s: Stores,
  caller: Caller,
  conversation: Pick<Conversation, 'customerId' | 'id'>,
  changes: Partial<Conversation>,
  events: readonly NewEvent[],
): Promise<Conversation> {
  const lifecycleField = LIFECYCLE_FIELDS.find((field) => field in changes);
  if (lifecycleField) throw new Error(`${lifecycleField} changes only through core/conversations/lifecycle.ts`);
  const updated = await s.conversations.updateConversation({ customerId: conversation.customerId, id: conversation.id }, changes);
  await s.events.appendEvents(conversation.customerId, conversation.id, actorOf(caller), events);
  return updated!;
}

export class ConversationService {
  constructor(private readonly db: Driver) {}

  private read(): Stores {
    return stores(this.db);
  }

  /**
   * StartConversation: idempotent on the conversation id. An existing conversation with that id is
   * returned unchanged (the vendor's rule: "the existing one is not updated if it differs").
   */
  async start(
    caller: Caller,
    customerId: string,
    profileId: string,
    conversationId: string | undefined,
    input: ConversationInput,
    defaults: StartDefaults = { source: 'API' },
    options: StartOptions = {},
  ): Promise<{ conversation: Conversation; created: boolean }> {
    const checked = checkInput(input, 'conversation.');
    return this.db.transaction(async (tx) => {
      const s = stores(tx);
      await requireProfile(s, caller, customerId, profileId);
      return startIn(s, caller, customerId, profileId, conversationId, checked, defaults, options);
    });
  }

  /**
   * The conversation a resource-name segment addresses, by client-chosen name or by 24-hex id
   * (resolve.ts), as a ref by its canonical name; another tenant's or a hidden profile is NOT_FOUND.
   * Every route that takes a conversation name calls this, so every one accepts both.
   */
  async resolveName(caller: Caller, customerId: string, profileId: string, segment: string): Promise<NamedConversation> {
    namedConversation(caller, customerId, profileId, segment);
    return resolveNameIn(this.read(), customerId, profileId, segment);
  }

  async get(ref: ConversationRef): Promise<Conversation> {
    const conversation = await this.read().conversations.getConversation(ref);
    if (!conversation) throw notFound('conversation');
    return conversation;
  }

  async list(caller: Caller, customerId: string, profileId: string, options: ListOptions): Promise<{ conversations: Conversation[]; nextPageToken: string }> {
    const s = this.read();
    await requireProfile(s, caller, customerId, profileId);
    const tokenScope = { filter: options.filter, order: options.order, profileId };
    const after = decodePageToken(options.pageToken, tokenScope, ['timestamp', 'id']) as ConversationCursor | undefined;
    const rows = await s.conversations.listConversations(customerId, profileId, options.filter, options.order, after, options.pageSize + 1);
    const page = rows.slice(0, options.pageSize);
    let nextPageToken = '';
    if (rows.length > options.pageSize) {
      const last = page[page.length - 1];
      nextPageToken = encodePageToken(tokenScope, [last[options.order.field].toISOString(), last.id]);
    }
    return { conversations: page, nextPageToken };
  }

  async count(caller: Caller, customerId: string, profileId: string, filter: ConversationFilter): Promise<number> {
    const s = this.read();
    await requireProfile(s, caller, customerId, profileId);
    return s.conversations.countConversations(customerId, profileId, filter);
  }

  /** UpdateConversation with an update mask (AIP-134). */
  async update(caller: Caller, ref: ConversationRef, input: ConversationInput, mask: readonly string[]): Promise<Conversation> {
    if (mask.length === 0) throw invalidArgument('updateMask', 'must name at least one field');
    const changes: Record<string, unknown> = {};
    for (const field of mask) {
      if (!isUpdatableField(field)) {
        throw invalidArgument('updateMask', `${field} is not an updatable field (output-only or unknown)`);
      }
      changes[field] = (input as Record<string, unknown>)[field] ?? clearedValue(field);
    }
    const checked = checkInput(changes as ConversationInput, 'conversation.');
    return this.mutate(caller, ref, () => ({ changes: checked, event: 'CONVERSATION_UPDATE', payload: { fields: [...mask] } }));
  }

  /** Deletes the conversation and, in the same transaction, appends its CONVERSATION_DELETE. */
  async delete(caller: Caller, ref: ConversationRef): Promise<void> {
    await this.locked(ref, (current, s) => remove(s, caller, current));
  }

  /** Closing is idempotent: a closed conversation stays closed, with its first endTime. */
  async setState(caller: Caller, ref: ConversationRef, state: ConversationState): Promise<Conversation> {
    if (state === 'STATE_UNSPECIFIED') throw invalidArgument('state', 'must be ACTIVE, ON_HOLD or CLOSED');
    return this.locked(ref, (current, s) => moveTo(s, caller, current, state));
  }

  /** Human handoff: MANUAL when a person takes the conversation over, AI when they hand it back. */
  async setMode(caller: Caller, ref: ConversationRef, mode: ConversationMode): Promise<Conversation> {
    return this.locked(ref, (current, s) => handOff(s, caller, current, mode));
  }

  async updateAudioPersistence(
    caller: Caller,
    ref: ConversationRef,
    update: Pick<Conversation, 'audioPersistenceState'> & Partial<Pick<Conversation, 'persistedAudioUri' | 'audioAnalysis' | 'persistedAudioDuration'>>,
  ): Promise<Conversation> {
    if (update.audioPersistenceState === 'AUDIO_PERSISTENCE_STATE_UNSPECIFIED') {
      throw invalidArgument('audioPersistenceState', 'must be NOT_PERSISTED, PERSISTED or PERSIST_FAILED');
    }
    if (update.audioPersistenceState === 'PERSISTED' && !update.persistedAudioUri) {
      throw invalidArgument('persistedAudioUri', 'is required when audioPersistenceState is PERSISTED');
    }
    const changes = Object.fromEntries(Object.entries(update).filter(([, v]) => v !== undefined));
    return this.mutate(caller, ref, () => ({ changes, event: 'CONVERSATION_UPDATE', payload: { fields: Object.keys(changes) } }));
  }

  async updateFields(caller: Caller, ref: ConversationRef, changes: ConversationInput): Promise<Conversation> {
    const checked = checkInput(changes, '');
    return this.mutate(caller, ref, () => ({ changes: checked, event: 'CONVERSATION_UPDATE', payload: { fields: Object.keys(checked) } }));
  }

  /** Returns the effective code: one outside the profile's supported list falls back to its default. */
  async updateLanguage(caller: Caller, ref: ConversationRef, languageCode: string): Promise<string> {
    const requested = canonicalLanguage(languageCode);
    let effective = requested;
    await this.mutate(caller, ref, async (current, s) => {
      const profile = await s.customers.getProfile(current.customerId, current.profileId);
      const supported = profile?.supportedLanguages ?? [];
      if (supported.length > 0 && !supported.some((l) => l.toLowerCase() === requested.toLowerCase())) {
        effective = profile?.defaultLanguage || supported[0];
      }
      return { changes: { languageCode: effective }, event: 'CONVERSATION_UPDATE', payload: { fields: ['languageCode'], requested } };
    });
    return effective;
  }

  /** Only OPERA_SYNTHETIC conversations may become shared (the vendor's precondition). */
  async updateSharing(caller: Caller, ref: ConversationRef, sharingState: Conversation['sharingState']): Promise<Conversation> {
    return this.mutate(caller, ref, (current) => {
      if (sharingState === 'SHARING_STATE_SHARED' && current.source !== 'OPERA_SYNTHETIC') {
        throw failedPrecondition(`a conversation with source ${current.source} cannot be shared; only OPERA_SYNTHETIC conversations can`);
      }
      return { changes: { sharingState }, event: 'CONVERSATION_UPDATE', payload: { fields: ['sharingState'] } };
    });
  }

  /**
   * The one way a conversation changes: lock the row, let `decide` compute the change (or null for
   * a no-op), write it and its event in the same transaction.
   */
  async mutate(
    caller: Caller,
    ref: ConversationRef,
    decide: (current: Conversation, s: Stores) =>
      | { changes: Partial<Conversation>; event: EventType; payload: JsonObject }
      | null
      | Promise<{ changes: Partial<Conversation>; event: EventType; payload: JsonObject } | null>,
  ): Promise<Conversation> {
    return this.locked(ref, async (current, s) => {
      const decision = await decide(current, s);
      if (!decision) return current;
      return applyChange(s, caller, current, decision.changes, [{ type: decision.event, payload: decision.payload }]);
    });
  }

  /** Runs `change` in one transaction with the conversation's row locked; NOT_FOUND when it is absent. */
  private async locked<T>(ref: ConversationRef, change: (current: Conversation, s: Stores) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      const s = stores(tx);
      const current = await s.conversations.getConversation(ref, { forUpdate: true });
      if (!current) throw notFound('conversation');
      return change(current, s);
    });
  }
}

/** The value a field takes when the mask names it and the body omits it (AIP-134: clear it). */
function clearedValue(field: string): unknown {
  const cleared: Record<string, unknown> = {
    participants: [], agentInfo: {}, visitor: {}, platformInfo: {}, policyOverride: {}, transferInfo: {},
    legacyChatId: null, raiseHandState: 'RAISE_HAND_STATE_UNSPECIFIED', channel: 'CHANNEL_UNSPECIFIED',
    corruptionState: 'CORRUPTION_STATE_UNSPECIFIED', multiLanguageMode: 'MULTI_LANGUAGE_MODE_UNSPECIFIED',
  };
  if (field === 'startTime') throw invalidArgument('conversation.startTime', 'cannot be cleared');
  return field in cleared ? cleared[field] : '';
}
