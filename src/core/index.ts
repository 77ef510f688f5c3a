import type { Analyzer } from '../providers/analysis/analyzer.ts';
import type { Driver } from '../store/driver.ts';
import { FsBlobStore, type BlobStore } from '../providers/blobs/blob-store.ts';
import { temporaryDir } from '../providers/blobs/temporary-dir.ts';
import type { Transcriber } from '../providers/asr/transcriber.ts';
import type { Synthesizer } from '../providers/tts/synthesizer.ts';
import { ApiKeyService } from './tenancy/api-keys.ts';
import { CallService } from './calls/calls.ts';
import { ConversationLookupService } from './conversations/lookups.ts';
import { ConversationService } from './conversations/conversations.ts';
import { ConversationStateService } from './conversations/custom-states.ts';
import { ConversationSearchService } from './conversations/search-list.ts';
import { HandoffService } from './conversations/handoff.ts';
import { ConversationStatsService } from './insights/conversation-stats.ts';
import { KeyManagementService } from './tenancy/key-management.ts';
import { EventService } from './conversations/events.ts';
import { IngestService } from './ingest/ingest.ts';
import { TranscriptCache } from './ingest/transcript-cache.ts';
import { InsightsService } from './insights/insights.ts';
import { PostProcessingService } from './post-processing/post-processing.ts';
import { IngestRateLimit } from './ingest/rate-limit.ts';
import { MessageService } from './messages/messages.ts';
import { MessageFeedbackService } from './messages/message-feedback.ts';
import { AppendPath } from './messages/append.ts';
import { AgentService } from './agents/agents.ts';
import { KnowledgeService } from './agents/knowledge.ts';
import { EndUserService, type EndUserTokenOptions } from './end-users/end-users.ts';
import { FilteredListService } from './conversations/filtered-list.ts';
import { InteractionService } from './interactions/interactions.ts';
import { ReplyService } from './interactions/replies.ts';
import { DeskService } from './conversations/desk.ts';
import { FeedbackService } from './interactions/feedback.ts';
import { MessageSourceService } from './interactions/message-source.ts';
import type { Answerer } from './agents/runtime/answerer.ts';
import { LocalAnswerer } from './agents/runtime/local-answerer.ts';
import { SamplingService } from './sampling/sampling.ts';
import { EventStreamService, type StreamOptions } from './streams/event-streams.ts';
import { TagService } from './conversations/tags.ts';
import { TenancyService } from './tenancy/tenancy.ts';
import { ErasureService } from './retention/erasure.ts';
import { RetentionService, type RetentionOptions } from './retention/retention.ts';
import { TranscriptService } from './calls/transcripts.ts';
import { WebhookService, type WebhookOptions } from './webhooks/webhooks.ts';
import { Metrics } from './metrics/metrics.ts';

export interface CoreOptions {
  /** What produces insights (analyzerFromConfig: the LLM analyzer when configured). Default: the local analyzer. */
  analyzer?: Analyzer;
  keyCacheSeconds?: number;
  /** Append statements running at once before further appends are grouped (PARLEY_APPEND_STATEMENTS). Default 1. */
  appendStatements?: number;
  /** Where call recordings are stored (blobStoreFromConfig). Default: a fresh temporary directory. */
  blobs?: BlobStore;
  /** Root of the per-call audio spools; `parley serve` passes recordingSpoolDir(PARLEY_DATA_DIR). Default: a fresh temporary directory. */
  callSpoolDir?: string;
  /** Who transcribes finished calls (transcriberFromConfig). Default null: calls are recorded, transcription is marked unavailable. */
  transcriber?: Transcriber | null;
  /** Who speaks the agent's voice replies (synthesizerFromConfig). Default null: voice replies are refused, naming PARLEY_TTS. */
  synthesizer?: Synthesizer | null;
  webhooks?: WebhookOptions;
  /** Estimated MB of ingest transcripts kept between appends (PARLEY_INGEST_TRANSCRIPT_CACHE_MB). Default 64; 0 keeps none. */
  ingestTranscriptCacheMb?: number;
  /** Requests a minute each API key may make on the ingest surface (PARLEY_INGEST_RATE_LIMIT_PER_MINUTE). */
  ingestRateLimitPerMinute?: number;
  /** The agent surface's sign-in tokens (PARLEY_JWT_SECRET, PARLEY_JWT_TTL_SECONDS). */
  endUserTokens?: EndUserTokenOptions;
  /** Who writes the agent's replies (answererFromConfig: the LLM answerer when configured). Default: the local retrieval agent. */
  answerer?: Answerer;
  /** Live event streams: polling, heartbeats, the slow-consumer bound (PARLEY_STREAM_*). */
  streams?: StreamOptions;
  /** How often the retention purge runs and how much one run removes (PARLEY_RETENTION_SWEEP_MINUTES, PARLEY_RETENTION_BATCH). */
  retention?: Partial<RetentionOptions>;
}

/** Every domain service over one database. Surfaces receive this and nothing else. */
export function createCore(db: Driver, options: CoreOptions = {}) {
  const conversations = new ConversationService(db);
  // The embedded defaults, chosen here only: the core's services receive their providers.
  const blobs = options.blobs ?? new FsBlobStore(temporaryDir('parley-blobs'));
  const calls = new CallService(db, { blobs, spoolDir: options.callSpoolDir ?? temporaryDir('parley-spool') });
  const metrics = new Metrics(db);
  const appends = new AppendPath(db, options.appendStatements, (requests) => metrics.appendGroupRequests.observe(requests));
  const apiKeys = new ApiKeyService(db, options.keyCacheSeconds);
  const agents = new AgentService(db);
  const knowledge = new KnowledgeService(db, agents);
  const filteredLists = new FilteredListService(db);
  const interactions = new InteractionService(db, {
    appends, answerer: options.answerer ?? new LocalAnswerer(), agents, knowledge,
    voice: { transcriber: options.transcriber ?? null, synthesizer: options.synthesizer ?? null, blobs },
  });
  const replies = new ReplyService(db, { interactions, appends });
  return {
    db,
    metrics,
    apiKeys,
    keys: new KeyManagementService(db, apiKeys),
    endUsers: new EndUserService(db, apiKeys, options.endUserTokens),
    tenancy: new TenancyService(db),
    conversations,
    lookups: new ConversationLookupService(db, conversations),
    conversationSearch: new ConversationSearchService(db),
    conversationStats: new ConversationStatsService(db),
    handoff: new HandoffService(db, { conversations, replies }),
    sampling: new SamplingService(db),
    messages: new MessageService(db, appends),
    events: new EventService(db),
    streams: new EventStreamService(db, options.streams, () => metrics.streamOpened()),
    tags: new TagService(db),
    calls,
    transcripts: new TranscriptService(db, { blobs, transcriber: options.transcriber ?? null, appends }),
    webhooks: new WebhookService(db, options.webhooks),
    agents,
    knowledge,
    interactions,
    desk: new DeskService(db, { agents, appends, blobs }),
    replies,
    filteredLists,
    feedback: new FeedbackService(db, filteredLists),
    messageSources: new MessageSourceService(db, { blobs, filteredLists }),
    ingest: new IngestService(db, appends, new TranscriptCache(options.ingestTranscriptCacheMb ?? 64)),
    insights: new InsightsService(db, options.analyzer),
    postProcessing: new PostProcessingService(db, filteredLists),
    ingestRateLimit: new IngestRateLimit(db, options.ingestRateLimitPerMinute ?? 300),
    conversationStates: new ConversationStateService(db),
    messageFeedback: new MessageFeedbackService(db),
    retention: new RetentionService(db, blobs, options.retention),
    erasure: new ErasureService(db, blobs),
  };
}

export type Core = ReturnType<typeof createCore>;
