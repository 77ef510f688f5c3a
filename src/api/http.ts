import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifySchemaCompiler } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import type { Core } from '../core/index.ts';
import { LIMITS } from '../kernel/limits.ts';
import { migrationsCurrent } from '../store/migrate.ts';
import { rewriteCustomMethod } from './kit/google/custom-methods.ts';
import { acceptEmptyJson } from './kit/empty-json.ts';
import { frameworkErrors, trackRoutes } from './kit/routing.ts';
import { validatorCompiler } from './kit/validation.ts';
import { countRequests, serveMetrics } from './kit/metrics.ts';
import { trackOpenApi } from './kit/openapi/registry.ts';
import { serveOpenApi, withServer } from './kit/openapi/serve.ts';
import { conversationsSurface } from './conversations/index.ts';
import { voiceSurface } from './voice/index.ts';
import { ingestSurface } from './ingest/index.ts';
import { agentSurface } from './agent/index.ts';
import { supportSurface } from './support/index.ts';
import { consolePlugin } from './console.ts';

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
  /** PARLEY_UPLOAD_IDLE_TIMEOUT_MS: how long a streamed upload may pause (default kit/streamed-body.ts). */
  uploadIdleMs?: number;
  /** PARLEY_METRICS_PUBLIC: `/metrics` without a key. Default false. */
  metricsPublic?: boolean;
  /** The built console served at /console (default dist/console; see console.ts). */
  consoleDir?: string;
}

/** The Fastify app: request ids, logging, validation, OpenAPI, health, and every surface. */
export async function buildApp({ core, logger, uploadIdleMs, metricsPublic = false, consoleDir }: AppOptions) {
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
  const openapi = trackOpenApi(app, {
    title: 'Parley',
    version: '0.1.0',
    description: 'Self-hostable conversation service: each surface below speaks one vendor\'s wire over the same conversations, '
      + 'so a conversation created through any surface is readable through every other.',
  });
  acceptEmptyJson(app);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // One line per request instead of Fastify's two: half the logging cost on the hot path.
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });
  countRequests(app, core.metrics);

  // The document is Parley's own (kit/openapi); swagger-ui only needs @fastify/swagger present,
  // so it gets a placeholder and is handed the real document on each request.
  await app.register(swagger, { mode: 'static', specification: { document: { openapi: '3.1.0', info: { title: 'Parley', version: '0.1.0' }, paths: {} } } });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    transformSpecificationClone: false,
    transformSpecification: (_placeholder, request) => withServer(openapi.documents().whole, request),
  });
  serveOpenApi(app, openapi);

  const health = { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] };
  app.get('/healthz', {
    schema: { operationId: 'getHealthz', tags: ['Parley'], summary: 'Liveness: the process answers', response: { 200: health } },
  }, async () => ({ status: 'ok' }));
  app.get('/readyz', {
    schema: {
      operationId: 'getReadyz', tags: ['Parley'], summary: 'Readiness: the database answers and every migration is applied (503 otherwise)',
      response: { 200: health, 503: health },
    },
  }, async (_request, reply) => {
    try {
      await core.db.query('SELECT 1');
      if (!(await migrationsCurrent(core.db))) return reply.code(503).send({ status: 'migrations pending' });
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({ status: 'database unreachable' });
    }
  });

  serveMetrics(app, core, { public: metricsPublic });

  // Live streams never end on their own: end them (with their cursors) before the server waits for its connections.
  app.addHook('preClose', () => core.streams.close());
  await app.register(conversationsSurface, { core });
  await app.register(voiceSurface, { core });
  await app.register(ingestSurface, { core });
  await app.register(agentSurface, { core, uploadIdleMs });
  await app.register(supportSurface, { core });
  await app.register(consolePlugin, { dir: consoleDir });
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
