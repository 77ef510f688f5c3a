import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { RESOURCE_ID_PATTERN } from '../../../core/tenancy/tenancy.ts';
import { LIMITS } from '../../../kernel/limits.ts';
import { routePath } from '../../kit/google/custom-methods.ts';
import type { SurfaceOptions } from '../index.ts';
import { ErrorResponse } from '../schemas.ts';

const tags = ['ConversationService'];
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };

const EndUserParams = Type.Object({
  customer: Type.String({ pattern: RESOURCE_ID_PATTERN.source }),
  user: Type.String({ minLength: 1, maxLength: LIMITS.shortString, description: "The end user's Parley id, or the caller's own id for them (externalUserId)" }),
}, { additionalProperties: false });

const count = (description: string) => Type.Integer({ minimum: 0, description });
const ErasureResponse = Type.Object({
  endUser: Type.Object({
    id: Type.Optional(Type.String({ description: "Parley's id of the end user; absent when Parley kept no end-user record (a person the conversations surface only names as a visitor)" })),
    externalUserId: Type.String(),
  }),
  removed: Type.Object({
    conversations: count('conversations with the person, on every surface'),
    messages: count('their messages'),
    recordings: count('call and voice-message recordings deleted from the blob store'),
    analyses: count('insights and other analyses of those conversations'),
    agentFeedback: count('agent-surface feedback on those conversations, and what the person left on others'),
    messageFeedback: count('votes on messages of those conversations, and the ones the person cast on others'),
    endUsers: count('the end-user record'),
  }),
  conversationIds: Type.Array(Type.String(), { description: "Parley ids of the removed conversations; each leaves a CONVERSATION_DELETE event (ids only), sent to webhooks as conversation.deleted" }),
});

/** Parley's own: erasure of an end user across every surface (core/retention/erasure.ts). */
export async function endUsersRoutes(app: FastifyInstance, { core }: SurfaceOptions) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post(routePath('/customers/:customer/endUsers/:user:erase'), {
    config: { permission: 'EndUser:EraseEndUser' },
    schema: {
      tags, operationId: 'ConversationService_EraseEndUser',
      summary: 'EraseEndUser [Parley]: removes every conversation with the person (any surface), their messages, recordings, analyses and feedback, the votes they cast and their end-user record; needs a key that is not narrowed',
      params: EndUserParams, body: Type.Object({}, { additionalProperties: false }),
      response: { 200: ErasureResponse, ...errors },
    },
  }, async (request) => {
    const report = await core.erasure.erase(request.caller, request.params.customer, request.params.user);
    const { id, externalId } = report.endUser;
    return { endUser: { ...(id ? { id } : {}), externalUserId: externalId }, removed: report.removed, conversationIds: report.conversationIds };
  });
}
