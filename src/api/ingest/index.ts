import type { FastifyInstance } from 'fastify';
import { bearerKey } from '../kit/auth.ts';
import { registerSurface, type SurfaceOptions } from '../kit/surface.ts';
import { ingestErrors } from './errors.ts';
import { ingestDocs } from './openapi.ts';
import { registerRateLimit } from './rate-limit.ts';
import { conversationRoutes } from './routes/conversations.ts';
import { promptRoutes } from './routes/prompts.ts';
import { webhookRoutes } from './routes/webhooks.ts';

/** The `ingest` surface: Converra's conversation logging API (API-FACTS §5). */
export async function ingestSurface(app: FastifyInstance, { core }: SurfaceOptions) {
  await registerSurface(app, core, {
    name: 'ingest',
    prefix: '/api/v1',
    // `Authorization: Bearer <key>` only (the vendor's one form). Any other header value presents no
    // key, which the error renderer reports as an invalid key because the header is there.
    key: bearerKey,
    docs: ingestDocs,
    errors: ingestErrors,
    notFound: (request) => `No route ${request.method} ${request.url}`,
    // After the key check: the limit is counted per key, and an invalid key is 401, never 429.
    afterAuth: (surface) => registerRateLimit(surface, core),
    routes: [conversationRoutes, promptRoutes, webhookRoutes],
  });
}
