import { isUpdatableField, type ConversationInput } from '../../core/conversations/conversation-input.ts';
import type { MessageInput } from '../../core/messages/messages.ts';
import type { Conversation, ConversationEvent, JsonObject, Message, Participant, Tag } from '../../kernel/types.ts';
import { invalidArgument } from '../../kernel/errors.ts';
import { parseDuration } from '../kit/google/schemas.ts';
import { conversationName, eventName, messageName, tagName } from './names.ts';
import type { ConversationBody, ConversationWire, MessageWire } from './schemas.ts';

export function formatDuration(seconds: number): string {
  return `${Number(seconds.toFixed(9))}s`;
}

/** Fields UpdateConversation refuses because the vendor changes them with their own RPCs. */
const DEDICATED_FIELDS: Partial<Record<keyof Conversation, string>> = {
  state: 'UpdateConversationState (:updateState) or CloseConversation (:close)',
  audioPersistenceState: 'UpdateConversationAudioPersistenceState (:updateAudioPersistenceState)',
  persistedAudioUri: 'UpdateConversationAudioPersistenceState (:updateAudioPersistenceState)',
  audioAnalysis: 'UpdateConversationAudioPersistenceState (:updateAudioPersistenceState)',
  persistedAudioDuration: 'UpdateConversationAudioPersistenceState (:updateAudioPersistenceState)',
  sharingState: 'UpdateConversationSharingState (:updateSharingState)',
  metadata: 'UpsertConversationMetadata (:upsertMetadata)',
};

/**
 * UpdateConversation's `updateMask`, split. A field the vendor changes with a dedicated RPC is
 * refused here, naming that RPC; the first field that is not updatable at all is left for the core
 * to refuse, so the error is the one the mask's order calls for.
 */
export function updateMaskFromWire(updateMask: string): string[] {
  const mask = updateMask.split(',').map((f) => f.trim()).filter(Boolean);
  for (const field of mask) {
    const dedicated = DEDICATED_FIELDS[field as keyof Conversation];
    if (dedicated) throw invalidArgument('updateMask', `${field} is changed with ${dedicated}`);
    if (!isUpdatableField(field)) break;
  }
  return mask;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : undefined);

export function conversationToWire(c: Conversation): ConversationWire {
  return {
    name: conversationName(c),
    agent: c.agent,
    participants: c.participants.map((p) => ({ ...p, joinTime: p.joinTime ?? undefined, leaveTime: p.leaveTime ?? undefined })),
    agentInfo: c.agentInfo,
    agentUserName: c.agentUserName,
    team: c.team,
    visitor: c.visitor,
    conversationCorrelationId: c.conversationCorrelationId,
    skill: c.skill,
    platformInfo: c.platformInfo,
    startTime: iso(c.startTime),
    endTime: iso(c.endTime),
    audioPersistenceState: c.audioPersistenceState,
    persistedAudioUri: c.persistedAudioUri,
    audioAnalysis: c.audioAnalysis
      ? { ...c.audioAnalysis, bucketDuration: c.audioAnalysis.bucketDuration === undefined ? undefined : formatDuration(c.audioAnalysis.bucketDuration) }
      : {},
    persistedAudioDuration: c.persistedAudioDuration === null ? undefined : formatDuration(c.persistedAudioDuration),
    legacyChatId: c.legacyChatId ?? 0,
    state: c.state,
    raiseHandState: c.raiseHandState,
    languageCode: c.languageCode,
    channel: c.channel,
    source: c.source,
    metadata: c.metadata,
    displayName: c.displayName,
    sharingState: c.sharingState,
    policyOverride: c.policyOverride,
    usecase: c.usecase,
    createTime: iso(c.createTime),
    corruptionState: c.corruptionState,
    virtualAgent: c.virtualAgent,
    ingestedByJob: c.ingestedByJob,
    transferInfo: c.transferInfo,
    persistenceState: c.persistenceState,
    multiLanguageMode: c.multiLanguageMode,
    updateTime: iso(c.updateTime),
    uid: c.id,
  };
}

function participantFromWire(p: NonNullable<ConversationBody['participants']>[number]): Participant {
  return {
    role: p.role ?? 'ROLE_UNSPECIFIED',
    user: p.user ?? '',
    platformAgentId: p.platformAgentId ?? '',
    externalUserId: p.externalUserId ?? '',
    displayName: p.displayName ?? '',
    joinTime: p.joinTime ? new Date(p.joinTime).toISOString() : null,
    leaveTime: p.leaveTime ? new Date(p.leaveTime).toISOString() : null,
  };
}

/** The settable fields of a wire Conversation; output-only fields are dropped (AIP-203). */
export function conversationFromWire(body: ConversationBody): ConversationInput & { metadata?: Conversation['metadata'] } {
  const input: ConversationInput & { metadata?: Conversation['metadata'] } = {};
  const copy = ['agent', 'agentInfo', 'agentUserName', 'team', 'visitor', 'conversationCorrelationId', 'skill', 'platformInfo',
    'raiseHandState', 'languageCode', 'channel', 'source', 'displayName', 'policyOverride', 'usecase', 'corruptionState',
    'virtualAgent', 'transferInfo', 'multiLanguageMode', 'legacyChatId', 'metadata'] as const;
  for (const field of copy) {
    if (body[field] !== undefined) (input as Record<string, unknown>)[field] = body[field];
  }
  if (body.participants) input.participants = body.participants.map(participantFromWire);
  if (body.startTime) input.startTime = new Date(body.startTime);
  return input;
}

export function messageToWire(conversation: Pick<Conversation, 'customerId' | 'profileId' | 'nameId'>, m: Message): MessageWire {
  return {
    name: messageName(conversation, m.id),
    legacyMessageId: m.legacyMessageId,
    text: m.text,
    textHtml: m.textHtml,
    transcriptionInfo: m.transcriptionInfo ?? {},
    agent: m.agent,
    speaker: m.speaker,
    speakerInfo: m.speakerInfo ?? {},
    state: m.state,
    sequencePosition: m.seq,
    createTime: iso(m.createTime),
    updateTime: iso(m.updateTime),
    audioStartOffset: m.audioStartOffset === null ? undefined : formatDuration(m.audioStartOffset),
    audioEndOffset: m.audioEndOffset === null ? undefined : formatDuration(m.audioEndOffset),
    originalEventData: m.originalEventData ?? {},
    language: m.language,
    redactions: m.redactions,
  };
}

export function messageFromWire(body: Omit<MessageWire, 'redactions'>): MessageInput {
  return {
    text: body.text ?? '',
    textHtml: body.textHtml,
    legacyMessageId: body.legacyMessageId,
    transcriptionInfo: (body.transcriptionInfo as JsonObject | undefined) ?? null,
    agent: body.agent,
    speaker: body.speaker,
    speakerInfo: (body.speakerInfo as JsonObject | undefined) ?? null,
    state: body.state,
    createTime: body.createTime ? new Date(body.createTime) : undefined,
    audioStartOffset: body.audioStartOffset === undefined ? null : parseDuration(body.audioStartOffset),
    audioEndOffset: body.audioEndOffset === undefined ? null : parseDuration(body.audioEndOffset),
    originalEventData: (body.originalEventData as JsonObject | undefined) ?? null,
    language: body.language,
  };
}

export function eventToWire(conversation: Pick<Conversation, 'customerId' | 'profileId' | 'nameId'>, e: ConversationEvent) {
  return {
    name: eventName(conversation, e.seq),
    associatedMessage: e.associatedMessage ? messageName(conversation, e.associatedMessage) : '',
    associatedActionAnnotation: '',
    type: e.type,
    createTime: e.createTime.toISOString(),
    actor: e.actor,
    payload: e.payload,
  };
}

export function tagToWire(t: Tag) {
  return { name: tagName(t.customerId, t.profileId, t.id), displayName: t.displayName, createTime: t.createTime.toISOString() };
}
