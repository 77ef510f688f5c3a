import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Core } from '../../../core/index.ts';
import type { DeskStart } from '../../../core/conversations/desk.ts';
import { invalidArgument, notFound } from '../../../kernel/errors.ts';
import { parseWireId, wireId } from '../ids.ts';
import { conversationToWire, conversationWithFeedbacksToWire, listRequest, modeFromWire, updateRequest } from '../map.ts';
import {
  Conversation, ConversationParams, ConversationsPage, ConversationWithFeedbacks, CreateBody, DeleteUserConversationsBody, errorResponses,
  ListQuery, ModeBody, StartBody, Started, UpdateBody,
} from '../schemas.ts';

const tags = ['Support: conversations'];

/** A conversation id in the path: one that can name nothing is not found (404), as an unknown one. */
export function conversationIdOf(value: string): string {
  const id = parseWireId(value);
  if (!id) throw notFound('conversation');
  return id;
}

/** A conversation state id in a body: one that can name nothing is refused (400), as an unknown one. */
function stateIdOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const id = parseWireId(value);
  if (!id) throw invalidArgument('conversationStateId', 'names no conversation state of this customer');
  return id;
}

/** A person reference: a wire id names its end user; anything else is the caller's own id for them. */
const personRef = (value: string) => parseWireId(value) ?? value;

const START_CHANNEL = { email: 'EMAIL', sms: 'SMS', voice: 'VOICE' } as const;

/** raia's conversation operations (API-FACTS §4), scoped to the key's agent. */
export async function conversationRoutes(app: FastifyInstance, { core }: { core: Core }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/conversations', {
    schema: {
      tags, operationId: 'ExternalApiConversationsController_getConversations', summary: 'List the agent\'s conversations: numbered pages, filters and keyword search',
      querystring: ListQuery, response: { 200: ConversationsPage, ...errorResponses },
    },
  }, async (request) => {
    const { userId, ...query } = request.query;
    const pageSize = query.pageSize ?? 20;
    const page = query.page ?? 1;
    const { items, total } = await core.desk.list(request.caller, listRequest(query, userId === undefined ? undefined : personRef(userId)));
    const totalPages = Math.ceil(total / pageSize);
    return {
      currentPage: page, pageSize, totalItems: total, totalPages,
      hasNextPage: page < totalPages, hasPreviousPage: page > 1 && total > 0,
      data: items.map(conversationWithFeedbacksToWire),
    };
  });

  r.post('/conversations', {
    schema: {
      tags, operationId: 'ExternalApiConversationsController_createConversation', summary: 'Create a conversation of the agent with a conversation user',
      body: CreateBody, response: { 201: Conversation, ...errorResponses },
    },
  }, async (request, reply) => {
    const { conversationUserId, conversationStateId, ...fields } = request.body;
    const view = await core.desk.create(request.caller, { ...fields, conversationUser: personRef(conversationUserId), stateId: stateIdOf(conversationStateId) });
    return reply.code(201).send(conversationToWire(view));
  });

  r.delete('/conversations', {
    schema: {
      tags, operationId: 'ExternalApiConversationsController_deleteAllUsersConversations', summary: 'Delete every conversation of a conversation user with the agent, with their messages',
      body: DeleteUserConversationsBody, response: { 204: { type: 'null', description: 'No content' }, ...errorResponses },
    },
  }, async (request, reply) => {
    await core.desk.deleteConversationsOf(request.caller, personRef(request.body.conversationUserId));
    return reply.code(204).send();
  });

  r.post('/conversations/start', {
    schema: {
      tags, operationId: 'ExternalApiConversationsController_startConversation',
      summary: 'Start a conversation by e-mail, SMS or voice: the first message is recorded and handed to `conversation.outbound_message` webhook endpoints',
      body: StartBody, response: { 201: Started, ...errorResponses },
    },
  }, async (request, reply) => {
    const body = request.body;
    const start: DeskStart = {
      channel: START_CHANNEL[body.channel],
      person: {
        firstName: body.firstName, lastName: body.lastName, email: body.email, phoneNumber: body.phoneNumber,
        fkId: body.fkId, fkUserId: body.fkUserId, source: body.source, context: body.context,
      },
      skipContactValidation: { email: body.skipEmailValidation, phoneNumber: body.skipPhoneNumberValidation },
      subject: body.channel === 'email' ? body.emailSubject : undefined,
      firstMessage: body.channel === 'email' ? body.emailIntroduction : body.channel === 'sms' ? body.smsIntroduction : body.firstMessage,
      conversationContext: body.conversationContext, customData: body.customData, stateId: stateIdOf(body.conversationStateId),
      authorId: body.authorId, resetConversation: body.resetConversation,
    };
    const { conversationId } = await core.desk.start(request.caller, start);
    return reply.code(201).send({ conversationId: wireId(conversationId) });
  });

  r.get('/conversations/:id', {
    schema: {
      tags, operationId: 'ExternalApiConversationsController_getConversationById', summary: 'Get a conversation with its feedbacks',
      params: ConversationParams, response: { 200: ConversationWithFeedbacks, ...errorResponses },
    },
  }, async (request) => conversationWithFeedbacksToWire(await core.desk.get(request.caller, conversationIdOf(request.params.id))));

  r.put('/conversations/:id', {
    schema: {
      tags, operationId: 'ExternalApiConversationsController_updateConversation', summary: 'Update a conversation\'s title, context, status or conversation state',
      params: ConversationParams, body: UpdateBody, response: { 200: Conversation, ...errorResponses },
    },
  }, async (request) => {
    const id = conversationIdOf(request.params.id);
    const { conversationStateId } = request.body;
    const stateId = conversationStateId === null ? null : stateIdOf(conversationStateId);
    return conversationToWire(await core.desk.update(request.caller, id, updateRequest(request.body, stateId)));
  });

  r.put('/conversations/:id/mode', {
    schema: {
      tags, operationId: 'ExternalApiConversationsController_updateConversationMode', summary: 'Hand the conversation to a human (manual) or back to the agent (ai)',
      params: ConversationParams, body: ModeBody, response: { 200: Conversation, ...errorResponses },
    },
  }, async (request) => conversationToWire(await core.desk.setMode(request.caller, conversationIdOf(request.params.id), modeFromWire(request.body.mode))));
}
