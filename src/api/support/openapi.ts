import type { SurfaceDocs } from '../kit/openapi/types.ts';
import {
  Conversation, ConversationsPage, ConversationState, ConversationWithFeedbacks, ErrorBody, Feedback, FeedbackResponse, InternalErrorBody,
  Message, MessageFeedback, MessagesResponse, ReplyStatus, Started, User,
} from './schemas.ts';

/** The support surface's OpenAPI document: raia's paths and object names. */
export const supportDocs: SurfaceDocs = {
  title: 'raia (AI Agent API: support desk)',
  description: 'A support desk over Parley\'s conversations at raia\'s own paths, `/external/…`. Send a Parley key narrowed to one agent '
    + '(`parley keys create --customer C --agent AGENT_ID`) as `Agent-Secret-Key`; every call is that agent\'s. Ids are UUIDs whose hex digits '
    + 'hold the 24-hex Parley id. Errors are `{"status", "name", "message", "details"}`; a missing or bad key is 403.',
  securitySchemes: { agentSecretKey: { type: 'apiKey', in: 'header', name: 'Agent-Secret-Key', description: 'A Parley API key narrowed to one agent' } },
  schemaPrefix: 'Support',
  schemas: {
    ConversationResponseDTO: Conversation,
    ConversationWithFeedbacksResponseDTO: ConversationWithFeedbacks,
    GetConversationWithFeedbacksResponseDTO: ConversationsPage,
    ExternalApiUserResponseDTO: User,
    FeedbackResponseDTO: Feedback,
    BaseFeedbackResponseDTO: MessageFeedback,
    ConversationMessageResponseDTO: Message,
    GetConversationMessagesResponseDTO: MessagesResponse,
    GetResponseOnResponseDTO: ReplyStatus,
    StartConversationResponseDTO: Started,
    ExternalApiCrateOrUpdateConversationMessageFeedbackResponseDTO: FeedbackResponse,
    ExternalApiGetConversationStateResponseDTO: ConversationState,
    ErrorResponse: ErrorBody,
    InternalServerError: InternalErrorBody,
  },
};
