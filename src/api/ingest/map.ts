import type { Agent } from '../../core/agents/agents.ts';
import type { IngestConversation, IngestFilter, IngestTranscript } from '../../core/ingest/ingest.ts';
import type { MessageInput } from '../../core/messages/append.ts';
import { chatRoleOf } from '../../core/messages/chat-roles.ts';
import { renderText, type IngestMessage, type IngestRole } from './content.ts';
import type { CloseReason, Json, JsonObject, Message, Role } from '../../kernel/types.ts';
import type { WebhookDelivery, WebhookEndpoint } from '../../core/webhooks/webhooks.ts';
import { ingestId } from '../../core/resource-names.ts';

/** What `core.insights.get` returns (the analysis part's contract). */
export interface InsightsLike {
  conversationId: string;
  sentiment: string;
  sentimentScore: number;
  taskCompleted: boolean;
  topics: string[];
  summary: string;
  issues: { description: string; severity: string }[];
  analyzer: string;
  analyzerVersion: string;
  createTime: Date;
}

/**
 * Ingest roles onto core speakers. A tool result is neither party speaking, so it is SYSTEM; the
 * original role is kept in the message's metadata and rendered back from there.
 */
const SPEAKERS: Record<IngestRole, Role> = { user: 'VISITOR', assistant: 'VIRTUAL_AGENT', system: 'SYSTEM', tool: 'SYSTEM' };

/** The ingest-only fields, in the order they render. */
const EXTRAS = ['timestamp', 'model', 'tokens', 'toolCalls', 'usage', 'latencyMs', 'metadata'] as const;

/** A wire message as the core's new-message input (the core assigns its id). */
export function toMessageInput(message: IngestMessage): MessageInput {
  const metadata: JsonObject = { role: message.role };
  for (const field of EXTRAS) {
    if (message[field] !== undefined) metadata[field] = message[field] as Json;
  }
  return {
    text: message.content,
    speaker: SPEAKERS[message.role],
    state: 'FINAL',
    // The caller's own time of the turn, when given, is the message's time on every surface.
    createTime: message.timestamp ? new Date(message.timestamp) : undefined,
    metadata,
  };
}

/**
 * Messages already rendered: the core answers appends from the transcripts it keeps, so the same
 * (never mutated) message objects come back request after request.
 */
const rendered = new WeakMap<Message, IngestMessage>();

export function fromMessage(message: Message): IngestMessage {
  let wire = rendered.get(message);
  if (!wire) {
    wire = renderMessage(message);
    rendered.set(message, wire);
  }
  return wire;
}

function renderMessage(message: Message): IngestMessage {
  const stored = message.metadata ?? {};
  // Messages written by other surfaces carry no ingest role: the core's speaker rule names one.
  const out: Record<string, unknown> = { role: chatRoleOf(message.speaker, stored.role), content: message.text };
  for (const field of EXTRAS) {
    if (stored[field] !== undefined) out[field] = stored[field];
  }
  return out as IngestMessage;
}

const TITLE_CHARS = 80;

/** Converra's conversation statuses: two words for an open conversation, and two ways to close one. */
export const INGEST_STATUSES = ['completed', 'abandoned', 'in_progress', 'active'] as const;
export type IngestStatus = (typeof INGEST_STATUSES)[number];

const CLOSE_REASON: Partial<Record<IngestStatus, CloseReason>> = { completed: 'COMPLETED', abandoned: 'ABANDONED' };

/** Parley's choice: a create call without `status` logs a finished conversation. */
const DEFAULT_CREATE_STATUS: IngestStatus = 'completed';

/** What a create's status asks of the lifecycle: close (and why), or stay open under the caller's word. */
export function createStatusToCore(status: IngestStatus = DEFAULT_CREATE_STATUS): { close?: CloseReason; openStatus: string } {
  return { close: CLOSE_REASON[status], openStatus: status === 'in_progress' ? 'in_progress' : 'active' };
}

/** What an append's status asks of the lifecycle: `completed` / `abandoned` close; an open word changes nothing. */
export function appendStatusToCore(status: IngestStatus | undefined): { close?: CloseReason } {
  return { close: status && CLOSE_REASON[status] };
}

/** The list filter for a status: `active` and `in_progress` both mean open. */
export function statusFilter(status: IngestStatus | undefined): Pick<IngestFilter, 'open' | 'closeReason'> {
  if (status === undefined) return {};
  const closeReason = CLOSE_REASON[status];
  return closeReason ? { open: false, closeReason } : { open: true };
}

export function statusOf(view: IngestConversation): IngestStatus {
  if (view.conversation.state === 'CLOSED') return view.conversation.closeReason === 'ABANDONED' ? 'abandoned' : 'completed';
  return view.openStatus === 'in_progress' ? 'in_progress' : 'active';
}

const promptIdOf = (view: IngestConversation) => (view.agentId ? ingestId('prompt', view.agentId) : null);

/** Parley's title: the display name when one is set, else the first line of the first user turn. */
function titleOf(view: IngestTranscript, messages: ReturnType<typeof fromMessage>[]): string {
  if (view.conversation.displayName) return view.conversation.displayName;
  const first = (messages.find((m) => m.role === 'user') ?? messages[0])?.content.split('\n')[0] ?? '';
  return first.length > TITLE_CHARS ? `${first.slice(0, TITLE_CHARS - 1)}…` : first;
}

export function createdToWire(view: IngestTranscript) {
  const id = ingestId('conversation', view.conversation.id);
  return {
    id,
    promptId: promptIdOf(view),
    status: statusOf(view),
    messageCount: view.conversation.messageCount,
    createdAt: view.conversation.createTime.toISOString(),
    _links: {
      appendMessages: {
        href: `/api/v1/conversations/${id}/messages`,
        method: 'POST',
        hint: "Append turns to this conversation. Send status: 'completed' on the final call to trigger analysis.",
      },
    },
  };
}

export function insightsToWire(insights: InsightsLike) {
  return {
    conversationId: ingestId('conversation', insights.conversationId),
    sentiment: insights.sentiment,
    sentimentScore: insights.sentimentScore,
    taskCompleted: insights.taskCompleted,
    topics: insights.topics,
    summary: insights.summary,
    issues: insights.issues,
    analyzer: insights.analyzer,
    analyzerVersion: insights.analyzerVersion,
    createdAt: insights.createTime.toISOString(),
  };
}

/** The full conversation: the append answer and GET /conversations/:id. */
export function conversationToWire(view: IngestTranscript, insights?: InsightsLike | null) {
  const messages = view.messages.map(fromMessage);
  const userId = view.metadata.userId;
  return {
    id: ingestId('conversation', view.conversation.id),
    promptId: promptIdOf(view),
    ...(typeof userId === 'string' ? { userId } : {}),
    title: titleOf(view, messages),
    content: renderText(messages),
    messages,
    messageCount: view.conversation.messageCount,
    status: statusOf(view),
    llmModel: view.llmModel,
    companyName: view.companyName,
    metadata: view.metadata,
    hasInsights: view.hasInsights,
    ...(insights === undefined ? {} : { insights: insights && insightsToWire(insights) }),
    createdAt: view.conversation.createTime.toISOString(),
    updatedAt: view.conversation.updateTime.toISOString(),
  };
}

export function listItemToWire(view: IngestConversation) {
  return {
    id: ingestId('conversation', view.conversation.id),
    promptId: promptIdOf(view),
    status: statusOf(view),
    hasInsights: view.hasInsights,
    llmModel: view.llmModel,
    messageCount: view.conversation.messageCount,
    createdAt: view.conversation.createTime.toISOString(),
    updatedAt: view.conversation.updateTime.toISOString(),
  };
}

export function promptToWire(agent: Agent) {
  return {
    id: ingestId('prompt', agent.id),
    name: agent.name,
    content: agent.instructions,
    llmModel: agent.model,
    description: agent.description,
    tags: agent.tags,
    status: agent.status,
    createdAt: agent.createTime.toISOString(),
    updatedAt: agent.updateTime.toISOString(),
  };
}

export function webhookToWire(endpoint: WebhookEndpoint) {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: endpoint.events,
    format: endpoint.format,
    description: endpoint.description,
    enabled: endpoint.enabled,
    disabledReason: endpoint.disabledReason,
    failingSince: endpoint.failingSince ? endpoint.failingSince.toISOString() : null,
    createdAt: endpoint.createTime.toISOString(),
    updatedAt: endpoint.updateTime.toISOString(),
  };
}

export function deliveryToWire(delivery: WebhookDelivery) {
  return {
    id: delivery.id,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    conversationId: ingestId('conversation', delivery.conversationId),
    status: delivery.status,
    attempts: delivery.attempts.map((a) => ({ ...a, time: new Date(a.time).toISOString() })),
    createdAt: delivery.createTime.toISOString(),
    deliveredAt: delivery.deliveredTime ? delivery.deliveredTime.toISOString() : null,
  };
}
