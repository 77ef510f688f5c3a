import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { SAMPLE_PAGE_SIZE, SAMPLING_METHODS } from '../../../core/sampling/sampling.ts';
import { routePath } from '../../kit/google/custom-methods.ts';
import type { SurfaceOptions } from '../index.ts';
import { conversationName, profileName } from '../names.ts';
import { ErrorResponse, Int64, ProfileParams, StringEnum, Timestamp } from '../schemas.ts';

const P = '/customers/:customer/profiles/:profile/conversations';
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };

const SampleBody = Type.Object({
  pageSize: Type.Optional(Type.Integer({ minimum: 0, maximum: SAMPLE_PAGE_SIZE })),
  pageToken: Type.Optional(Type.String({ maxLength: 4096 })),
  filter: Type.Optional(Type.Object({
    startTime: Type.Optional(Timestamp),
    endTime: Type.Optional(Timestamp),
    maxConversationRatio: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
    maxConversations: Type.Optional(Int64),
    maxMessages: Type.Optional(Int64),
  }, { additionalProperties: false })),
  samplingMethod: Type.Optional(StringEnum(SAMPLING_METHODS)),
  disableMessageCounts: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });

const SampleResponse = Type.Object({
  sampledConversations: Type.Array(Type.Object({ conversation: Type.String(), startTime: Timestamp, messageCount: Type.Optional(Type.String()) })),
  nextPageToken: Type.String(),
  parent: Type.String(),
  pageStartTime: Timestamp,
  pageEndTime: Timestamp,
  pageConversationCount: Type.Integer(),
});

export async function samplingRoutes(app: FastifyInstance, { core }: SurfaceOptions) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post(routePath(`${P}:sample`), {
    config: { permission: 'Conversation:SampleConversations' },
    schema: {
      tags: ['ConversationService'],
      operationId: 'ConversationService_SampleConversations', summary: 'SampleConversations: deterministic consistent-hash sample; pages are start-time windows [pageStartTime, pageEndTime)',
      params: ProfileParams, body: Type.Optional(SampleBody), response: { 200: SampleResponse, ...errors },
    },
  }, async (request) => {
    const { customer, profile } = request.params;
    const body = request.body ?? {};
    const filter = body.filter ?? {};
    const page = await core.sampling.sample(request.caller, customer, profile, {
      pageSize: body.pageSize,
      pageToken: body.pageToken,
      startTime: filter.startTime,
      endTime: filter.endTime,
      maxConversationRatio: filter.maxConversationRatio,
      maxConversations: filter.maxConversations === undefined ? undefined : String(filter.maxConversations),
      maxMessages: filter.maxMessages === undefined ? undefined : String(filter.maxMessages),
      samplingMethod: body.samplingMethod,
      disableMessageCounts: body.disableMessageCounts,
    });
    return {
      sampledConversations: page.conversations.map((c) => ({
        conversation: conversationName({ customerId: customer, profileId: profile, nameId: c.nameId }),
        startTime: c.startTime,
        ...(c.messageCount === undefined ? {} : { messageCount: String(c.messageCount) }),
      })),
      nextPageToken: page.nextPageToken,
      parent: profileName(customer, profile),
      pageStartTime: page.pageStartTime,
      pageEndTime: page.pageEndTime,
      pageConversationCount: page.pageConversationCount,
    };
  });
}
