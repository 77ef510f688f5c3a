import type { FastifyInstance } from 'fastify';
import type { Core } from '../../core/index.ts';
import { crestaKey, requireApiKey } from '../kit/auth.ts';
import { ParleyError } from '../../kernel/errors.ts';
import { handleError } from './errors.ts';
import { conversationRoutes } from './routes/conversations.ts';
import { conversationUpdatesRoutes } from './routes/conversation-updates.ts';
import { eventsRoutes } from './routes/events.ts';
import { lookupsRoutes } from './routes/lookups.ts';
import { messagesRoutes } from './routes/messages.ts';
import { samplingRoutes } from './routes/sampling.ts';
import { tagsRoutes } from './routes/tags.ts';

export interface SurfaceOptions {
  core: Core;
}

/** The `conversations` surface: Cresta ConversationService over gRPC-JSON transcoding (API-FACTS §1). */
export async function conversationsSurface(app: FastifyInstance, { core }: SurfaceOptions) {
  await app.register(async (surface) => {
    surface.setErrorHandler(handleError);
    surface.setNotFoundHandler((request, reply) =>
      handleError(new ParleyError('NOT_FOUND', `no method ${request.method} ${request.url}`) as never, request, reply));
    requireApiKey(surface, core, crestaKey);
    // gRPC-JSON gateways treat a missing body as the empty message, so curl without -d works.
    surface.addHook('preValidation', async (request) => {
      if (request.body === undefined && (request.method === 'POST' || request.method === 'PATCH')) request.body = {};
    });
    for (const routes of [conversationRoutes, conversationUpdatesRoutes, messagesRoutes, eventsRoutes, tagsRoutes, lookupsRoutes, samplingRoutes]) {
      await surface.register(routes, { core });
    }
  }, { prefix: '/v1' });
}
