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

/** Every page's end [vendor]: whether more follow, and the token that asks for them. */
const pageEnd = {
  has_more: Type.Boolean(),
  continuation_token: Type.Union([Type.Integer(), Type.Null()], { description: 'Set when has_more: the next page\'s continuation_token' }),
};

export const ConversationsPage = Type.Object({ conversations: Type.Array(ConversationInstance), ...pageEnd });

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

export const MessagesPage = Type.Object({ messages: Type.Array(MessageInstance), ...pageEnd });

// ---- errors

export const ErrorResponse = Type.Object({ detail: Type.String() }, { title: 'ErrorResponse' });
export const errorResponses = {
  401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 422: ErrorResponse, 429: ErrorResponse, 500: ErrorResponse,
};

// ---- interactions (create, interact, finish): NDJSON events, one a line [vendor]

const Format = (description: string) => StringEnum(['text', 'voice'] as const, { description });
const actionTypeFilter = Opt(Type.String({
  maxLength: 200, default: '^.*$',
  description: 'A regex on `current-agent-action` event types: only matching ones are sent (`^$` for none)',
}));
export const INITIAL_MESSAGE_TYPES = ['user-message', 'external-event'] as const;

export const CreateConversationQuery = Obj({
  response_format: Format('The format of the agent\'s replies: `text`, or `voice` (base64 PCM16 pieces; 400 when no speech synthesis is configured)'),
  current_agent_action_type: actionTypeFilter,
  emit_current_agent_action_event: Opt(Type.Boolean({ description: 'The older form: false sends no current-agent-action events' })),
});

export const CreateConversationBody = Obj({
  service_id: HexId('The agent (Amigo\'s service) to talk to'),
  service_version_set_name: Opt(StringEnum(['release', 'edge'] as const, { default: 'release', description: 'The agent\'s version set; the conversation records the version it names now' })),
  initial_message: Opt(Type.Union([Type.String({ minLength: 1, maxLength: 100_000 }), Type.Null()], { description: 'A first message the agent answers; without one the agent greets' })),
  initial_message_type: Opt(Type.Union([StringEnum(INITIAL_MESSAGE_TYPES), Type.Null()], { description: 'The initial message\'s type (default user-message)' })),
  tags: Opt(Type.Record(Type.String(), Type.Union([Type.String(), Type.Null()]), { maxProperties: 20, description: 'Stored as the conversation\'s metadata' })),
});

export const InteractQuery = Obj({
  request_format: Format('How the user\'s message arrives: `text` (multipart), or `voice` (the body is the recording; 400 when no speech recognition is configured)'),
  response_format: Format('The format of the agent\'s reply: `text`, or `voice` (base64 PCM16 pieces, 24 kHz mono; 400 when no speech synthesis is configured)'),
  current_agent_action_type: actionTypeFilter,
  request_audio_config: Opt(Type.String({
    maxLength: 200,
    description: 'For a voice request, JSON: `{"type": "mp3"}` or `{"type": "pcm", "frame_rate": 4000..44100, "n_channels": 1, "sample_width": 2 | 4}` (raw little-endian PCM); a WAV or MP3 file needs none',
  })),
});

/** The multipart form of a text interaction, as parsed (routes/interactions.ts). */
export const InteractForm = Obj({
  recorded_message: Type.String({ minLength: 1, maxLength: 100_000, description: 'The user\'s message' }),
  initial_message_type: Opt(StringEnum(INITIAL_MESSAGE_TYPES, { description: 'Default user-message' })),
});
/** A voice interaction's body, as parsed (routes/interactions.ts): the recording's bytes. */
export const VoiceRecording = Obj({ recording: Type.Unsafe<Buffer>({ description: 'The recording, as sent' }) });
export const InteractBody = Type.Union([InteractForm, VoiceRecording]);

const eventType = <T extends string>(type: T) => Type.Literal(type);
export const ConversationCreatedEvent = Type.Object({ type: eventType('conversation-created'), conversation_id: Type.String() }, { title: 'ConversationCreatedEvent' });
export const UserMessageAvailableEvent = Type.Object({
  type: eventType('user-message-available'), message_id: Type.String(), user_message: Type.String(),
}, { title: 'UserMessageAvailableEvent' });
export const CurrentAgentActionEvent = Type.Object({
  type: eventType('current-agent-action'),
  action: Type.Object({
    type: StringEnum(['tool-call-started', 'tool-call-ended'] as const, { description: 'Parley sends its knowledge search as a tool call' }),
    tool_round_index: Type.Integer(),
    tool_id: Type.String(),
    tool_version: Type.String(),
    input_params: Opt(Type.Record(Type.String(), Type.String())),
    input_parameters: Opt(Type.Record(Type.String(), Type.String())),
    result: Opt(Type.String({ description: 'The passages found, as JSON' })),
    duration: Opt(Type.Number({ description: 'Seconds' })),
  }),
}, { title: 'CurrentAgentActionEvent' });
export const NewMessageEvent = Type.Object({
  type: eventType('new-message'),
  message: Type.String({ description: 'A piece of the reply (text: the pieces joined are the reply; voice: base64 PCM16 little-endian, 24 kHz mono)' }),
  transcript_alignment: Type.Union([Type.Null(), Type.Array(Type.Tuple([Type.Integer(), Type.String()]))], {
    description: 'Voice: on the first piece of each sentence, its characters with the milliseconds from the start of the reply\'s audio at which each is spoken (spread evenly over the sentence); null otherwise',
  }),
  stop: Type.Boolean({ description: 'True on the last piece' }),
  sequence_number: Type.Integer({ description: 'From 0, consecutive' }),
  message_id: Type.String(),
}, { title: 'NewMessageEvent' });
export const InteractionCompleteEvent = Type.Object({
  type: eventType('interaction-complete'),
  message_id: Type.String(),
  interaction_id: Type.String(),
  full_message: Type.String(),
  conversation_completed: Type.Boolean(),
}, { title: 'InteractionCompleteEvent' });
export const ErrorEvent = Type.Object({
  type: eventType('error'),
  http_error_code: Type.Integer(),
  error_description: Type.String(),
}, { title: 'ErrorEvent', description: 'The stream closes after it; nothing of the interaction persists' });
export const CreateConversationEvent = Type.Union(
  [ConversationCreatedEvent, CurrentAgentActionEvent, NewMessageEvent, InteractionCompleteEvent, ErrorEvent],
  { title: 'CreateConversationEvent', description: 'One NDJSON line of a create' },
);
export const InteractEvent = Type.Union(
  [UserMessageAvailableEvent, CurrentAgentActionEvent, NewMessageEvent, InteractionCompleteEvent, ErrorEvent],
  { title: 'InteractEvent', description: 'One NDJSON line of an interaction' },
);

// ---- feedback [Parley paths; seed 002]: on a conversation, or on one of its interactions

export const FEEDBACK_TYPES = ['conversation', 'interaction'] as const;
const FeedbackComment = Type.String({ minLength: 1, maxLength: 10_000, description: 'The comment' });

export const InteractionParams = Obj({
  organization: Type.String({ description: 'The organization: the Parley customer id' }),
  conversation_id: HexId('The conversation\'s 24-hex id'),
  interaction_id: HexId('The interaction\'s 24-hex id (interaction-complete\'s interaction_id)'),
});
export const ConversationFeedbackParams = Obj({
  organization: Type.String({ description: 'The organization: the Parley customer id' }),
  conversation_id: HexId('The conversation\'s 24-hex id'),
  feedback_id: HexId('The feedback\'s 24-hex id'),
});
export const InteractionFeedbackParams = Obj({
  organization: Type.String({ description: 'The organization: the Parley customer id' }),
  conversation_id: HexId('The conversation\'s 24-hex id'),
  interaction_id: HexId('The interaction\'s 24-hex id'),
  feedback_id: HexId('The feedback\'s 24-hex id'),
});

export const ConversationFeedbackBody = Obj({ comment: FeedbackComment });
export const InteractionFeedbackBody = Obj({
  type: Opt(Type.Literal('interaction_comment', { description: 'The one interaction feedback type (the default)' })),
  comment: FeedbackComment,
  resolved: Opt(Type.Boolean({ default: false, description: 'Whether a reviewer resolved it; a resolved comment cannot change' })),
});
export const InteractionFeedbackUpdate = Obj({
  comment: Opt(FeedbackComment),
  resolved: Opt(Type.Boolean({ description: 'Resolve, or reopen (a resolved comment cannot change; reopen it first)' })),
});

export const ConversationFeedbackContent = Type.Object({ comment: Type.String() }, { title: 'ConversationFeedbackContent' });
export const InteractionFeedbackContent = Type.Object({
  type: Type.Literal('interaction_comment'),
  interaction_id: Type.String(),
  comment: Type.String(),
  resolved: Type.Boolean(),
}, { title: 'InteractionFeedbackContent' });
export const Feedback = Type.Object({
  id: Type.String(),
  conversation_id: Type.String(),
  user_id: Type.String({ description: 'The end user who gave it (a sign-in\'s); empty for an API key' }),
  user_org_id: Type.String({ description: 'The organization' }),
  created_at: Timestamp,
  updated_at: Timestamp,
  // The interaction shape first: the serializer writes the first that matches, and a conversation one matches both.
  feedback_content: Type.Union([InteractionFeedbackContent, ConversationFeedbackContent]),
}, { title: 'Feedback' });

export const ListFeedbackQuery = Obj({
  type: StringEnum(FEEDBACK_TYPES, { description: 'Conversation feedback, or interaction feedback' }),
  conversation_id: Repeated(Type.String({ pattern: HEX_ID }), 'Only these conversations\' feedback'),
  interaction_id: Repeated(Type.String({ pattern: HEX_ID }), 'Only these interactions\' feedback (type=interaction)'),
  limit: Opt(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
  continuation_token: continuationToken,
  sort_by: Repeated(
    Type.String({ pattern: '^[+ -]?(created_at|user_id|user_org_id|conversation_id|feedback_content\\.interaction_id)$' }),
    '`created_at`, `user_id`, `user_org_id`, `conversation_id`, `feedback_content.interaction_id` (type=interaction); `+` ascending (send %2B), `-` descending; default: oldest first',
  ),
});
export const FeedbackPage = Type.Object({ feedbacks: Type.Array(Feedback), ...pageEnd });

// ---- recommended responses

export const RecommendResponsesBody = Obj({
  context: Opt(Type.String({ minLength: 1, maxLength: 10_000, description: 'Who the user is and what they want (the LLM runtime reads it; the local one suggests from the knowledge)' })),
});
export const RecommendResponses = Type.Object({
  recommended_responses: Type.Array(Type.String(), { description: 'Short messages the user might send next' }),
}, { title: 'RecommendResponsesResponse' });

// ---- interaction insights [vendor]

const MachineVersion = Type.Tuple([Type.String(), Type.Integer()], { description: 'The agent\'s id and version number (Parley: the agent version is its state machine)' });
const ToolCallLog = Type.Object({
  tool_name: Type.String(), tool_id: Type.String(), tool_version: Type.String({ description: 'Parley: the runtime that made the call' }),
  input: Type.Record(Type.String(), Type.Unknown()),
  output: Type.Union([Type.String(), Type.Null()], { description: 'Not kept (null): the output is the reply message itself' }),
  duration: Type.Number({ description: 'Seconds' }),
}, { title: 'ToolCallLog' });
export const InteractionInsights = Type.Object({
  current_state_name: Type.String(),
  current_state_action: Type.String(),
  current_state_objective: Type.String(),
  state_transition_logs: Type.Array(Type.Object({
    type: Type.Literal('recall'),
    previous_state: Type.String(), previous_service_hierarchical_state_machine_version_info: MachineVersion,
    next_state: Type.String(), next_service_hierarchical_state_machine_version_info: MachineVersion,
    performed_queries: Type.Array(Type.String()),
  }, { title: 'RecallStateTransitionLog' }), { description: 'The knowledge search of the interaction, as a recall in its state' }),
  working_memory: Type.Array(Type.Object({ content: Type.String(), context: Type.String() }, { title: 'WorkingMemory' }), { description: 'The knowledge passages retrieved, best first' }),
  reflections: Type.Array(Type.String()),
  triggered_dynamic_behavior_set_version_info: Type.Null(),
  select_next_action_tool_call_logs: Type.Array(Type.Array(ToolCallLog)),
  engage_user_tool_call_logs: Type.Array(Type.Array(ToolCallLog), { description: 'The knowledge search and every provider call of the interaction' }),
}, { title: 'GetInteractionInsightsResponse' });

// ---- simulate [Parley path; seed 002]

export const SimulateBody = Obj({
  agent_version: Opt(Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'Another version of the conversation\'s service to answer with (default: the one it runs)' })),
  state_machine_version: Opt(Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'Accepted for Amigo\'s clients; Parley\'s states are part of the agent version' })),
});
export const SimulateQuery = Obj({ current_agent_action_type: actionTypeFilter });

// ---- metrics [Parley path and body]

export const ConversationMetric = Type.Object({
  name: Type.String({ description: 'interactions, user_messages, agent_messages, human_agent_messages, duration, handoff_offers, handed_off, answered_from_knowledge_ratio' }),
  value: Type.Number(),
  unit: Type.String({ description: 'count, seconds, ratio (0 to 1) or boolean (0 or 1)' }),
}, { title: 'ConversationMetric' });
export const ConversationMetrics = Type.Object({
  metrics: Type.Array(ConversationMetric, { description: 'Empty until compute-metrics is among the conversation\'s completed_post_processings' }),
}, { title: 'GetConversationMetricsResponse' });

// ---- message source: a voice message's recording, through a link Parley signs [vendor path; Parley body]

export const MessageParams = Obj({
  organization: Type.String({ description: 'The organization: the Parley customer id' }),
  conversation_id: HexId('The conversation\'s 24-hex id'),
  message_id: HexId('The message\'s 24-hex id'),
});
export const MessageSourceQuery = Obj({
  long_lived: Opt(Type.Boolean({ default: false, description: 'A link that lasts 12 hours instead of 15 minutes' })),
});
export const MessageSource = Type.Object({
  url: Type.String({ description: 'Where the recording is: a link signed by Parley, fetched without credentials until it expires' }),
  expires_at: Timestamp,
  content_type: Type.String({ description: 'The recording\'s type: audio/wav or audio/mpeg' }),
}, { title: 'MessageSourceResponse' });
export const RecordingLinkQuery = Obj({
  expires: Type.Integer({ minimum: 0, description: 'Unix seconds after which the link is refused' }),
  signature: Type.String({ maxLength: 100, description: 'The link\'s signature' }),
});
