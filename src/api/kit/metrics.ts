import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../../core/index.ts';
import type { Metrics } from '../../core/metrics/metrics.ts';
import { METRICS_SCOPE, mayReadMetrics } from '../../core/metrics/metrics-access.ts';
import { ParleyError } from '../../kernel/errors.ts';
import { bearerKey } from './auth.ts';
import type { AnyFastify } from './surface.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The surface a route belongs to (kit/surface.ts sets it): the `surface` label of the HTTP metrics. */
    surface?: string;
  }
}

/** Requests that no route matched share one label, so a scan of random paths cannot add series. */
const UNMATCHED = '(unmatched)';

/** Counts every answered request, with its duration, by surface, route template, method and status. */
export function countRequests(app: AnyFastify, metrics: Metrics): void {
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const labels = {
      surface: request.routeOptions.config?.surface ?? 'parley',
      route: request.routeOptions.url ?? UNMATCHED,
      method: request.method,
      status: String(reply.statusCode),
    };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
  });
}

export interface MetricsRouteOptions {
  /** PARLEY_METRICS_PUBLIC: served without a key. */
  public: boolean;
}

const errorBody = {
  type: 'object',
  properties: { code: { type: 'string' }, message: { type: 'string' } },
  required: ['code', 'message'],
};

/** A refusal in the small shape of Parley's own routes (as /healthz and /readyz), not a vendor's. */
function refuse(reply: FastifyReply, error: ParleyError): FastifyReply {
  return reply.code(error.httpStatus).send({ code: error.code, message: error.message });
}

/** `GET /metrics` on the API port: Prometheus text, for a key that may read it (core/metrics/metrics-access.ts). */
export function serveMetrics(app: AnyFastify, core: Core, options: MetricsRouteOptions): void {
  app.get('/metrics', {
    schema: {
      operationId: 'getMetrics',
      tags: ['Parley'],
      summary: 'Prometheus metrics of this process (text exposition format)',
      description: `For a key of the whole customer, or one with the \`${METRICS_SCOPE}\` scope, as \`Authorization: Bearer <key>\`; `
        + 'without a key when PARLEY_METRICS_PUBLIC=on. PARLEY_METRICS_PORT serves the same on a port of its own, without a key.',
    },
    config: {
      openapi: {
        security: options.public ? [] : [{ bearer: [] }],
        responses: {
          200: { description: 'The metrics', content: { 'text/plain': { schema: { type: 'string' } } } },
          401: { description: 'No key, or not a valid one', content: { 'application/json': { schema: errorBody } } },
          403: { description: `A narrowed key without the ${METRICS_SCOPE} scope`, content: { 'application/json': { schema: errorBody } } },
        },
      },
    },
  }, async (request, reply) => {
    if (!options.public) {
      const presented = bearerKey(request);
      if (!presented) return refuse(reply, new ParleyError('UNAUTHENTICATED', 'missing API key: send Authorization: Bearer <key>'));
      let caller;
      try {
        caller = await core.apiKeys.authenticate(presented);
      } catch (err) {
        if (err instanceof ParleyError) return refuse(reply, err);
        throw err;
      }
      if (!mayReadMetrics(caller)) {
        return refuse(reply, new ParleyError('PERMISSION_DENIED', `this key may not read /metrics: use a key of the whole customer, or one with the ${METRICS_SCOPE} scope`));
      }
    }
    const { contentType, body } = await core.metrics.exposition();
    return reply.type(contentType).send(body);
  });
}

/**
 * PARLEY_METRICS_PORT: `/metrics` alone on a port of its own, without a key, for a scraper on a
 * private network. Resolves once listening; close the returned server on shutdown.
 */
export async function listenMetrics(metrics: Metrics, host: string, port: number): Promise<{ server: Server; port: number }> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'NOT_FOUND', message: 'only GET /metrics is served on this port' }));
      return;
    }
    metrics.exposition().then(
      ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(body),
      () => response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'INTERNAL', message: 'collecting the metrics failed' })),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
