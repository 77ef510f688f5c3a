import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ParleyError } from '../../kernel/errors.ts';
import type { Core } from '../../core/index.ts';
import { requireApiKey, type KeyExtractor } from '../kit/auth.ts';
import { handleError } from './errors.ts';
import { registerRateLimit } from './rate-limit.ts';
import { conversationRoutes } from './routes/conversations.ts';
import { promptRoutes } from './routes/prompts.ts';
import { webhookRoutes } from './routes/webhooks.ts';

/**
 * `Authorization: Bearer <key>` only (the vendor's one form). Any other header value presents no
 * key, which the error renderer reports as an invalid key because the header is there.
 */
export const bearerKey: KeyExtractor = (request: FastifyRequest) =>
  /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];

/** The `ingest` surface: Converra's conversation logging API (API-FACTS §5). */
export async function ingestSurface(app: FastifyInstance, { core }: { core: Core }) {
  await app.register(async (surface) => {
    surface.setErrorHandler(handleError);
    surface.setNotFoundHandler((request, reply) =>
      handleError(new ParleyError('NOT_FOUND', `No route ${request.method} ${request.url}`) as never, request, reply));
    requireApiKey(surface, core, bearerKey);
    await registerRateLimit(surface, core);
    for (const routes of [conversationRoutes, promptRoutes, webhookRoutes]) await surface.register(routes, { core });
  }, { prefix: '/api/v1' });
}
