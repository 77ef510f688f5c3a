import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Core } from '../../../core/index.ts';
import { errorResponses, ErrorResponse, MessageParams, MessageSource, MessageSourceQuery, RecordingLinkQuery } from '../schemas.ts';

const tags = ['Agent: conversations'];
const SOURCE = '/conversation/:conversation_id/messages/:message_id/source';

/**
 * A voice message's source (Amigo's retrieve-message-source): a link to its recording that Parley
 * signs and serves itself, so a player fetches it without the caller's token, as it would a
 * bucket's presigned URL.
 */
export async function sourceRoutes(app: FastifyInstance, { core }: { core: Core }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(SOURCE, {
    config: { permission: 'Agent:GetMessageSource' },
    schema: {
      tags, operationId: 'retrieve-message-source',
      summary: 'A link to a voice message\'s recording (15 minutes, or 12 hours with long_lived); 400 for a text message',
      params: MessageParams, querystring: MessageSourceQuery, response: { 200: MessageSource, 400: ErrorResponse, ...errorResponses },
    },
  }, async (request) => {
    const { conversation_id: conversationId, message_id: messageId } = request.params;
    const link = await core.messageSources.link(request.caller, conversationId, messageId, request.query.long_lived ?? false);
    const query = new URLSearchParams({ expires: String(link.expires), signature: link.signature });
    const path = `/v1/${link.customerId}/conversation/${conversationId}/messages/${messageId}/source/recording?${query}`;
    return { url: `${request.protocol}://${request.host}${path}`, expires_at: new Date(link.expires * 1000).toISOString(), content_type: link.contentType };
  });

  r.get(`${SOURCE}/recording`, {
    // The link is the credential: no token, like a presigned URL.
    config: {
      anonymous: true,
      openapi: {
        security: [],
        responses: {
          200: { description: 'The recording', content: { 'audio/wav': {}, 'audio/mpeg': {} } },
          403: { description: 'The link\'s signature does not match, or it has expired', content: { 'application/json': { schema: ErrorResponse } } },
          404: { description: 'The message, or its recording, is gone', content: { 'application/json': { schema: ErrorResponse } } },
        },
      },
    },
    schema: {
      tags, operationId: 'get-message-recording',
      summary: 'The recording a message-source link points at [Parley]; 403 when its signature does not match or it has expired',
      params: MessageParams, querystring: RecordingLinkQuery,
    },
  }, async (request, reply) => {
    const { organization, conversation_id: conversationId, message_id: messageId } = request.params;
    const { expires, signature } = request.query;
    const blob = await core.messageSources.open({ customerId: organization, conversationId, messageId, expires, signature });
    return reply.type(blob.contentType).header('content-length', String(blob.size)).header('cache-control', 'private, no-store').send(blob.body);
  });
}
