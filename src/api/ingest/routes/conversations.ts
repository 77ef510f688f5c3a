import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ParleyError } from '../../../kernel/errors.ts';
import type { Core } from '../../../core/index.ts';
import { parseWireId } from '../ids.ts';
import { checkIngestMessage, parseContent } from '../content.ts';
import { INGEST_LIMITS } from '../../../core/ingest/limits.ts';
import type { JsonObject } from '../../../kernel/types.ts';
import {
  appendStatusToCore, conversationToWire, createdToWire, createStatusToCore, insightsToWire, listItemToWire, statusFilter, statusOf, toMessageInput,
} from '../map.ts';
import {
  AppendBody, AppendHeaders, ConversationIdParams, ConversationListItem, ConversationResponse, CreateConversationBody,
  CreatedConversation, errorResponses, GetConversationQuery, InsightsResponse, ListConversationsQuery, Pagination, RegenerateResponse,
} from '../schemas.ts';

const tags = ['Ingest: conversations'];

/** The 512 KB content limit is checked by the core; the body must let it through even fully \u-escaped (6 bytes a byte). */
export const CREATE_BODY_LIMIT = 4 * 1024 * 1024;

const conversationId = (wire: string) => parseWireId('conversation', wire, 'id');

export async function conversationRoutes(app: FastifyInstance, { core }: { core: Core }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post('/conversations', {
    bodyLimit: CREATE_BODY_LIMIT,
    config: { permission: 'Ingest:CreateConversation' },
    schema: {
      tags, operationId: 'createConversation', summary: 'Log a conversation (structured JSON or labelled text transcript); idempotent with idempotencyKey',
      body: CreateConversationBody, response: { 200: CreatedConversation, ...errorResponses },
    },
  }, async (request) => {
    const { promptId, status, content, ...rest } = request.body;
    const parsed = parseContent(content);
    const view = await core.ingest.create(request.caller, {
      ...rest, ...createStatusToCore(status), agentId: parseWireId('prompt', promptId, 'promptId'),
      messages: parsed.messages.map(toMessageInput), metadata: parsed.metadata,
    });
    return createdToWire(view);
  });

  r.post('/conversations/:id/messages', {
    config: { permission: 'Ingest:AppendMessages' },
    schema: {
      tags, operationId: 'appendMessages', summary: 'Append turns atomically; status "completed" closes the conversation and triggers analysis',
      params: ConversationIdParams, headers: AppendHeaders, body: AppendBody, response: { 200: ConversationResponse, ...errorResponses },
    },
  }, async (request) => {
    const { status, messages, metadata } = request.body;
    // Past the per-call count the core answers 413 before any message is looked at.
    if (messages.length <= INGEST_LIMITS.messages) messages.forEach((m, i) => checkIngestMessage(m, `messages[${i}]`));
    const view = await core.ingest.append(request.caller, conversationId(request.params.id), {
      messages: messages.map(toMessageInput), metadata: metadata as JsonObject | undefined, ...appendStatusToCore(status),
    }, request.headers['idempotency-key']);
    return conversationToWire(view);
  });

  r.get('/conversations', {
    config: { permission: 'Ingest:ListConversations' },
    schema: {
      tags, operationId: 'listConversations', summary: 'List conversations of every profile the key sees (or of profileId), newest first (offset paging, offset at most 10,000)', querystring: ListConversationsQuery,
      response: { 200: Type.Object({ data: Type.Array(ConversationListItem), pagination: Pagination }), ...errorResponses },
    },
  }, async (request) => {
    const { profileId, promptId, status, hasInsights, limit = 20, offset = 0 } = request.query;
    const filter = { profileId, agentId: promptId === undefined ? undefined : parseWireId('prompt', promptId, 'promptId'), ...statusFilter(status), hasInsights };
    const page = await core.ingest.list(request.caller, filter, { limit, offset });
    return { data: page.conversations.map(listItemToWire), pagination: { total: page.total, limit, offset } };
  });

  r.get('/conversations/:id', {
    config: { permission: 'Ingest:GetConversation' },
    schema: {
      tags, operationId: 'getConversation', summary: 'Get a conversation with its messages and (by default) its insights',
      params: ConversationIdParams, querystring: GetConversationQuery, response: { 200: ConversationResponse, ...errorResponses },
    },
  }, async (request) => {
    const id = conversationId(request.params.id);
    const view = await core.ingest.get(request.caller, id);
    if (request.query.includeInsights === false) return conversationToWire(view);
    const insights = view.hasInsights ? await core.insights.get(request.caller, id) : null;
    return conversationToWire(view, insights);
  });

  r.get('/conversations/:id/insights', {
    config: { permission: 'Ingest:GetInsights' },
    schema: {
      tags, operationId: 'getInsights', summary: 'Get the insights of a conversation (404 until they are generated)',
      params: ConversationIdParams, response: { 200: InsightsResponse, ...errorResponses },
    },
  }, async (request) => {
    const id = conversationId(request.params.id);
    const view = await core.ingest.summary(request.caller, id);
    const insights = await core.insights.get(request.caller, id);
    if (!insights) {
      const status = statusOf(view);
      throw new ParleyError('NOT_FOUND', status === 'completed'
        ? 'Insights not generated yet for this conversation; they are being generated, try again shortly'
        : `Insights not generated for this conversation: it is ${status}; insights are generated when it is completed`);
    }
    return insightsToWire(insights);
  });

  r.post('/conversations/:id/insights/regenerate', {
    config: { permission: 'Ingest:RegenerateInsights' },
    schema: {
      tags, operationId: 'regenerateInsights', summary: 'Queue insights to be generated again (202; they replace the current ones when done)',
      params: ConversationIdParams, response: { 202: RegenerateResponse, ...errorResponses },
    },
  }, async (request, reply) => {
    const id = conversationId(request.params.id);
    await core.ingest.summary(request.caller, id);
    await core.insights.regenerate(request.caller, id);
    return reply.code(202).send({ conversationId: request.params.id, status: 'queued' });
  });
}
