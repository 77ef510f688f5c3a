import {
  AUDIO_PERSISTENCE_STATES, CHANNELS, CONVERSATION_STATES, EVENT_TYPES, MESSAGE_STATES, SHARING_STATES, SOURCES,
} from '../../kernel/types.ts';
import { CRESTA_KEY_SCHEMES } from '../kit/auth.ts';
import { openapiPath } from '../kit/google/custom-methods.ts';
import type { SurfaceDocs } from '../kit/openapi/types.ts';
import { ConversationFilterWire } from './routes/conversations.ts';
import {
  AgentInput, AgentResponse, AgentState, AgentVersionResponse, KnowledgeDocumentInput, KnowledgeDocumentResponse, KnowledgePassageResponse, ModelSettings,
} from './agent-wire.ts';
import {
  ApiKeyInput, ApiKeyResponse, ConversationHandoff, ConversationMode, ConversationStatsResponse, CreatedApiKeyResponse, KeyIntrospection,
  PendingQuestion, ProfileResponse, StatsBucket,
} from './console-wire.ts';
import {
  AgentInfo, AudioAnalysis, ConversationBody, ConversationResponse, Empty, ErrorResponse, EventBody, EventResponse, MessageBody,
  MessageInBatch, MessageResponse, MetadataValues, Participant, PlatformInfo, PolicyOverride, Redaction, Role, StringEnum,
  TagResponse, TransferInfo, Visitor,
} from './schemas.ts';

/**
 * The conversations surface's OpenAPI document: Cresta's message names (the settable form of a
 * resource is `<Name>Input`, since Parley refuses unknown fields there), google.rpc.Status errors,
 * and operationIds `ConversationService_<RPC>` as grpc-gateway's generator writes them.
 */
export const conversationsDocs: SurfaceDocs = {
  title: 'Cresta ConversationService',
  description: 'The conversation lifecycle over gRPC-JSON transcoding: start, get, list, count, update, close, '
    + 'messages, redaction, tags, events, batch calls, lookups by legacy or platform id, and deterministic sampling; '
    + 'and [Parley] agents with their versions and knowledge bases (AgentService); '
    + '[Parley] for the console: the presented key, the profiles it sees, API keys, conversation statistics, the handoff and ranked search. '
    + 'Errors are google.rpc.Status bodies.',
  securitySchemes: CRESTA_KEY_SCHEMES,
  publicPath: openapiPath,
  schemas: {
    Conversation: ConversationResponse,
    ConversationInput: ConversationBody,
    ConversationFilter: ConversationFilterWire,
    Participant,
    AgentInfo,
    Visitor,
    PlatformInfo,
    TransferInfo,
    AudioAnalysis,
    PolicyOverride,
    MetadataValues,
    ConversationMessage: MessageResponse,
    ConversationMessageInput: MessageInBatch,
    CreateConversationMessageRequest: MessageBody,
    Redaction,
    ConversationEvent: EventResponse,
    ConversationEventInput: EventBody,
    Tag: TagResponse,
    Role,
    ConversationState: StringEnum(CONVERSATION_STATES),
    Channel: StringEnum(CHANNELS),
    Source: StringEnum(SOURCES),
    AudioPersistenceState: StringEnum(AUDIO_PERSISTENCE_STATES),
    SharingState: StringEnum(SHARING_STATES),
    MessageState: StringEnum(MESSAGE_STATES),
    EventType: StringEnum(EVENT_TYPES),
    Agent: AgentResponse,
    AgentInput,
    AgentVersion: AgentVersionResponse,
    AgentState,
    ModelSettings,
    KnowledgeDocument: KnowledgeDocumentResponse,
    KnowledgeDocumentInput,
    KnowledgePassage: KnowledgePassageResponse,
    ApiKey: ApiKeyResponse,
    ApiKeyInput,
    CreatedApiKey: CreatedApiKeyResponse,
    ApiKeyIntrospection: KeyIntrospection,
    Profile: ProfileResponse,
    ConversationStats: ConversationStatsResponse,
    ConversationStatsBucket: StatsBucket,
    ConversationHandoff,
    PendingQuestion,
    ConversationMode,
    Status: ErrorResponse,
    Empty,
  },
};
