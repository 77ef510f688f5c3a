/**
 * Parley's vocabulary, defined once.
 *
 * - customer: the tenant (Cresta customer, Amigo organization, Converra account, the org behind a
 *   raia agent). Every row carries its id; every query is scoped by the caller's customer.
 * - profile: a space inside a customer where conversations live. Every customer has a default one.
 * - agent: a configured AI agent (Amigo service, raia agent, Converra prompt).
 * - end user: the person on the other side (visitor).
 * - conversation: one exchange between an end user and agents, over one channel, with its
 *   messages (gapless `seq` from 0), events (append-only log), tags, feedback and analyses.
 * - message: one utterance or text turn; `seq` is assigned inside the append transaction.
 * - event: one entry of a conversation's log, `(seq, type, actor, payload, time)`. Every mutation
 *   appends its event in the same transaction.
 * - interaction: one user turn and the agent's reply (the `agent` surface).
 * - surface: one vendor-compatible HTTP API over this core.
 * - caller: the authenticated API key making a request.
 */

export const CONVERSATION_STATES = ['STATE_UNSPECIFIED', 'ACTIVE', 'ON_HOLD', 'CLOSED'] as const;
export const CHANNELS = ['CHANNEL_UNSPECIFIED', 'CHAT', 'VOICE', 'EMAIL', 'SMS'] as const;
export const SOURCES = [
  'SOURCE_UNSPECIFIED', 'OPERA_SYNTHETIC', 'API', 'VOICE_CALL_SESSION', 'AI_AGENT', 'SUPPORT_DESK', 'LOG_INGEST', 'IMPORT',
] as const;
export const RAISE_HAND_STATES = ['RAISE_HAND_STATE_UNSPECIFIED', 'RAISED', 'ACKNOWLEDGED', 'LOWERED'] as const;
export const CORRUPTION_STATES = ['CORRUPTION_STATE_UNSPECIFIED', 'NOT_CORRUPTED', 'CORRUPTED'] as const;
export const PERSISTENCE_STATES = ['PERSISTENCE_STATE_UNSPECIFIED', 'PERSISTED', 'PURGED'] as const;
export const MULTI_LANGUAGE_MODES = ['MULTI_LANGUAGE_MODE_UNSPECIFIED', 'SINGLE_LANGUAGE', 'MULTI_LANGUAGE'] as const;
export const AUDIO_PERSISTENCE_STATES = ['AUDIO_PERSISTENCE_STATE_UNSPECIFIED', 'NOT_PERSISTED', 'PERSISTED', 'PERSIST_FAILED'] as const;
export const SHARING_STATES = ['SHARING_STATE_UNSPECIFIED', 'SHARING_STATE_SHARED'] as const;
export const ROLES = ['ROLE_UNSPECIFIED', 'AGENT', 'VISITOR', 'VIRTUAL_AGENT', 'SUPERVISOR', 'SYSTEM'] as const;
export const MESSAGE_STATES = ['STATE_UNSPECIFIED', 'PARTIAL', 'FINAL', 'DELETED'] as const;
/** Why a closed conversation was closed (core/conversations/lifecycle.ts); null while it is open. */
export const CLOSE_REASONS = ['COMPLETED', 'ABANDONED'] as const;
/** Who answers the end user: the agent runtime (AI) or a human who took over (MANUAL, a handoff). */
export const CONVERSATION_MODES = ['AI', 'MANUAL'] as const;

/** Vendor event types a client may record itself (BatchCreateConversationEvents). */
export const CLIENT_EVENT_TYPES = [
  'EVENT_TYPE_UNSPECIFIED', 'CALL_REASON_SELECTION', 'ENTITY_FEEDBACK', 'SUMMARIZATION_FEEDBACK', 'USED_SUGGESTION',
  'USED_HINT_SUGGESTION', 'INTERACTIVE_VOICE_RESPONSE', 'CONVERSATION_START', 'CONVERSATION_METADATA',
  'USED_HINT_DOCUMENT_CHIP', 'USED_SEARCH_SUGGESTION', 'CONVERSATION_HOLD', 'CONVERSATION_UNHOLD', 'USED_KB_SEARCH',
  'USED_KB_DOCUMENT',
] as const;
/** Event types only the core appends, one per mutation. */
export const MUTATION_EVENT_TYPES = [
  'CONVERSATION_UPDATE', 'CONVERSATION_END', 'CONVERSATION_DELETE', 'MESSAGE_CREATE', 'MESSAGE_REDACT', 'MESSAGE_DELETE',
  'TAG_ADD', 'TAG_REMOVE', 'CONVERSATION_TRANSFER', 'FEEDBACK', 'ANALYSIS_COMPLETE', 'POST_PROCESSING_COMPLETE', 'MESSAGE_OUTBOUND',
] as const;
export const EVENT_TYPES = [...CLIENT_EVENT_TYPES, ...MUTATION_EVENT_TYPES] as const;

export type ConversationState = (typeof CONVERSATION_STATES)[number];
export type Channel = (typeof CHANNELS)[number];
export type Source = (typeof SOURCES)[number];
export type Role = (typeof ROLES)[number];
export type MessageState = (typeof MESSAGE_STATES)[number];
export type EventType = (typeof EVENT_TYPES)[number];
export type CloseReason = (typeof CLOSE_REASONS)[number];
export type ConversationMode = (typeof CONVERSATION_MODES)[number];

/** The authenticated API key behind a request. */
export interface Caller {
  customerId: string;
  keyId: string;
  /** Set when the key is narrowed to one profile. */
  profileId: string | null;
  /** Set when the key is narrowed to one agent. */
  agentId: string | null;
  scopes: readonly string[];
  /** The end user a sign-in token of this key speaks for (the agent surface); absent for the key itself. */
  endUser?: { id: string; externalId: string };
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Participant {
  role: Role;
  user: string;
  platformAgentId: string;
  externalUserId: string;
  displayName: string;
  /** RFC 3339. */
  joinTime: string | null;
  leaveTime: string | null;
}

export interface MetadataValues {
  [key: string]: { values: string[] };
}

export interface Conversation {
  customerId: string;
  id: string;
  profileId: string;
  /** The id segment of the conversation's resource name (a caller-chosen id, or `id`). */
  nameId: string;
  agent: string;
  participants: Participant[];
  agentInfo: { user?: string; displayName?: string; platformAgentId?: string };
  agentUserName: string;
  team: string;
  visitor: { externalUserId?: string; displayName?: string; email?: string; phoneNumber?: string };
  conversationCorrelationId: string;
  skill: string;
  platformInfo: { platform?: string; platformConversationId?: string; platformAccountId?: string };
  startTime: Date;
  endTime: Date | null;
  audioPersistenceState: (typeof AUDIO_PERSISTENCE_STATES)[number];
  persistedAudioUri: string;
  audioAnalysis: { bucketDuration?: number; agentEnergy?: number[]; visitorEnergy?: number[] } | null;
  /** Seconds. */
  persistedAudioDuration: number | null;
  legacyChatId: number | null;
  state: ConversationState;
  closeReason: (typeof CLOSE_REASONS)[number] | null;
  mode: (typeof CONVERSATION_MODES)[number];
  raiseHandState: (typeof RAISE_HAND_STATES)[number];
  languageCode: string;
  channel: Channel;
  source: Source;
  metadata: MetadataValues;
  displayName: string;
  sharingState: (typeof SHARING_STATES)[number];
  policyOverride: { retentionDays?: number; skipPiiRedaction?: boolean };
  usecase: string;
  createTime: Date;
  updateTime: Date;
  corruptionState: (typeof CORRUPTION_STATES)[number];
  virtualAgent: string;
  ingestedByJob: string;
  transferInfo: { masterConversation?: string; previousConversation?: string; transferTime?: string };
  persistenceState: (typeof PERSISTENCE_STATES)[number];
  multiLanguageMode: (typeof MULTI_LANGUAGE_MODES)[number];
  messageCount: number;
  /** The end user the conversation is with (core/end-users), whichever surface started it; null when none is known. */
  endUserId: string | null;
  /** What the agent is told about the conversation (the support desk's context). */
  context: string;
  /** The caller's own data on the conversation (the support desk's customData). */
  customData: JsonObject;
  /** The customer's own state the conversation is filed under (core/conversations/custom-states.ts); null for none. */
  stateId: string | null;
}

export interface Redaction {
  startIndex: number;
  endIndex: number;
  redactTime: string;
  redactor: string;
}

export interface Message {
  customerId: string;
  conversationId: string;
  id: string;
  seq: number;
  legacyMessageId: string;
  text: string;
  textHtml: string;
  transcriptionInfo: JsonObject | null;
  agent: string;
  speaker: Role;
  speakerInfo: JsonObject | null;
  state: MessageState;
  createTime: Date;
  updateTime: Date;
  /** Seconds from the start of the call's audio. */
  audioStartOffset: number | null;
  audioEndOffset: number | null;
  originalEventData: JsonObject | null;
  language: string;
  metadata: JsonObject;
  redactions: Redaction[];
}

export interface ConversationEvent {
  customerId: string;
  conversationId: string;
  seq: number;
  gid: number;
  type: EventType;
  actor: string;
  associatedMessage: string;
  payload: JsonObject;
  createTime: Date;
}

export interface Tag {
  customerId: string;
  profileId: string;
  id: string;
  displayName: string;
  createTime: Date;
}
