import { BEARER_SCHEME } from '../kit/auth.ts';
import type { SurfaceDocs } from '../kit/openapi/types.ts';
import {
  ConversationInstance, ConversationsPage, ConversationWithAgent, ErrorResponse, MessageInstance, MessagesPage, MessageType, PostAnalysisType,
  SignInResponse, VersionSetInfo, CreateConversationEvent, InteractEvent, Feedback, FeedbackPage, RecommendResponses, InteractionInsights,
  ConversationMetric, ConversationMetrics, MessageSource,
} from './schemas.ts';

/** The agent surface's OpenAPI document: Amigo's paths, operationIds and object names. */
export const agentDocs: SurfaceDocs = {
  title: 'Amigo (Classic API)',
  description: 'AI-agent conversations at Amigo\'s own paths, `/v1/{organization}/…` with the Parley customer id as the organization. '
    + 'Sign in with `POST /v1/{organization}/user/signin_with_api_key` (headers x-api-key, x-api-key-id, x-user-id) for a token; '
    + 'send it as `Authorization: Bearer <id_token>`, or a Parley API key in its place. Errors are `{"detail": "<message>"}`; validation is 422.',
  // The same header form as the other bearer surfaces, so one scheme: the sign-in's id_token goes where the key does.
  securitySchemes: { bearer: BEARER_SCHEME },
  schemaPrefix: 'Agent',
  schemas: {
    ConversationInstance,
    ConversationInstanceWithAgent: ConversationWithAgent,
    MessageInstance,
    MessageType,
    PostAnalysisType,
    VersionSetInfo,
    GetConversationsResponse: ConversationsPage,
    GetConversationMessagesResponse: MessagesPage,
    SigninWithAPIKeyResponse: SignInResponse,
    Error: ErrorResponse,
    CreateConversationEvent,
    InteractEvent,
    Feedback,
    GetFeedbacksResponse: FeedbackPage,
    RecommendResponsesResponse: RecommendResponses,
    GetInteractionInsightsResponse: InteractionInsights,
    ConversationMetric,
    GetConversationMetricsResponse: ConversationMetrics,
    GetMessageSourceResponse: MessageSource,
  },
};
