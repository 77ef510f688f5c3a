import { Type, type TSchema } from '@sinclair/typebox';
import { IngestMessageSchema } from './content.ts';
import { INGEST_LIMITS } from '../../core/ingest/limits.ts';
import { INGEST_STATUSES } from './map.ts';
import { AGENT_LIMITS, AGENT_STATUSES } from '../../core/agents/agents.ts';
import { wireIdPattern } from './ids.ts';
import { RESOURCE_ID_PATTERN } from '../../core/tenancy/tenancy.ts';
import { WEBHOOK_FORMATS } from '../../core/webhooks/webhooks.ts';

export function StringEnum<T extends readonly string[]>(values: T, options: { description?: string } = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

const Obj = <T extends Record<string, TSchema>>(props: T) => Type.Object(props, { additionalProperties: false });
const Opt = Type.Optional;
const Timestamp = Type.String({ format: 'date-time', description: 'RFC 3339 UTC' });
export const FreeObject = Type.Record(Type.String(), Type.Unknown());
/** Free-form objects in responses: rendered as they are stored. */
const AnyObject = Type.Object({}, { additionalProperties: true });

export const Status = StringEnum(INGEST_STATUSES);
export const PromptStatus = StringEnum(AGENT_STATUSES);

export const ConversationIdParams = Obj({ id: Type.String({ pattern: wireIdPattern('conversation'), description: 'conv_<24 hex>' }) });
export const PromptIdParams = Obj({ id: Type.String({ pattern: wireIdPattern('prompt'), description: 'prompt_<24 hex>' }) });
export const HexIdParams = Obj({ id: Type.String({ pattern: '^[a-f0-9]{24}$' }) });

export const Paging = {
  limit: Opt(Type.Integer({ minimum: 1, maximum: INGEST_LIMITS.pageSize, default: 20 })),
  offset: Opt(Type.Integer({ minimum: 0, maximum: INGEST_LIMITS.offset, default: 0 })),
};
export const Pagination = Type.Object({ total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() });

// ---- conversations

export const CreateConversationBody = Obj({
  promptId: Type.String({ maxLength: 64, description: 'prompt_<24 hex>: a prompt of this account' }),
  content: Type.String({ description: 'A JSON string {"messages": [...], "metadata": {...}} or role-labelled text ("User: …\\nAssistant: …")' }),
  status: Opt(Status),
  llmModel: Opt(Type.String({ maxLength: 256 })),
  companyName: Opt(Type.String({ maxLength: 1024 })),
  idempotencyKey: Opt(Type.String({ minLength: 1, maxLength: 256 })),
});

export const AppendBody = Obj({
  // No maxItems: more than 500 messages is 413 PAYLOAD_TOO_LARGE (seed 004), decided in the core.
  messages: Type.Array(IngestMessageSchema, { minItems: 1 }),
  status: Opt(Status),
  metadata: Opt(FreeObject),
});

export const AppendHeaders = Type.Object({ 'idempotency-key': Opt(Type.String({ minLength: 1, maxLength: 256 })) });

export const ListConversationsQuery = Obj({
  // [Parley] the vendor has no profiles: without it the list spans every profile the key sees.
  profileId: Opt(Type.String({ pattern: RESOURCE_ID_PATTERN.source, description: 'Only this profile\'s conversations (default: every profile the key sees)' })),
  promptId: Opt(Type.String({ maxLength: 64 })),
  status: Opt(Status),
  hasInsights: Opt(Type.Boolean()),
  ...Paging,
});

export const GetConversationQuery = Obj({ includeInsights: Opt(Type.Boolean({ default: true })) });

export const MessageResponse = Type.Object({
  role: Type.String(),
  content: Type.String(),
  timestamp: Opt(Type.String()),
  model: Opt(Type.String()),
  tokens: Opt(Type.Integer()),
  toolCalls: Opt(Type.Array(AnyObject)),
  usage: Opt(Type.Object({ promptTokens: Opt(Type.Integer()), completionTokens: Opt(Type.Integer()) })),
  latencyMs: Opt(Type.Number()),
  metadata: Opt(AnyObject),
});

const Links = Type.Object({
  appendMessages: Type.Object({ href: Type.String(), method: Type.String(), hint: Type.String() }),
});

export const CreatedConversation = Type.Object({
  id: Type.String(),
  promptId: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  messageCount: Type.Integer(),
  createdAt: Timestamp,
  _links: Links,
});

export const InsightsResponse = Type.Object({
  conversationId: Type.String(),
  sentiment: Type.String(),
  sentimentScore: Type.Number(),
  taskCompleted: Type.Boolean(),
  topics: Type.Array(Type.String()),
  summary: Type.String(),
  issues: Type.Array(Type.Object({ description: Type.String(), severity: Type.String() })),
  analyzer: Type.String(),
  analyzerVersion: Type.String(),
  createdAt: Timestamp,
});

export const ConversationResponse = Type.Object({
  id: Type.String(),
  promptId: Type.Union([Type.String(), Type.Null()]),
  userId: Opt(Type.String()),
  title: Type.String(),
  content: Type.String(),
  messages: Type.Array(MessageResponse),
  messageCount: Type.Integer(),
  status: Type.String(),
  llmModel: Type.String(),
  companyName: Type.String(),
  metadata: AnyObject,
  hasInsights: Type.Boolean(),
  insights: Opt(Type.Union([InsightsResponse, Type.Null()])),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const ConversationListItem = Type.Object({
  id: Type.String(),
  promptId: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  hasInsights: Type.Boolean(),
  llmModel: Type.String(),
  messageCount: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const RegenerateResponse = Type.Object({ conversationId: Type.String(), status: Type.String() });

// ---- prompts

const promptFields = {
  name: Type.String({ minLength: 1, maxLength: AGENT_LIMITS.name }),
  content: Type.String({ maxLength: AGENT_LIMITS.instructions, description: 'The prompt text (the agent instructions)' }),
  llmModel: Type.String({ maxLength: AGENT_LIMITS.model }),
  description: Type.String({ maxLength: AGENT_LIMITS.description }),
  tags: Type.Array(Type.String({ maxLength: AGENT_LIMITS.tag }), { maxItems: AGENT_LIMITS.tags }),
  status: PromptStatus,
};

export const CreatePromptBody = Obj({
  name: promptFields.name,
  content: promptFields.content,
  llmModel: Opt(promptFields.llmModel),
  description: Opt(promptFields.description),
  tags: Opt(promptFields.tags),
  status: Opt(promptFields.status),
});

export const UpdatePromptBody = Obj({
  name: Opt(promptFields.name),
  content: Opt(promptFields.content),
  llmModel: Opt(promptFields.llmModel),
  description: Opt(promptFields.description),
  tags: Opt(promptFields.tags),
  status: Opt(promptFields.status),
});

export const PromptResponse = Type.Object({
  id: Type.String(),
  name: Type.String(),
  content: Type.String(),
  llmModel: Type.String(),
  description: Type.String(),
  tags: Type.Array(Type.String()),
  status: Type.String(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const ListPromptsQuery = Obj({ status: Opt(PromptStatus), ...Paging });

// ---- webhooks

const WebhookFormat = StringEnum(WEBHOOK_FORMATS, {
  description: '[Parley] How deliveries are shaped and signed. `standard` (default): the events above, signed the Standard Webhooks way '
    + '(webhook-id, webhook-timestamp, webhook-signature). `amigo`: Amigo\'s events (conversation-post-processing-complete) in Amigo\'s body, '
    + 'with x-amigo-idempotent-key, x-amigo-request-timestamp (ms) and x-amigo-request-signature: hex HMAC-SHA256 of `v1:{timestamp}:{body}` '
    + 'keyed with the secret. An endpoint receives only its format\'s events, and `events` names events of its format.',
});

export const WebhookResponse = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  format: WebhookFormat,
  description: Type.String(),
  enabled: Type.Boolean(),
  disabledReason: Type.String(),
  failingSince: Type.Union([Timestamp, Type.Null()]),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const CreatedWebhook = Type.Object({ ...WebhookResponse.properties, secret: Type.String({ description: 'whsec_…: shown once' }) });

export const CreateWebhookBody = Obj({
  url: Type.String({ minLength: 1, maxLength: 2048 }),
  events: Opt(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 16 })),
  format: Opt(WebhookFormat),
  description: Opt(Type.String({ maxLength: 1024 })),
});

export const UpdateWebhookBody = Obj({
  enabled: Opt(Type.Boolean()),
  url: Opt(Type.String({ minLength: 1, maxLength: 2048 })),
  events: Opt(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 16 })),
  format: Opt(WebhookFormat),
  description: Opt(Type.String({ maxLength: 1024 })),
});

export const DeliveryResponse = Type.Object({
  id: Type.String(),
  eventId: Type.String(),
  eventType: Type.String(),
  conversationId: Type.String(),
  status: Type.String(),
  attempts: Type.Array(Type.Object({
    attempt: Type.Integer(),
    time: Timestamp,
    statusCode: Type.Union([Type.Integer(), Type.Null()]),
    error: Type.String(),
    durationMs: Type.Number(),
  })),
  createdAt: Timestamp,
  deliveredAt: Type.Union([Timestamp, Type.Null()]),
});

export const ErrorResponse = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), details: AnyObject }),
});

export const errorResponses = {
  400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse,
  413: ErrorResponse, 429: ErrorResponse, 500: ErrorResponse,
};

export const Deleted = Type.Object({ id: Type.String(), deleted: Type.Boolean() });
