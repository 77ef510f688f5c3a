import type { Stores } from '../../store/index.ts';
import { actorOf } from '../tenancy/access.ts';
import { failedPrecondition, ParleyError } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import type {
  Caller, CloseReason, Conversation, ConversationEvent, ConversationMode, ConversationState, EventType, JsonObject,
} from '../../kernel/types.ts';
import type { ConversationInput, DeskFields, StartDefaults, StartOptions } from './conversation-input.ts';
import { resolveNameIn } from './resolve.ts';

/**
 * A conversation's lifecycle: the ONE module that writes its state columns. Every surface (the
 * conversations API, voice calls, ingest, and next the support desk's handoff) changes a
 * conversation's state by calling this module inside its own transaction, with the row locked, and
 * each change writes its event in that transaction.
 *
 *   start ──> ACTIVE <──hold/unhold──> ON_HOLD
 *               └──────── close ──────────┴──> CLOSED (final; reason COMPLETED or ABANDONED)
 *   handoff: mode AI <-> MANUAL while not CLOSED     delete: from any state, the row goes
 */
export const LIFECYCLE_FIELDS = ['state', 'endTime', 'closeReason', 'mode'] as const satisfies readonly (keyof Conversation)[];

/** The state transitions: the states each leaves from, where it leads and the event it writes. */
export const TRANSITIONS = {
  hold: { from: ['ACTIVE'], to: 'ON_HOLD', event: 'CONVERSATION_HOLD' },
  unhold: { from: ['ON_HOLD'], to: 'ACTIVE', event: 'CONVERSATION_UNHOLD' },
  close: { from: ['ACTIVE', 'ON_HOLD'], to: 'CLOSED', event: 'CONVERSATION_END' },
} as const satisfies Record<string, { from: readonly ConversationState[]; to: ConversationState; event: EventType }>;
export type Transition = keyof typeof TRANSITIONS;

/** The event a handoff (a change of mode) writes. */
export const HANDOFF_EVENT: EventType = 'CONVERSATION_TRANSFER';
/** The event that hands an outbound first message to whoever delivers it (the support desk's start; a webhook endpoint sends it). */
export const OUTBOUND_EVENT: EventType = 'MESSAGE_OUTBOUND';
/** The event a deletion writes: it outlives the conversation (ids only, no content). */
export const DELETE_EVENT: EventType = 'CONVERSATION_DELETE';

/**
 * The transition that takes a conversation from `from` to `to`; null when it is there already (a
 * no-op, no event). CLOSED is final: reopening is FAILED_PRECONDITION.
 */
export function transitionBetween(from: ConversationState, to: ConversationState): Transition | null {
  if (from === to) return null;
  for (const [name, t] of Object.entries(TRANSITIONS) as [Transition, (typeof TRANSITIONS)[Transition]][]) {
    if (t.to === to && (t.from as readonly ConversationState[]).includes(from)) return name;
  }
  if (from === 'CLOSED') throw failedPrecondition('conversation is closed and cannot be reopened');
  throw failedPrecondition(`a conversation cannot go from ${from} to ${to}`);
}

export interface MoveOptions {
  /** When a close happened (default now). */
  endTime?: Date;
  /** Why a close happened (default COMPLETED). */
  closeReason?: CloseReason;
  /** Written into the event after `from` and `to` (the surface's own words, e.g. a call id). */
  payload?: JsonObject;
}

/**
 * Moves a locked conversation to `target` and writes the transition's event (`{ from, to, ...payload }`).
 * Returns the conversation unchanged when it is in `target` already.
 */
export async function moveTo(
  s: Stores,
  caller: Caller,
  current: Conversation,
  target: ConversationState,
  options: MoveOptions = {},
): Promise<Conversation> {
  const move = planMove(current.state, target, options);
  return move ? write(s, caller, current, move.changes, move.event) : current;
}

/**
 * What moveTo writes, without writing it (null: already there): for a statement that writes a new
 * conversation together with its other rows (an ingest create that closes what it logs).
 */
export function planMove(
  from: ConversationState, target: ConversationState, options: MoveOptions = {},
): { changes: Partial<Conversation>; event: { type: EventType; payload: JsonObject } } | null {
  const transition = transitionBetween(from, target);
  if (!transition) return null;
  const changes: Partial<Conversation> = { state: target };
  if (target === 'CLOSED') {
    changes.endTime = options.endTime ?? new Date();
    changes.closeReason = options.closeReason ?? 'COMPLETED';
  }
  return { changes, event: { type: TRANSITIONS[transition].event, payload: { from, to: target, ...options.payload } } };
}

/** The event a start writes. */
export function startEvent(conversation: Pick<Conversation, 'source' | 'channel'>): { type: EventType; payload: JsonObject } {
  return { type: 'CONVERSATION_START', payload: { source: conversation.source, channel: conversation.channel } };
}

/**
 * Hands a conversation between the agent runtime (AI) and a human (MANUAL). Same mode: a no-op; a
 * closed conversation answers nobody, so its mode cannot change.
 */
export async function handOff(s: Stores, caller: Caller, current: Conversation, mode: ConversationMode, payload: JsonObject = {}): Promise<Conversation> {
  if (current.mode === mode) return current;
  if (current.state === 'CLOSED') throw failedPrecondition('conversation is closed; its mode cannot change');
  return write(s, caller, current, { mode }, { type: HANDOFF_EVENT, payload: { from: current.mode, to: mode, ...payload } });
}

/**
 * Deletes a locked conversation. Its CONVERSATION_DELETE is appended first (appending needs the
 * row) and is the one event the store keeps: it carries ids only, enough for a follower to name
 * what is gone.
 */
export async function remove(s: Stores, caller: Caller, current: Conversation): Promise<void> {
  await s.events.appendEvents(current.customerId, current.id, actorOf(caller), [
    { type: DELETE_EVENT, payload: { profileId: current.profileId, nameId: current.nameId } },
  ]);
  await s.conversations.deleteConversation({ customerId: current.customerId, id: current.id });
}

/**
 * Starts a conversation (ACTIVE, mode AI) inside a caller's transaction, after the profile check
 * and with input already checked: idempotent on the caller's conversation id (an existing one is
 * returned unchanged, `created: false`). BatchStartConversations runs it once per request.
 */
export async function startIn(
  s: Stores,
  caller: Caller,
  customerId: string,
  profileId: string,
  conversationId: string | undefined,
  checked: ConversationInput & DeskFields,
  defaults: StartDefaults,
  options: StartOptions = {},
): Promise<{ conversation: Conversation; created: boolean }> {
  const id = newId();
  // A 24-hex conversationId that is another conversation's id starts (returns) that one, so no
  // conversation takes another's id as its name (resolve.ts).
  const nameId = conversationId === undefined ? id : (await resolveNameIn(s, customerId, profileId, conversationId)).nameId;
  const created = await s.conversations.insertConversation({
    channel: defaults.channel,
    ...checked,
    source: checked.source && checked.source !== 'SOURCE_UNSPECIFIED' ? checked.source : defaults.source,
    customerId,
    profileId,
    id,
    nameId,
    startTime: checked.startTime ?? new Date(),
    state: 'ACTIVE',
  });
  if (!created) {
    const existing = await s.conversations.getConversation({ customerId, profileId, nameId });
    if (!existing) throw new ParleyError('ABORTED', 'conversation was deleted while starting; retry');
    return { conversation: existing, created: false };
  }
  await s.events.appendEvents(customerId, id, actorOf(caller), [startEvent(created)]);
  const agent = created.agentUserName || created.agent;
  if (options.closeAgentOtherConversations && agent) {
    // One statement for all of the agent's open conversations (closed as COMPLETED), then their events.
    for (const closedId of await s.conversations.closeAgentConversations(customerId, profileId, agent, id)) {
      await s.events.appendEvents(customerId, closedId, actorOf(caller), [
        { type: 'CONVERSATION_END', payload: { reason: 'closeAgentOtherConversations', by: id } },
      ]);
    }
  }
  return { conversation: created, created: true };
}

/** A handoff event (CONVERSATION_TRANSFER is also a call's transfer, which names no modes). */
export function isHandoff(event: Pick<ConversationEvent, 'type' | 'payload'>): boolean {
  return event.type === HANDOFF_EVENT && typeof event.payload.to === 'string' && event.payload.to in MODE_NAMES;
}
const MODE_NAMES: Record<ConversationMode, true> = { AI: true, MANUAL: true };

async function write(
  s: Stores,
  caller: Caller,
  current: Conversation,
  changes: Partial<Conversation>,
  event: { type: EventType; payload: JsonObject },
): Promise<Conversation> {
  const updated = await s.conversations.updateConversation({ customerId: current.customerId, id: current.id }, changes);
  await s.events.appendEvents(current.customerId, current.id, actorOf(caller), [event]);
  return updated!;
}
