import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifySchemaCompiler } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import type { Core } from '../core/index.ts';
import { LIMITS } from '../kernel/limits.ts';
import { migrationsCurrent } from '../store/migrate.ts';
import { openapiPath, rewriteCustomMethod } from './kit/google/custom-methods.ts';
import { acceptEmptyJson } from './kit/empty-json.ts';
import { frameworkErrors, trackRoutes } from './kit/routing.ts';
import { validatorCompiler } from './kit/validation.ts';
import { conversationsSurface } from './conversations/index.ts';
import { voiceSurface } from './voice/index.ts';
import { ingestSurface } from './ingest/index.ts';

/**
 * Compiles a route's schema on the route's first request instead of at start: Ajv's code
 * generation for every route of every surface was a large part of a start, and most routes are
 * never called in a given run. Same validator, same errors, once compiled.
 */
function onFirstUse(compile: FastifySchemaCompiler<object>): FastifySchemaCompiler<object> {
  return (route) => {
    type Validator = ((data: unknown) => unknown) & { errors?: unknown };
    let compiled: Validator | undefined;
    const validate: Validator = (data) => {
      compiled ??= compile(route) as Validator;
      const result = compiled(data);
      validate.errors = compiled.errors;
      return result;
    };
    return validate as ReturnType<FastifySchemaCompiler<object>>;
  };
}

export interface AppOptions {
  core: Core;
  logger: Logger;
}

/** The Fastify app: request ids, logging, validation, OpenAPI, health, and every surface. */
export async function buildApp({ core, logger }: AppOptions) {
  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    bodyLimit: LIMITS.bodyBytes,
    rewriteUrl: (req) => rewriteCustomMethod(req.url ?? '/'),
    return503OnClosing: true,
    // Fastify's default (100) refused valid 101–128 character conversation ids with a 414; past
    // this length the router refuses, below it the route's schema names the field.
    routerOptions: { maxParamLength: LIMITS.pathParam },
    frameworkErrors,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(onFirstUse(validatorCompiler));
  trackRoutes(app);
  acceptEmptyJson(app);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // One line per request instead of Fastify's two: half the logging cost on the hot path.
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Parley', version: '0.1.0', description: 'Five vendor-compatible conversation APIs over one core.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key' } } },
      security: [{ bearer: [] }, { apiKeyHeader: [] }],
    },
    transform: ({ schema, url }) => ({ schema, url: openapiPath(url) }),
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await core.db.query('SELECT 1');
      if (!(await migrationsCurrent(core.db))) return reply.code(503).send({ status: 'migrations pending' });
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({ status: 'database unreachable' });
    }
  });

  await app.register(conversationsSurface, { core });
  await app.register(voiceSurface, { core });
  await app.register(ingestSurface, { core });
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
