import type { FastifyInstance } from 'fastify';
import type { Core } from '../../core/index.ts';
import { crestaKey, requireApiKey } from '../auth.ts';
import { ParleyError } from '../../core/errors.ts';
import { handleError } from './errors.ts';
import { conversationRoutes } from './routes/conversations.ts';

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
    await surface.register(conversationRoutes, { core });
  }, { prefix: '/v1' });
}
