import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { invalidArgument } from '../../../kernel/errors.ts';
import { LIMITS } from '../../../kernel/limits.ts';
import { routePath } from '../../kit/google/custom-methods.ts';
import type { SurfaceOptions } from '../index.ts';
import { messageFromWire, messageToWire } from '../map.ts';
import { parseMessageName, segmentsOf } from '../names.ts';
import {
  ConversationParams, Empty, ErrorResponse, FreeObject, MessageBody, MessageInBatch, MessageParams, MessageResponse,
} from '../schemas.ts';

const P = '/customers/:customer/profiles/:profile/conversations/:conversation';
const tags = ['ConversationService'];
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };

const ORDER_BY = ['sequencePosition', 'sequencePosition desc'] as const;

function descendingFromWire(orderBy: string | undefined): boolean {
  const value = (orderBy ?? 'sequencePosition').trim().replace(/\s+/g, ' ');
  if (!(ORDER_BY as readonly string[]).includes(value)) throw invalidArgument('orderBy', `must be one of ${ORDER_BY.join(', ')}`);
  return value.endsWith(' desc');
}

export async function messagesRoutes(app: FastifyInstance, { core }: SurfaceOptions) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(`${P}/conversationMessages`, {
    config: { permission: 'Conversation:ListConversationMessages' },
    schema: {
      tags, operationId: 'ConversationService_ListConversationMessages', summary: 'ListConversationMessages in sequencePosition order (keyset pages)', params: ConversationParams,
      querystring: Type.Object({
        pageSize: Type.Optional(Type.Integer({ minimum: 0, maximum: LIMITS.pageSize })),
        pageToken: Type.Optional(Type.String({ maxLength: 4096 })),
        orderBy: Type.Optional(Type.String({ maxLength: 64 })),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ conversationMessages: Type.Array(MessageResponse), nextPageToken: Type.String() }), ...errors },
    },
  }, async (request) => {
    const { customer, profile, conversation } = request.params;
    const ref = await core.conversations.resolveName(request.caller, customer, profile, conversation);
    const page = await core.messages.list(ref, {
      pageSize: request.query.pageSize || 100,
      pageToken: request.query.pageToken,
      descending: descendingFromWire(request.query.orderBy),
    });
    return { conversationMessages: page.messages.map((m) => messageToWire(ref, m)), nextPageToken: page.nextPageToken };
  });

  r.post(`${P}/conversationMessages`, {
    config: { permission: 'Conversation:CreateConversationMessage' },
    schema: {
      tags, operationId: 'ConversationService_CreateConversationMessage', summary: 'CreateConversationMessage (idempotent with requestId)', params: ConversationParams,
      body: MessageBody, response: { 200: MessageResponse, ...errors },
    },
  }, async (request) => {
    const { customer, profile, conversation } = request.params;
    const ref = await core.conversations.resolveName(request.caller, customer, profile, conversation);
    const { requestId, ...message } = request.body;
    const [created] = await core.messages.append(request.caller, ref, [messageFromWire(message)], { requestId });
    return messageToWire(ref, created);
  });

  r.post(routePath(`${P}/conversationMessages:batchCreate`), {
    config: { permission: 'Conversation:BatchCreateConversationMessages' },
    schema: {
      tags, operationId: 'ConversationService_BatchCreateConversationMessages', summary: 'BatchCreateConversationMessages: all-or-nothing, gapless sequencePositions', params: ConversationParams,
      body: Type.Object({
        conversationMessages: Type.Array(MessageInBatch, { minItems: 1, maxItems: LIMITS.batchMessages }),
        requestId: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ conversationMessages: Type.Array(MessageResponse) }), ...errors },
    },
  }, async (request) => {
    const { customer, profile, conversation } = request.params;
    const ref = await core.conversations.resolveName(request.caller, customer, profile, conversation);
    const created = await core.messages.append(request.caller, ref, request.body.conversationMessages.map(messageFromWire), { requestId: request.body.requestId });
    return { conversationMessages: created.map((m) => messageToWire(ref, m)) };
  });

  r.get(routePath(`${P}/conversationMessages:batchGet`), {
    config: { permission: 'Conversation:BatchGetConversationMessages' },
    schema: {
      tags, operationId: 'ConversationService_BatchGetConversationMessages', summary: 'BatchGetConversationMessages in request order; a missing name fails the call', params: ConversationParams,
      querystring: Type.Object({
        names: Type.Array(Type.String({ maxLength: LIMITS.shortString }), { minItems: 1, maxItems: LIMITS.batchGetMessages }),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ conversationMessages: Type.Array(MessageResponse) }), ...errors },
    },
  }, async (request) => {
    const { customer, profile, conversation } = request.params;
    const ref = await core.conversations.resolveName(request.caller, customer, profile, conversation);
    const parsed = request.query.names.map((name, i) => parseMessageName(name, `names[${i}]`));
    const accepted = await segmentsOf(ref, conversation, parsed, (c) => core.conversations.resolveName(request.caller, c.customerId, c.profileId, c.nameId));
    const ids = parsed.map((m, i) => {
      if (m.customerId !== customer || m.profileId !== profile || !accepted.has(m.nameId)) {
        throw invalidArgument(`names[${i}]`, 'must name a message of the conversation in the path');
      }
      return m.messageId;
    });
    const { messages } = await core.messages.batchGet(ref, ids);
    return { conversationMessages: messages.map((m) => messageToWire(ref, m)) };
  });

  r.get(`${P}/messages/:message`, {
    config: { permission: 'Conversation:GetConversationMessage' },
    schema: { tags, operationId: 'ConversationService_GetConversationMessage', summary: 'GetConversationMessage', params: MessageParams, response: { 200: MessageResponse, ...errors } },
  }, async (request) => {
    const { customer, profile, conversation, message } = request.params;
    const ref = await core.conversations.resolveName(request.caller, customer, profile, conversation);
    const { messages } = await core.messages.batchGet(ref, [message]);
    return messageToWire(ref, messages[0]);
  });

  r.post(routePath(`${P}/messages/:message:redact`), {
    config: { permission: 'Conversation:RedactConversationMessage' },
    schema: {
      tags, operationId: 'ConversationService_RedactConversationMessage', summary: 'RedactConversationMessage: UTF-8 byte range [startIndex, endIndex) becomes one * per character', params: MessageParams,
      body: Type.Object({
        // Parley has no moments yet; accepted so vendor clients that send one are not refused.
        moment: Type.Optional(FreeObject),
        startIndex: Type.Integer({ minimum: 0 }),
        endIndex: Type.Integer({ minimum: 0 }),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ conversationMessage: MessageResponse }), ...errors },
    },
  }, async (request) => {
    const { customer, profile, conversation, message } = request.params;
    const ref = await core.conversations.resolveName(request.caller, customer, profile, conversation);
    const redacted = await core.messages.redact(request.caller, ref, message, { startIndex: request.body.startIndex, endIndex: request.body.endIndex });
    return { conversationMessage: messageToWire(ref, redacted) };
  });

  r.delete(`${P}/messages/:message`, {
    config: { permission: 'Conversation:DeleteConversationMessage' },
    schema: { tags, operationId: 'ConversationService_DeleteConversationMessage', summary: 'DeleteConversationMessage: leaves a tombstone (state DELETED, text cleared)', params: MessageParams, response: { 200: Empty, ...errors } },
  }, async (request) => {
    const { customer, profile, conversation, message } = request.params;
    await core.messages.delete(request.caller, await core.conversations.resolveName(request.caller, customer, profile, conversation), message);
    return {};
  });
}
