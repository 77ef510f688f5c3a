import type { Driver } from '../../store/driver.ts';
import type { ConversationRef } from '../../store/conversation-ref.ts';
import type { NewEvent } from '../../store/events.ts';
import type { ConversationCursor, ConversationFilter, ConversationOrder } from '../../store/conversation-list.ts';
import { stores, type Stores } from '../../store/index.ts';
import { actorOf, requireProfile } from '../tenancy/access.ts';
import { failedPrecondition, invalidArgument, notFound, ParleyError } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import { LIMITS } from '../../kernel/limits.ts';
import { decodePageToken, encodePageToken } from '../../kernel/page-token.ts';
import type { Caller, Conversation, ConversationState, EventType, JsonObject } from '../../kernel/types.ts';

/** Fields a caller may set at start and change with UpdateConversation. */
export const UPDATABLE_FIELDS = [
  'agent', 'participants', 'agentInfo', 'agentUserName', 'team', 'visitor', 'conversationCorrelationId', 'skill',
  'platformInfo', 'startTime', 'legacyChatId', 'raiseHandState', 'languageCode', 'channel', 'displayName',
  'policyOverride', 'usecase', 'corruptionState', 'virtualAgent', 'transferInfo', 'multiLanguageMode',
] as const satisfies readonly (keyof Conversation)[];

/** Settable at start only: `source` decides sharing, so it cannot change later. */
export const START_ONLY_FIELDS = ['source'] as const;

/** Changed only through their dedicated methods, which carry their rules. */
export const DEDICATED_FIELDS: Partial<Record<keyof Conversation, string>> = {
  state: 'UpdateConversationState (:updateState) or CloseConversation (:close)',
  audioPersistenceState: 'UpdateConversationAudioPersistenceState (:updateAudioPersistenceState)',
  persistedAudioUri: 'UpdateConversationAudioPersistenceState (:updateAudioPersistenceState)',
  audioAnalysis: 'UpdateConversationAudioPersistenceState (:updateAudioPersistenceState)',
  persistedAudioDuration: 'UpdateConversationAudioPersistenceState (:updateAudioPersistenceState)',
  sharingState: 'UpdateConversationSharingState (:updateSharingState)',
  metadata: 'UpsertConversationMetadata (:upsertMetadata)',
};

export type ConversationInput = Partial<Pick<Conversation, (typeof UPDATABLE_FIELDS)[number] | (typeof START_ONLY_FIELDS)[number]>>;

export interface ListOptions {
  filter: ConversationFilter;
  order: ConversationOrder;
  pageSize: number;
  pageToken?: string;
}

/** BCP-47 syntax check through Intl; returns the canonical form. */
export function canonicalLanguage(code: string, field = 'languageCode'): string {
  try {
    return Intl.getCanonicalLocales(code)[0];
  } catch {
    throw invalidArgument(field, `"${code}" is not a BCP-47 language tag`);
  }
}

export function checkInput(input: ConversationInput, prefix: string): ConversationInput {
  const out = { ...input };
  if (out.languageCode) out.languageCode = canonicalLanguage(out.languageCode, `${prefix}languageCode`);
  if (out.participants && out.participants.length > LIMITS.participants) {
    throw invalidArgument(`${prefix}participants`, `at most ${LIMITS.participants} participants`);
  }
  return out;
}

export interface StartDefaults {
  source: Conversation['source'];
  channel?: Conversation['channel'];
}

export interface StartOptions {
  closeAgentOtherConversations?: boolean;
}

/**
 * The body of StartConversation inside a caller's transaction, after the profile check and with
 * input already checked: BatchStartConversations runs it once per request in one transaction.
 */
export async function startIn(
  s: Stores,
  caller: Caller,
  customerId: string,
  profileId: string,
  conversationId: string | undefined,
  checked: ConversationInput,
  defaults: StartDefaults,
  options: StartOptions = {},
): Promise<{ conversation: Conversation; created: boolean }> {
  const id = newId();
  const created = await s.conversations.insertConversation({
    channel: defaults.channel,
    ...checked,
    source: checked.source && checked.source !== 'SOURCE_UNSPECIFIED' ? checked.source : defaults.source,
    customerId,
    profileId,
    id,
    nameId: conversationId ?? id,
    startTime: checked.startTime ?? new Date(),
    state: 'ACTIVE',
  });
  if (!created) {
    const existing = await s.conversations.getConversation({ customerId, profileId, nameId: conversationId! });
    if (!existing) throw new ParleyError('ABORTED', 'conversation was deleted while starting; retry');
    return { conversation: existing, created: false };
  }
  await s.events.appendEvents(customerId, id, actorOf(caller), [
    { type: 'CONVERSATION_START', payload: { source: created.source, channel: created.channel } },
  ]);
  const agent = created.agentUserName || created.agent;
  if (options.closeAgentOtherConversations && agent) {
    for (const closedId of await s.conversations.closeAgentConversations(customerId, profileId, agent, id)) {
      await s.events.appendEvents(customerId, closedId, actorOf(caller), [
        { type: 'CONVERSATION_END', payload: { reason: 'closeAgentOtherConversations', by: id } },
      ]);
    }
  }
  return { conversation: created, created: true };
}

/**
 * Writes a decided change to a conversation and its events, in the caller's transaction: the one
 * way a conversation row changes (mutate below, and the call, ingest and transcript rules that
 * already hold the row inside their own transaction).
 */
export async function applyChange(
  s: Stores,
  caller: Caller,
  conversation: Pick<Conversation, 'customerId' | 'id'>,
  changes: Partial<Conversation>,
  events: readonly NewEvent[],
): Promise<Conversation> {
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

  async get(ref: ConversationRef): Promise<Conversation> {
    const conversation = await this.read().conversations.getConversation(ref);
    if (!conversation) throw notFound('conversation');
    return conversation;
  }

  async list(caller: Caller, customerId: string, profileId: string, options: ListOptions): Promise<{ conversations: Conversation[]; nextPageToken: string }> {
    const s = this.read();
    await requireProfile(s, caller, customerId, profileId);
    const tokenScope = { filter: options.filter, order: options.order, profileId };
    const after = decodePageToken(options.pageToken, tokenScope) as ConversationCursor | undefined;
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
      const dedicated = DEDICATED_FIELDS[field as keyof Conversation];
      if (dedicated) throw invalidArgument('updateMask', `${field} is changed with ${dedicated}`);
      if (!(UPDATABLE_FIELDS as readonly string[]).includes(field)) {
        throw invalidArgument('updateMask', `${field} is not an updatable field (output-only or unknown)`);
      }
      changes[field] = (input as Record<string, unknown>)[field] ?? clearedValue(field);
    }
    const checked = checkInput(changes as ConversationInput, 'conversation.');
    return this.mutate(caller, ref, () => ({ changes: checked, event: 'CONVERSATION_UPDATE', payload: { fields: [...mask] } }));
  }

  async delete(caller: Caller, ref: ConversationRef): Promise<void> {
    const deleted = await this.db.transaction((tx) => stores(tx).conversations.deleteConversation(ref));
    if (!deleted) throw notFound('conversation');
  }

  /** Closing is idempotent: a closed conversation stays closed, with its first endTime. */
  async setState(caller: Caller, ref: ConversationRef, state: ConversationState): Promise<Conversation> {
    if (state === 'STATE_UNSPECIFIED') throw invalidArgument('state', 'must be ACTIVE, ON_HOLD or CLOSED');
    return this.mutate(caller, ref, (current) => {
      if (current.state === state) return null;
      if (current.state === 'CLOSED') throw failedPrecondition('conversation is closed and cannot be reopened');
      const event: EventType = state === 'CLOSED' ? 'CONVERSATION_END' : state === 'ON_HOLD' ? 'CONVERSATION_HOLD' : 'CONVERSATION_UNHOLD';
      const changes: Partial<Conversation> = { state };
      if (state === 'CLOSED') changes.endTime = new Date();
      return { changes, event, payload: { from: current.state, to: state } };
    });
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
    return this.db.transaction(async (tx) => {
      const s = stores(tx);
      const current = await s.conversations.getConversation(ref, { forUpdate: true });
      if (!current) throw notFound('conversation');
      const decision = await decide(current, s);
      if (!decision) return current;
      return applyChange(s, caller, current, decision.changes, [{ type: decision.event, payload: decision.payload }]);
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
