import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Core } from '../../../core/index.ts';
import { conversationQuery, conversationToWire, conversationWithAgentToWire, messageQuery, messageToWire, pageToWire } from '../map.ts';
import {
  ConversationParams, ConversationsPage, ConversationWithAgent, errorResponses, ListConversationsQuery, ListMessagesQuery, MessagesPage,
  OrganizationParams,
} from '../schemas.ts';

const tags = ['Agent: conversations'];

/** The reads of conversations held on any surface, by their 24-hex ids. */
export async function conversationRoutes(app: FastifyInstance, { core }: { core: Core }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/conversation/', {
    config: { permission: 'Agent:GetConversations' },
    schema: {
      tags, operationId: 'get-conversations', summary: 'List conversations by filters, newest first by default',
      params: OrganizationParams, querystring: ListConversationsQuery,
      response: { 200: ConversationsPage, ...errorResponses },
    },
  }, async (request) => {
    const { limit = 150, continuation_token: offset = 0, ...filters } = request.query;
    const page = await core.filteredLists.list(request.caller, conversationQuery(filters), { offset, limit });
    return { conversations: page.items.map(conversationToWire), ...pageToWire(page.next) };
  });

  r.get('/conversation/:conversation_id', {
    config: { permission: 'Agent:GetConversation' },
    schema: {
      tags, operationId: 'get-conversation', summary: 'Get a conversation, with its agent\'s name',
      params: ConversationParams, response: { 200: ConversationWithAgent, ...errorResponses },
    },
  }, async (request) => conversationWithAgentToWire(await core.filteredLists.get(request.caller, request.params.conversation_id)));

  r.get('/conversation/:conversation_id/messages/', {
    config: { permission: 'Agent:GetConversationMessages' },
    schema: {
      tags, operationId: 'get-conversation-messages', summary: 'List a conversation\'s messages by filters, in conversation order by default',
      params: ConversationParams, querystring: ListMessagesQuery,
      response: { 200: MessagesPage, ...errorResponses },
    },
  }, async (request) => {
    const { limit = 500, continuation_token: offset = 0, ...filters } = request.query;
    const page = await core.filteredLists.messages(request.caller, request.params.conversation_id, messageQuery(filters), { offset, limit });
    return { messages: page.items.map(messageToWire), ...pageToWire(page.next) };
  });
}
