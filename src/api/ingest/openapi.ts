import { BEARER_SCHEME } from '../kit/auth.ts';
import type { SurfaceDocs } from '../kit/openapi/types.ts';
import { IngestMessageSchema } from './content.ts';
import {
  AppendBody, ConversationListItem, ConversationResponse, CreateConversationBody, CreatedConversation, CreatedWebhook, CreatePromptBody,
  CreateWebhookBody, Deleted, DeliveryResponse, ErrorResponse, InsightsResponse, MessageResponse, Pagination, PromptResponse, PromptStatus,
  RegenerateResponse, Status, UpdatePromptBody, UpdateWebhookBody, WebhookResponse,
} from './schemas.ts';

/**
 * The ingest surface's OpenAPI document: Converra's resource names, camelCase operationIds, and
 * `Ingest` before each schema name in the whole document, where Cresta's `Conversation` lives too.
 */
export const ingestDocs: SurfaceDocs = {
  title: 'Converra conversation logging',
  description: 'Logging conversations held elsewhere: transcripts (structured JSON or labelled text), atomic appends with '
    + 'idempotency keys, asynchronous insights, prompts and signed webhooks. Errors are `{"error": {code, message, details}}`.',
  securitySchemes: { bearer: BEARER_SCHEME },
  schemaPrefix: 'Ingest',
  schemas: {
    Conversation: ConversationResponse,
    ConversationSummary: ConversationListItem,
    CreatedConversation,
    CreateConversationRequest: CreateConversationBody,
    AppendMessagesRequest: AppendBody,
    Message: MessageResponse,
    MessageInput: IngestMessageSchema,
    ConversationStatus: Status,
    Insights: InsightsResponse,
    RegenerateInsightsResponse: RegenerateResponse,
    Prompt: PromptResponse,
    PromptStatus,
    CreatePromptRequest: CreatePromptBody,
    UpdatePromptRequest: UpdatePromptBody,
    Webhook: WebhookResponse,
    CreatedWebhook,
    CreateWebhookRequest: CreateWebhookBody,
    UpdateWebhookRequest: UpdateWebhookBody,
    WebhookDelivery: DeliveryResponse,
    Pagination,
    Deleted,
    Error: ErrorResponse,
  },
};
