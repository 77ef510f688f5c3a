import { Type, type TSchema, type Static } from '@sinclair/typebox';
import { LIMITS } from '../../kernel/limits.ts';
import {
  AUDIO_PERSISTENCE_STATES, CHANNELS, CONVERSATION_STATES, CORRUPTION_STATES, EVENT_TYPES, MESSAGE_STATES,
  MULTI_LANGUAGE_MODES, PERSISTENCE_STATES, RAISE_HAND_STATES, SHARING_STATES, SOURCES,
} from '../../kernel/types.ts';
import { StringEnum } from '../kit/string-enum.ts';
import { ConversationParams, Duration, FreeObject, Role, Timestamp } from '../kit/google/schemas.ts';

// The shared Cresta vocabulary is part of this surface's wire too.
export { StringEnum };
export { ConversationParams, Duration, Empty, ErrorResponse, FreeObject, Int64, ProfileParams, Role, Timestamp } from '../kit/google/schemas.ts';

const Str = (max: number = LIMITS.shortString) => Type.String({ maxLength: max });
const Obj = <T extends Record<string, TSchema>>(props: T) => Type.Object(props, { additionalProperties: false });
const Opt = Type.Optional;

export const Participant = Obj({
  role: Opt(Role), user: Opt(Str()), platformAgentId: Opt(Str()), externalUserId: Opt(Str()), displayName: Opt(Str()),
  joinTime: Opt(Timestamp), leaveTime: Opt(Timestamp),
});
export const AgentInfo = Obj({ user: Opt(Str()), displayName: Opt(Str()), platformAgentId: Opt(Str()) });
export const Visitor = Obj({ externalUserId: Opt(Str()), displayName: Opt(Str()), email: Opt(Str()), phoneNumber: Opt(Str()) });
export const PlatformInfo = Obj({ platform: Opt(Str()), platformConversationId: Opt(Str()), platformAccountId: Opt(Str()) });
export const TransferInfo = Obj({ masterConversation: Opt(Str()), previousConversation: Opt(Str()), transferTime: Opt(Timestamp) });
export const AudioAnalysis = Obj({
  bucketDuration: Opt(Duration),
  agentEnergy: Opt(Type.Array(Type.Number(), { maxItems: 100_000 })),
  visitorEnergy: Opt(Type.Array(Type.Number(), { maxItems: 100_000 })),
});
export const PolicyOverride = Obj({ retentionDays: Opt(Type.Integer({ minimum: 0, maximum: 36500 })), skipPiiRedaction: Opt(Type.Boolean()) });
export const MetadataValues = Type.Record(Type.String({ maxLength: 256 }), Obj({ values: Type.Array(Str(), { maxItems: 100 }) }), { maxProperties: LIMITS.metadataKeys });

/** Every field of the seed's Conversation, in the seed's order. */
const conversationFields = {
  name: Opt(Str()),
  agent: Opt(Str()),
  participants: Opt(Type.Array(Participant, { maxItems: LIMITS.participants })),
  agentInfo: Opt(AgentInfo),
  agentUserName: Opt(Str()),
  team: Opt(Str()),
  visitor: Opt(Visitor),
  conversationCorrelationId: Opt(Str()),
  skill: Opt(Str()),
  platformInfo: Opt(PlatformInfo),
  startTime: Opt(Timestamp),
  endTime: Opt(Timestamp),
  audioPersistenceState: Opt(StringEnum(AUDIO_PERSISTENCE_STATES)),
  persistedAudioUri: Opt(Str(4096)),
  audioAnalysis: Opt(AudioAnalysis),
  persistedAudioDuration: Opt(Duration),
  legacyChatId: Opt(Type.Integer({ minimum: -2147483648, maximum: 2147483647 })),
  state: Opt(StringEnum(CONVERSATION_STATES)),
  raiseHandState: Opt(StringEnum(RAISE_HAND_STATES)),
  languageCode: Opt(Type.String({ maxLength: 35 })),
  channel: Opt(StringEnum(CHANNELS)),
  source: Opt(StringEnum(SOURCES)),
  metadata: Opt(MetadataValues),
  displayName: Opt(Str()),
  sharingState: Opt(StringEnum(SHARING_STATES)),
  policyOverride: Opt(PolicyOverride),
  usecase: Opt(Str()),
  createTime: Opt(Timestamp),
  corruptionState: Opt(StringEnum(CORRUPTION_STATES)),
  virtualAgent: Opt(Str()),
  ingestedByJob: Opt(Str()),
  transferInfo: Opt(TransferInfo),
  persistenceState: Opt(StringEnum(PERSISTENCE_STATES)),
  multiLanguageMode: Opt(StringEnum(MULTI_LANGUAGE_MODES)),
};

/** Request body: a Conversation. Output-only fields are accepted and ignored (AIP-203). */
export const ConversationBody = Obj(conversationFields);
export type ConversationBody = Static<typeof ConversationBody>;

/**
 * Response: a Conversation with its output-only fields set. `uid` [Parley, after AIP-148's
 * system-assigned `uid`]: the conversation's 24-hex id, which every surface accepts (the last
 * segment of `name` is the client-chosen id when one was given).
 */
export const ConversationResponse = Type.Object({
  ...conversationFields,
  updateTime: Opt(Timestamp),
  uid: Opt(Type.String({ pattern: '^[a-f0-9]{24}$', description: "The conversation's 24-hex id: accepted in place of the name's last segment here, as conv_<uid> on the ingest surface" })),
});
export type ConversationWire = Static<typeof ConversationResponse>;

export const Redaction = Type.Object({ startIndex: Type.Integer(), endIndex: Type.Integer(), redactTime: Timestamp, redactor: Type.String() });

const messageFields = {
  name: Opt(Str()),
  legacyMessageId: Opt(Str()),
  text: Opt(Type.String({ maxLength: LIMITS.messageText })),
  textHtml: Opt(Type.String({ maxLength: LIMITS.messageText * 2 })),
  transcriptionInfo: Opt(FreeObject),
  agent: Opt(Str()),
  speaker: Opt(Role),
  speakerInfo: Opt(FreeObject),
  state: Opt(StringEnum(MESSAGE_STATES)),
  sequencePosition: Opt(Type.Integer()),
  createTime: Opt(Timestamp),
  updateTime: Opt(Timestamp),
  audioStartOffset: Opt(Duration),
  audioEndOffset: Opt(Duration),
  originalEventData: Opt(FreeObject),
  language: Opt(Type.String({ maxLength: 35 })),
};

/** Request body of CreateConversationMessage: a ConversationMessage plus an optional requestId. */
export const MessageBody = Obj({ ...messageFields, requestId: Opt(Type.String({ minLength: 1, maxLength: 256 })) });
export type MessageBody = Static<typeof MessageBody>;
export const MessageInBatch = Obj(messageFields);
export const MessageResponse = Type.Object({ ...messageFields, redactions: Type.Array(Redaction) });
export type MessageWire = Static<typeof MessageResponse>;

export const EventBody = Obj({
  name: Opt(Str()),
  associatedMessage: Opt(Str()),
  associatedActionAnnotation: Opt(Str()),
  type: StringEnum(EVENT_TYPES),
  callReason: Opt(FreeObject),
  entityFeedback: Opt(FreeObject),
  payload: Opt(FreeObject),
  createTime: Opt(Timestamp),
});
export const EventResponse = Type.Object({
  name: Type.String(), associatedMessage: Type.String(), associatedActionAnnotation: Type.String(), type: Type.String(),
  createTime: Timestamp, actor: Type.String(), payload: FreeObject,
});

export const TagResponse = Type.Object({ name: Type.String(), displayName: Type.String(), createTime: Timestamp });

/** Path params of routes under a message. */
export const MessageParams = Obj({ ...ConversationParams.properties, message: Type.String({ pattern: '^[a-f0-9]{24}$' }) });
