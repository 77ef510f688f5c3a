import type { Call, CallState } from '../../store/calls.ts';
import type { Stores } from '../../store/index.ts';
import { applyChange } from '../conversations/conversations.ts';
import { moveTo } from '../conversations/lifecycle.ts';
import { conversationName } from '../resource-names.ts';
import type { Caller, CloseReason, Conversation, ConversationState, EventType, JsonObject, Participant } from '../../kernel/types.ts';
import type { CallView } from './call-fold.ts';
import type { PersistedRecording } from './call-audio.ts';
import type { SessionEventInput } from './session-event.ts';

const CONVERSATION_STATE: Record<CallState, ConversationState> = { ACTIVE: 'ACTIVE', ON_HOLD: 'ON_HOLD', ENDED: 'CLOSED' };

/**
 * Brings a call's conversation in line with the fold of its events, in the event's transaction:
 * participants, identity, transfer and audio fields first (CONVERSATION_UPDATE, CONVERSATION_TRANSFER),
 * then its state through the lifecycle. An ended call changes nothing more, and a conversation
 * closed on another surface stays closed. Returns the call's next state.
 */
export async function followCall(
  s: Stores,
  caller: Caller,
  call: Call,
  conversation: Conversation,
  view: CallView,
  event: SessionEventInput,
  recording: PersistedRecording | undefined,
): Promise<CallState> {
  const changes: Partial<Conversation> = {};
  const events: { type: EventType; payload: JsonObject }[] = [];
  const ended = call.state === 'ENDED';
  if (!ended) {
    if (JSON.stringify(view.participants) !== JSON.stringify(conversation.participants)) changes.participants = view.participants;
    if (view.startTime && view.startTime.getTime() !== conversation.startTime.getTime()) changes.startTime = view.startTime;
    Object.assign(changes, identityChanges(conversation, view.participants));
    if (view.masterCallId && !conversation.transferInfo.masterConversation) {
      const transferInfo = await transferInfoOf(s, call, view);
      if (transferInfo) changes.transferInfo = transferInfo;
    }
  }
  const nextState = ended ? call.state : view.state;
  if (nextState === 'ENDED' && !ended) Object.assign(changes, audioChanges(recording));
  if (Object.keys(changes).length > 0) events.push({ type: 'CONVERSATION_UPDATE', payload: { fields: Object.keys(changes) } });
  if (!ended && event.eventType === 'CALL_TRANSFER') {
    events.push({
      type: 'CONVERSATION_TRANSFER',
      payload: {
        platformMasterCallId: event.platformMasterCallId ?? '',
        participants: (event.participants ?? []).map((p) => ({ role: p.role, user: p.user, platformAgentId: p.platformAgentId, externalUserId: p.externalUserId })),
        ...(event.platformTime ? { platformTime: event.platformTime.toISOString() } : {}),
      },
    });
  }
  const ref = { customerId: call.customerId, id: call.conversationId };
  if (events.length > 0) await applyChange(s, caller, ref, changes, events);
  const target = CONVERSATION_STATE[nextState];
  if (target !== conversation.state && conversation.state !== 'CLOSED') {
    const reason = event.payload?.reason;
    const payload: JsonObject = { platformCallId: call.platformCallId };
    if (target === 'CLOSED' && reason) payload.reason = reason;
    await moveTo(s, caller, conversation, target, { endTime: view.endTime ?? new Date(), closeReason: closeReasonOf(reason), payload });
  }
  return nextState;
}

/** A platform that ends a call as `abandoned` (the caller hung up first) closes it as ABANDONED. */
function closeReasonOf(reason: unknown): CloseReason {
  return reason === 'abandoned' ? 'ABANDONED' : 'COMPLETED';
}

/** agent / agentInfo / visitor from the first AGENT and VISITOR participants, when not set yet. */
function identityChanges(conversation: Conversation, participants: readonly Participant[]): Partial<Conversation> {
  const changes: Partial<Conversation> = {};
  const agent = participants.find((p) => p.role === 'AGENT');
  if (agent && !conversation.agent && !conversation.agentInfo.user && !conversation.agentInfo.platformAgentId) {
    if (agent.user) changes.agent = agent.user;
    changes.agentInfo = {
      ...(agent.user ? { user: agent.user } : {}),
      ...(agent.platformAgentId ? { platformAgentId: agent.platformAgentId } : {}),
      ...(agent.displayName ? { displayName: agent.displayName } : {}),
    };
  }
  const visitor = participants.find((p) => p.role === 'VISITOR');
  if (visitor && !conversation.visitor.externalUserId && visitor.externalUserId) {
    changes.visitor = { ...conversation.visitor, externalUserId: visitor.externalUserId, ...(visitor.displayName ? { displayName: visitor.displayName } : {}) };
  }
  return changes;
}

/** The conversation's audio fields at CALL_END (UpdateConversationAudioPersistenceState semantics). */
function audioChanges(recording: PersistedRecording | undefined): Partial<Conversation> {
  if (!recording) return {};
  if (!recording.ok) return { audioPersistenceState: 'PERSIST_FAILED' };
  return {
    audioPersistenceState: 'PERSISTED',
    persistedAudioUri: recording.uri,
    persistedAudioDuration: recording.durationSeconds,
    audioAnalysis: recording.analysis,
  };
}

/**
 * A transferred leg's transferInfo: its master call's and previous leg's conversations. Stored as
 * resource names because the conversations surface renders the field verbatim.
 */
async function transferInfoOf(s: Stores, call: Call, view: CallView): Promise<Conversation['transferInfo'] | undefined> {
  const master = await s.calls.getCallByPlatformId(call.customerId, call.profileId, view.masterCallId);
  if (!master) return undefined;
  const previous = (await s.calls.previousLeg(call.customerId, call.profileId, view.masterCallId, call.conversationId)) ?? master;
  const [masterConversation, previousConversation] = await Promise.all([master, previous].map((c) =>
    s.conversations.getConversation({ customerId: c.customerId, id: c.conversationId })));
  if (!masterConversation || !previousConversation) return undefined;
  return {
    masterConversation: conversationName(masterConversation),
    previousConversation: conversationName(previousConversation),
    ...(view.transferTime ? { transferTime: view.transferTime.toISOString() } : {}),
  };
}
