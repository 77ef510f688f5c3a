import { Type, type TSchema } from '@sinclair/typebox';
import { StringEnum } from '../kit/string-enum.ts';
import type { JsonObject as JsonObjectType } from '../../kernel/types.ts';

/*
 * The support surface's wire schemas: raia's objects and bodies as its published OpenAPI document
 * gives them (API-FACTS §4), camelCase. Ids go out in their UUID form (ids.ts).
 */

const Obj = <T extends Record<string, TSchema>>(props: T, options: { title?: string } = {}) => Type.Object(props, { additionalProperties: false, ...options });
const Opt = Type.Optional;
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Timestamp = Type.String({ format: 'date-time', description: 'RFC 3339 UTC' });
const WireId = (description: string) => Type.String({ description: `${description} (a UUID; the Parley id's hex digits inside)` });
/** Free JSON the caller owns (customData). */
const JsonObject = Type.Unsafe<JsonObjectType>(Type.Record(Type.String(), Type.Unknown()));

/** The longest free text a body field takes where raia names no limit [Parley]. */
export const SUPPORT_TEXT_MAX = 32_000;
export const CONTEXT_MAX = 256_000;
export const TITLE_MAX = 255;
const Text = (description: string, maxLength = SUPPORT_TEXT_MAX) => Type.String({ maxLength, description });

export const SENDER_ROLES = ['conversation_user', 'assistant', 'manual_assistant'] as const;
export const MESSAGE_SOURCES = ['email', 'sms', 'live_chat', 'copilot', 'api', 'voice', 'ms_teams'] as const;
export const MODES = ['manual', 'ai'] as const;
export const STATUSES = ['active', 'inactive', 'archived'] as const;
export const VOTE_TYPES = ['up', 'down'] as const;
export const ORDER_BY = ['createdAt', 'updatedAt'] as const;
export const ORDER_DIRECTIONS = ['ASC', 'DESC'] as const;

// ---- errors [vendor]

export const ErrorBody = Obj({
  status: Type.Number(),
  name: Type.String({ description: 'FORBIDDEN_ERROR, ENTITY_NOT_FOUND_ERROR, BAD_REQUEST, …' }),
  message: Type.String(),
  details: Type.Array(Type.Object({}, { additionalProperties: true })),
}, { title: 'ErrorResponse' });
export const InternalErrorBody = Obj({ status: Type.Number(), message: Type.String() }, { title: 'InternalServerError' });
export const errorResponses = { 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 413: ErrorBody, 500: InternalErrorBody, 503: ErrorBody };

// ---- objects [vendor]

export const User = Obj({
  id: WireId('The end user'),
  firstName: Type.String(),
  lastName: Type.String(),
  context: Opt(Type.String()),
  source: Opt(Type.String()),
  fkId: Opt(Type.String()),
  fkUserId: Opt(Type.String()),
  email: Opt(Type.String()),
  phoneNumber: Opt(Type.String()),
  metadata: Opt(JsonObject),
  isAnonymized: Type.Boolean(),
}, { title: 'ExternalApiUserResponseDTO' });

/** A vote as a message shows it; a conversation's `feedbacks` add when it was cast and changed. */
const voteFields = {
  id: WireId('The feedback'),
  voteType: StringEnum(VOTE_TYPES),
  question: Nullable(Type.String()),
  answer: Nullable(Type.String()),
  comment: Nullable(Type.String()),
  userEmail: Opt(Nullable(Type.String())),
};
export const MessageFeedback = Obj(voteFields, { title: 'BaseFeedbackResponseDTO' });
export const Feedback = Obj({ ...voteFields, createdAt: Timestamp, updatedAt: Timestamp }, { title: 'FeedbackResponseDTO' });

const conversationFields = {
  id: WireId('The conversation'),
  conversationUserId: WireId('The end user the conversation is with'),
  title: Opt(Type.String()),
  score: Opt(Type.Number({ description: 'From the conversation\'s analysis: 1 (very negative) to 5 (very positive) [Parley]' })),
  summary: Opt(Type.String({ description: 'From the conversation\'s analysis' })),
  aiConversationId: Type.String({ description: 'The conversation\'s 24-hex Parley id, as the other surfaces name it [Parley]' }),
  metadata: Opt(Obj({ customData: JsonObject })),
  aiCallId: Opt(Type.String()),
  mode: Opt(StringEnum(MODES)),
  conversationStateId: Opt(Type.String()),
  user: User,
  isAnonymized: Type.Boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
};
export const Conversation = Obj(conversationFields, { title: 'ConversationResponseDTO' });
export const ConversationWithFeedbacks = Obj({ ...conversationFields, feedbacks: Type.Array(Feedback) }, { title: 'ConversationWithFeedbacksResponseDTO' });

export const Message = Obj({
  id: WireId('The message'),
  message: Type.String(),
  rawMessage: Opt(Type.String()),
  conversationId: WireId('The conversation'),
  senderRole: StringEnum(SENDER_ROLES),
  conversationMessageId: WireId('The question this message answers; a question names itself'),
  source: StringEnum(MESSAGE_SOURCES),
  createdAt: Timestamp,
  conversationMessageFeedbacks: Opt(Type.Array(MessageFeedback)),
  isAnonymized: Type.Boolean(),
}, { title: 'ConversationMessageResponseDTO' });

export const MessagesResponse = Obj({ messages: Type.Array(Message) }, { title: 'GetConversationMessagesResponseDTO' });

export const ReplyStatus = Obj({
  status: StringEnum(['pending', 'completed', 'failed'] as const),
  message: Nullable(Message),
  error: Nullable(Type.String()),
}, { title: 'GetResponseOnResponseDTO' });

export const ConversationsPage = Obj({
  currentPage: Type.Number(),
  pageSize: Type.Number(),
  totalItems: Type.Number(),
  totalPages: Type.Number(),
  hasNextPage: Type.Boolean(),
  hasPreviousPage: Type.Boolean(),
  data: Type.Array(ConversationWithFeedbacks),
}, { title: 'GetConversationWithFeedbacksResponseDTO' });

export const Started = Obj({ conversationId: WireId('The conversation') }, { title: 'StartConversationResponseDTO' });

// ---- parameters and bodies [vendor]

export const ConversationParams = Obj({ id: Type.String({ description: 'The conversation (its UUID form or 24-hex Parley id)' }) });
export const QuestionParams = Obj({
  id: Type.String({ description: 'The conversation' }),
  questionMessageId: Type.String({ description: 'The question: the user\'s message the async call returned' }),
});

export const ListQuery = Obj({
  page: Opt(Type.Integer({ minimum: 1, default: 1, description: 'Page number, from 1' })),
  pageSize: Opt(Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Page size, at most 100 [Parley]' })),
  orderBy: Opt(StringEnum(ORDER_BY, { description: 'Default: updatedAt; with searchKeyword, the best match first unless orderBy is given [Parley]' })),
  orderDirection: Opt(StringEnum(ORDER_DIRECTIONS, { description: 'Default: DESC' })),
  searchKeyword: Opt(Type.String({ minLength: 1, maxLength: 256, description: 'Words in the title, summary, agent name, user first and last name, email, phone number or message text' })),
  userId: Opt(Type.String({ description: 'The conversation user' })),
  startDate: Opt(Type.String({ format: 'date-time', description: 'Start date of conversation updatedAt' })),
  endDate: Opt(Type.String({ format: 'date-time', description: 'End date of conversation updatedAt' })),
  withFeedbacksOnly: Opt(Type.Boolean({ description: 'If true, returns conversations with at least one feedback' })),
});

export const CreateBody = Obj({
  conversationUserId: Type.String({ minLength: 1, maxLength: 256, description: 'The end user: their id, or your own id for them (created on first use) [Parley]' }),
  title: Opt(Text('Conversation title', TITLE_MAX)),
  context: Opt(Text('Conversation context', CONTEXT_MAX)),
  customData: Opt(JsonObject),
  conversationStateId: Opt(Type.String({ description: 'One of the customer\'s conversation states' })),
});

export const DeleteUserConversationsBody = Obj({ conversationUserId: Type.String({ minLength: 1, maxLength: 256 }) });

export const UpdateBody = Obj({
  title: Opt(Text('Conversation title', TITLE_MAX)),
  context: Opt(Text('Conversation context', CONTEXT_MAX)),
  status: Opt(StringEnum(STATUSES, { description: 'active, inactive (on hold) or archived (closed, final) [Parley]' })),
  conversationStateId: Opt(Nullable(Type.String({ description: 'One of the customer\'s conversation states; null clears it' }))),
});

export const ModeBody = Obj({ mode: StringEnum(MODES) });

const MessageFile = Type.Object({}, { additionalProperties: true, description: 'Message files are not supported by Parley: a non-empty list is refused' });
export const MessageBody = Obj({
  message: Type.String({ minLength: 1, maxLength: SUPPORT_TEXT_MAX, description: 'The message the user sends to the agent' }),
  context: Opt(Text('Context of the message')),
  files: Opt(Type.Array(MessageFile, { maxItems: 0 })),
});
export const ListMessagesQuery = Obj({
  shouldIncludeFeedbacks: Opt(Type.Boolean()),
  orderDirection: Opt(StringEnum(ORDER_DIRECTIONS, { description: 'Message created-at order. Default: ASC' })),
});

export const ManualMessageBody = Obj({
  message: Type.String({ minLength: 1, maxLength: SUPPORT_TEXT_MAX, description: 'The message sent to the user' }),
  conversationMessageId: Opt(Type.String({ description: 'The user\'s question this answers (completes its async poll)' })),
  authorId: Opt(Type.String({ maxLength: 256, description: 'Who wrote it (the human agent)' })),
  files: Opt(Type.Array(MessageFile, { maxItems: 0 })),
});

const startFields = {
  firstName: Type.String({ minLength: 1, maxLength: 256 }),
  lastName: Type.String({ minLength: 1, maxLength: 256 }),
  context: Opt(Text('What the agent is told about the user', CONTEXT_MAX)),
  conversationContext: Opt(Text('What the agent is told about the conversation', CONTEXT_MAX)),
  source: Opt(Type.String({ maxLength: 256 })),
  fkId: Opt(Type.String({ maxLength: 256 })),
  fkUserId: Opt(Type.String({ maxLength: 256 })),
  customData: Opt(JsonObject),
  conversationStateId: Opt(Type.String()),
  authorId: Opt(Type.String({ maxLength: 256 })),
  skipPhoneNumberValidation: Opt(Type.Boolean()),
  skipEmailValidation: Opt(Type.Boolean()),
  resetConversation: Opt(Type.Boolean({ default: false, description: 'Close the user\'s open conversations with this agent first' })),
};
export const StartEmailBody = Obj({
  ...startFields,
  channel: StringEnum(['email'] as const),
  email: Type.String({ minLength: 3, maxLength: 320 }),
  emailSubject: Type.String({ minLength: 1, maxLength: 998 }),
  emailIntroduction: Text('The first message, sent by email'),
  includeSignatureInEmail: Opt(Type.Boolean()),
  phoneNumber: Opt(Type.String({ maxLength: 32 })),
}, { title: 'StartEmailConversationBodyDTO' });
export const StartSmsBody = Obj({
  ...startFields,
  channel: StringEnum(['sms'] as const),
  phoneNumber: Type.String({ minLength: 3, maxLength: 32 }),
  smsIntroduction: Text('The first message, sent by SMS'),
  email: Opt(Type.String({ maxLength: 320 })),
}, { title: 'StartSmsConversationBodyDTO' });
export const StartVoiceBody = Obj({
  ...startFields,
  channel: StringEnum(['voice'] as const),
  phoneNumber: Type.String({ minLength: 3, maxLength: 32 }),
  firstMessage: Opt(Text('What the agent says first on the call')),
  email: Opt(Type.String({ maxLength: 320 })),
}, { title: 'StartVoiceConversationBodyDTO' });
export const StartBody = Type.Union([StartEmailBody, StartSmsBody, StartVoiceBody]);

export const FeedbackBody = Obj({
  conversationMessageId: Type.String({ description: 'The message voted on' }),
  userId: Type.String({ maxLength: 256, description: 'Who votes' }),
  voteType: StringEnum(VOTE_TYPES),
  question: Type.String({ maxLength: SUPPORT_TEXT_MAX }),
  answer: Opt(Type.String({ maxLength: SUPPORT_TEXT_MAX })),
  comment: Opt(Type.String({ maxLength: SUPPORT_TEXT_MAX })),
});
export const FeedbackResponse = Obj({
  id: WireId('The feedback'),
  conversationMessageId: WireId('The message voted on'),
  voteType: StringEnum(VOTE_TYPES),
  question: Nullable(Type.String()),
  answer: Nullable(Type.String()),
  comment: Nullable(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}, { title: 'ExternalApiCrateOrUpdateConversationMessageFeedbackResponseDTO' });

export const ConversationState = Obj({
  id: WireId('The state'),
  name: Type.String(),
  description: Nullable(Type.String()),
  color: Nullable(Type.String()),
  isPersistent: Type.Boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}, { title: 'ExternalApiGetConversationStateResponseDTO' });
export const ConversationStates = Type.Array(ConversationState);
