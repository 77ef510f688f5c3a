import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { invalidArgument } from '../../../kernel/errors.ts';
import { LIMITS } from '../../../kernel/limits.ts';
import { routePath } from '../../kit/google/custom-methods.ts';
import type { SurfaceOptions } from '../index.ts';
import { conversationFromWire, conversationToWire } from '../map.ts';
import { CONVERSATION_ID_PATTERN } from '../../kit/google/schemas.ts';
import { parseConversationName } from '../names.ts';
import { ConversationBody, ConversationParams, ConversationResponse, Empty, ErrorResponse, MetadataValues, ProfileParams } from '../schemas.ts';

const P = '/customers/:customer/profiles/:profile/conversations';
const tags = ['ConversationService'];
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
const Conversations = Type.Array(ConversationResponse);

/** FetchConversationByLegacyID / ByPlatformID, BatchGet / BatchStart and UpsertConversationMetadata. */
export async function lookupsRoutes(app: FastifyInstance, { core }: SurfaceOptions) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(routePath(`${P}:fetchByLegacyId`), {
    config: { permission: 'Conversation:GetConversation' },
    schema: {
      tags, operationId: 'ConversationService_FetchConversationByLegacyID', summary: 'FetchConversationByLegacyID (the latest conversation with that legacy chat id)', params: ProfileParams,
      querystring: Type.Object({ legacyChatId: Type.Integer({ minimum: -2147483648, maximum: 2147483647 }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ conversation: ConversationResponse }), ...errors },
    },
  }, async (request) => {
    const { customer, profile } = request.params;
    const found = await core.lookups.fetchByLegacyId(request.caller, customer, profile, request.query.legacyChatId);
    return { conversation: conversationToWire(found) };
  });

  r.get(routePath(`${P}:fetchByPlatformId`), {
    config: { permission: 'Conversation:GetConversation' },
    schema: {
      tags, operationId: 'ConversationService_FetchConversationByPlatformID', summary: 'FetchConversationByPlatformID (conversations by startTime ascending; conversation is the latest)', params: ProfileParams,
      querystring: Type.Object({
        platformConversationId: Type.String({ minLength: 1, maxLength: LIMITS.shortString }),
        platformAccountId: Type.String({ minLength: 1, maxLength: LIMITS.shortString }),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ conversation: ConversationResponse, conversations: Conversations }), ...errors },
    },
  }, async (request) => {
    const { customer, profile } = request.params;
    const { platformConversationId, platformAccountId } = request.query;
    const found = (await core.lookups.fetchByPlatformId(request.caller, customer, profile, platformConversationId, platformAccountId)).map(conversationToWire);
    return { conversation: found[found.length - 1], conversations: found };
  });

  r.get(routePath(`${P}:batchGet`), {
    config: { permission: 'Conversation:GetConversation' },
    schema: {
      tags, operationId: 'ConversationService_BatchGetConversations', summary: 'BatchGetConversations (request order; one missing name fails the call with NOT_FOUND)', params: ProfileParams,
      querystring: Type.Object({
        names: Type.Array(Type.String({ maxLength: LIMITS.shortString }), { minItems: 1, maxItems: LIMITS.batchConversations }),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ conversations: Conversations }), ...errors },
    },
  }, async (request) => {
    const { customer, profile } = request.params;
    const nameIds = request.query.names.map((name, i) => {
      const parsed = parseConversationName(name, `names[${i}]`);
      // AIP-231: every name must sit under the parent in the path.
      if (parsed.customerId !== customer || parsed.profileId !== profile) throw invalidArgument(`names[${i}]`, `must be under customers/${customer}/profiles/${profile}`);
      return parsed.nameId;
    });
    const found = await core.lookups.batchGet(request.caller, customer, profile, nameIds);
    return { conversations: found.map(conversationToWire) };
  });

  r.post(routePath(`${P}:batchStart`), {
    config: { permission: 'Conversation:StartConversation' },
    schema: {
      tags, operationId: 'ConversationService_BatchStartConversations', summary: 'BatchStartConversations (all-or-nothing; each start idempotent on its conversationId)', params: ProfileParams,
      body: Type.Object({
        requests: Type.Array(Type.Object({
          conversationId: Type.Optional(Type.String({ pattern: CONVERSATION_ID_PATTERN.source })),
          conversation: Type.Optional(ConversationBody),
        }, { additionalProperties: false }), { minItems: 1, maxItems: LIMITS.batchConversations }),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ conversations: Conversations }), ...errors },
    },
  }, async (request) => {
    const { customer, profile } = request.params;
    const requests = request.body.requests.map((r) => ({ conversationId: r.conversationId, conversation: conversationFromWire(r.conversation ?? {}) }));
    const started = await core.lookups.batchStart(request.caller, customer, profile, requests);
    return { conversations: started.map(conversationToWire) };
  });

  r.post(routePath(`${P}/:conversation:upsertMetadata`), {
    config: { permission: 'Conversation:UpdateConversation' },
    schema: {
      tags,
      operationId: 'ConversationService_UpsertConversationMetadata', summary: 'UpsertConversationMetadata: new keys added, given keys replaced, others kept; dotted keys are stored flat under the dotted key',
      params: ConversationParams,
      body: Type.Object({
        metadataValues: MetadataValues,
        source: Type.Optional(Type.String({ maxLength: LIMITS.shortString })),
      }, { additionalProperties: false }),
      response: { 200: Empty, ...errors },
    },
  }, async (request) => {
    const { customer, profile, conversation } = request.params;
    const ref = await core.conversations.resolveName(request.caller, customer, profile, conversation);
    await core.lookups.upsertMetadata(request.caller, ref, request.body.metadataValues, request.body.source ?? '');
    return {};
  });
}
