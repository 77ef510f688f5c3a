import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { invalidArgument } from '../../../kernel/errors.ts';
import { LIMITS } from '../../../kernel/limits.ts';
import { TAG_ID_PATTERN } from '../../../core/conversations/tags.ts';
import type { SurfaceOptions } from '../index.ts';
import { tagToWire } from '../map.ts';
import { parseTagName } from '../names.ts';
import { ConversationParams, Empty, ErrorResponse, TagResponse } from '../schemas.ts';

const P = '/customers/:customer/profiles/:profile/conversations/:conversation';
const tags = ['ConversationService'];
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
const StrictEmpty = Type.Object({}, { additionalProperties: false });
const TagParams = Type.Object({ ...ConversationParams.properties, tagId: Type.String({ pattern: TAG_ID_PATTERN.source }) }, { additionalProperties: false });

export async function tagsRoutes(app: FastifyInstance, { core }: SurfaceOptions) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(`${P}/tags`, {
    config: { permission: 'Conversation:ListConversationTags' },
    schema: { tags, operationId: 'ConversationService_ListConversationTags', summary: 'ListConversationTags', params: ConversationParams, response: { 200: Type.Object({ tags: Type.Array(TagResponse) }), ...errors } },
  }, async (request) => {
    const { customer, profile, conversation } = request.params;
    const found = await core.tags.list(await core.conversations.resolveName(request.caller, customer, profile, conversation));
    return { tags: found.map(tagToWire) };
  });

  r.post(`${P}/tags`, {
    config: { permission: 'Conversation:AddConversationTag' },
    schema: {
      tags, operationId: 'ConversationService_AddConversationTag', summary: "AddConversationTag: a tag of the conversation's profile, created on first use; idempotent", params: ConversationParams,
      body: Type.Object({ tag: Type.String({ minLength: 1, maxLength: LIMITS.shortString }) }, { additionalProperties: false }),
      response: { 200: Empty, ...errors },
    },
  }, async (request) => {
    const { customer, profile, conversation } = request.params;
    const ref = await core.conversations.resolveName(request.caller, customer, profile, conversation);
    const tag = parseTagName(request.body.tag, 'tag');
    if (tag.customerId !== customer) throw invalidArgument('tag', "must be a tag of the conversation's customer");
    await core.tags.add(request.caller, ref, { profileId: tag.profileId, id: tag.tagId });
    return {};
  });

  r.delete(`${P}/tags/:tagId`, {
    config: { permission: 'Conversation:DeleteConversationTag' },
    schema: { tags, operationId: 'ConversationService_DeleteConversationTag', summary: 'DeleteConversationTag: NOT_FOUND when the conversation does not carry it', params: TagParams, response: { 200: Empty, ...errors } },
  }, async (request) => {
    const { customer, profile, conversation, tagId } = request.params;
    await core.tags.remove(request.caller, await core.conversations.resolveName(request.caller, customer, profile, conversation), tagId);
    return {};
  });

  // A plain path segment, not a :verb custom method: that is how the vendor spells it.
  r.post(`${P}/addConversationStarTag`, {
    config: { permission: 'Conversation:AddConversationStarTag' },
    schema: { tags, operationId: 'ConversationService_AddConversationStarTag', summary: "AddConversationStarTag: the caller's own star tag, created when missing", params: ConversationParams, body: StrictEmpty, response: { 200: Empty, ...errors } },
  }, async (request) => {
    const { customer, profile, conversation } = request.params;
    await core.tags.star(request.caller, await core.conversations.resolveName(request.caller, customer, profile, conversation));
    return {};
  });
}
