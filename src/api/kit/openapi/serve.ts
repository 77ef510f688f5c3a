import type { FastifyRequest } from 'fastify';
import type { AnyFastify } from '../surface.ts';
import type { OpenApiRegistry } from './registry.ts';
import type { Document, OperationOverride } from './types.ts';

const tags = ['Parley'];

const documentAnswer: OperationOverride = {
  responses: { 200: { description: 'An OpenAPI 3.1 document', content: { 'application/json': { schema: { type: 'object' } } } } },
};

/**
 * A document with a `servers` entry for the origin the request reached: the document is the
 * same for every caller, the address is theirs (behind a proxy, Fastify's trustProxy decides
 * whether X-Forwarded-Host and -Proto count).
 */
export function withServer(doc: Document, request: FastifyRequest): Document {
  const { openapi, info, ...rest } = doc;
  return request.host ? { openapi, info, servers: [{ url: `${request.protocol}://${request.host}`, description: 'this Parley server' }], ...rest } : doc;
}

/** `/openapi.json` (every surface) and `/openapi/<surface>.json` (one surface, for a vendor's generated client). */
export function serveOpenApi(app: AnyFastify, registry: OpenApiRegistry): void {
  app.get('/openapi.json', {
    schema: { operationId: 'getOpenApiDocument', tags, summary: 'This document: every surface, the health checks and this' },
    config: { openapi: documentAnswer },
  }, async (request: FastifyRequest) => withServer(registry.documents().whole, request));

  app.get('/openapi/:surface.json', {
    schema: { operationId: 'getSurfaceOpenApiDocument', tags, summary: "One surface's document: its routes, schemas and authentication only" },
    config: {
      openapi: {
        ...documentAnswer,
        responses: { ...documentAnswer.responses, 404: { description: 'No surface of that name', content: { 'application/json': { schema: { type: 'object' } } } } },
      },
    },
  }, async (request: FastifyRequest<{ Params: { surface: string } }>, reply) => {
    const doc = registry.documents().surfaces.get(request.params.surface);
    if (doc) return withServer(doc, request);
    const names = registry.surfaceNames().join(', ');
    return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no surface named "${request.params.surface}"; the surfaces are ${names}` });
  });
}
