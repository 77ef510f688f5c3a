import type { Agent } from '../../core/agents/agents.ts';
import type { IngestConversation, IngestStatus, IngestTranscript } from '../../core/ingest/ingest.ts';
import { fromMessage } from '../../core/ingest/messages.ts';
import { renderText } from '../../core/ingest/content.ts';
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

const TITLE_CHARS = 80;

export function statusOf(view: IngestConversation): IngestStatus {
  if (view.conversation.state === 'CLOSED') return view.abandoned ? 'abandoned' : 'completed';
  return view.openStatus;
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
