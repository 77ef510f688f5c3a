import { Type, type TSchema } from '@sinclair/typebox';
import { StringEnum } from '../kit/string-enum.ts';
import { MAX_LIST_OFFSET } from '../../core/conversations/filtered-list.ts';

/*
 * The agent surface's wire schemas: Amigo's objects (ConversationInstance, MessageInstance) and
 * query parameters as its published OpenAPI document gives them, snake_case.
 */

const Obj = <T extends Record<string, TSchema>>(props: T) => Type.Object(props, { additionalProperties: false });
const Opt = Type.Optional;
const Timestamp = Type.String({ format: 'date-time', description: 'RFC 3339 UTC' });
const HEX_ID = '^[a-f0-9]{24}$';
const HexId = (description: string) => Type.String({ pattern: HEX_ID, description });
/** A repeated query key (`id=a&id=b`); one value arrives as a one-element array. */
const Repeated = <T extends TSchema>(item: T, description: string) => Opt(Type.Array(item, { maxItems: 100, description }));

export const MESSAGE_TYPES = ['user-message', 'agent-message', 'agent-inner-thought', 'external-event'] as const;
export const POST_PROCESSINGS = ['generate-user-models', 'extract-memories', 'compute-metrics'] as const;
export const MessageType = StringEnum(MESSAGE_TYPES);
export const PostAnalysisType = StringEnum(POST_PROCESSINGS);

export const OrganizationParams = Obj({
  organization: Type.String({ description: 'The organization: the Parley customer id' }),
});
export const ConversationParams = Obj({
  organization: Type.String({ description: 'The organization: the Parley customer id' }),
  conversation_id: HexId('The conversation\'s 24-hex id (the same id on every surface)'),
});

// ---- sign-in

export const SignInHeaders = Type.Object({
  'x-api-key': Type.String({ description: 'The full Parley API key (pk_…)' }),
  'x-api-key-id': Type.String({ description: 'The key\'s 24-hex id (the part after pk_); another id is 401' }),
  'x-user-id': Type.String({ description: 'Your id for the end user; created on first sign-in' }),
  'x-mongo-cluster-name': Opt(Type.String({ description: 'Accepted and ignored (the vendor\'s routing hint)' })),
});
export const SignInResponse = Type.Object({
  id_token: Type.String({ description: 'An HS256 JWT for `Authorization: Bearer`' }),
  expires_at: Timestamp,
}, { title: 'SigninWithAPIKeyResponse' });

// ---- conversations

export const VersionSetInfo = Type.Object({
  name: Type.String(),
  agent_version_info: Type.Tuple([Type.String(), Type.Integer()]),
  service_hierarchical_state_machine_version_info: Type.Tuple([Type.String(), Type.Integer()]),
  llm_model_preferences: Type.Record(Type.String(), Type.Object({ llm_name: Type.String(), params: Type.Record(Type.String(), Type.Unknown()) })),
});

const conversationFields = {
  id: Type.String({ description: 'The conversation\'s 24-hex id' }),
  user_id: Type.String({ description: 'The end user (Parley: the visitor\'s external user id; empty when none)' }),
  created_at: Timestamp,
  is_finished: Type.Boolean(),
  is_analyzed: Type.Boolean(),
  completed_post_processings: Type.Array(PostAnalysisType),
  final_message: Type.String({ description: 'The text of the latest message; empty when none' }),
  service_id: Type.String({ description: 'The agent\'s 24-hex id; empty for a conversation held without one' }),
  version_set_info: Type.Union([VersionSetInfo, Type.Null()]),
  num_messages: Type.Integer(),
  tags: Type.Record(Type.String(), Type.Union([Type.String(), Type.Null()]), { description: 'Parley: the conversation\'s metadata, each key with its first value' }),
};
export const ConversationInstance = Type.Object(conversationFields, { title: 'ConversationInstance' });
export const ConversationWithAgent = Type.Object({
  ...conversationFields,
  agent_name: Type.Union([Type.String(), Type.Null()], { description: 'The agent\'s name; null without an agent' }),
  agent_pfp: Type.Union([Type.String(), Type.Null()], { description: 'The agent\'s picture URL (Parley agents have none: null)' }),
}, { title: 'ConversationInstanceWithAgent' });

const continuationToken = Opt(Type.Integer({ minimum: 0, maximum: MAX_LIST_OFFSET, default: 0, description: 'The previous page\'s continuation_token' }));

export const ListConversationsQuery = Obj({
  user_id: Repeated(Type.String({ maxLength: 1024 }), 'Only these end users\' conversations'),
  service_id: Repeated(Type.String({ pattern: HEX_ID }), 'Only conversations with these agents'),
  is_finished: Opt(Type.Boolean()),
  id: Repeated(Type.String({ pattern: HEX_ID }), 'Only these conversations'),
  limit: Opt(Type.Integer({ minimum: 1, maximum: 150, default: 150 })),
  continuation_token: continuationToken,
  sort_by: Repeated(Type.String({ pattern: '^[+ -]?created_at$' }), '`+created_at` or `-created_at` (default `-created_at`, newest first); send + as %2B'),
  tag: Repeated(Type.String({ pattern: '^[^:]+:.*$', maxLength: 1024 }), '`key:value`; `key:*` any value, `key:` no value. Any one matches'),
});

export const ConversationsPage = Type.Object({
  conversations: Type.Array(ConversationInstance),
  has_more: Type.Boolean(),
  continuation_token: Type.Union([Type.Integer(), Type.Null()], { description: 'Set when has_more: the next page\'s continuation_token' }),
});

// ---- messages

export const MessageInstance = Type.Object({
  id: Type.String(),
  interaction_id: Type.String({ description: 'The interaction; a message written outside an interaction is its own' }),
  created_at: Timestamp,
  sender: Type.String({ description: 'Who sent it: the speaker\'s display name, else user, agent or system' }),
  message: Type.String(),
  format: StringEnum(['text', 'voice'] as const),
  message_type: MessageType,
}, { title: 'MessageInstance' });

export const ListMessagesQuery = Obj({
  id: Repeated(Type.String({ pattern: HEX_ID }), 'Only these messages'),
  message_type: Repeated(MessageType, 'Default: external-event, agent-message, user-message'),
  interaction_id: Repeated(Type.String({ pattern: HEX_ID }), 'Only these interactions\' messages'),
  limit: Opt(Type.Integer({ minimum: 1, maximum: 500, default: 500 })),
  continuation_token: continuationToken,
  sort_by: Repeated(
    Type.String({ pattern: '^[+ -]?(interaction_id|created_at|timestamp)$' }),
    '`interaction_id` or `created_at` (`timestamp` is its older name), `+` ascending (send %2B), `-` descending; default: conversation order',
  ),
});

export const MessagesPage = Type.Object({
  messages: Type.Array(MessageInstance),
  has_more: Type.Boolean(),
  continuation_token: Type.Union([Type.Integer(), Type.Null()]),
});

// ---- errors

export const ErrorResponse = Type.Object({ detail: Type.String() }, { title: 'ErrorResponse' });
export const errorResponses = {
  401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 422: ErrorResponse, 429: ErrorResponse, 500: ErrorResponse,
};
