import type { FastifyRequest } from 'fastify';
import type { AnyFastify } from './surface.ts';

/**
 * JSON bodies as Fastify parses them (prototype poisoning refused), except that an empty body is
 * no body on every method: clients send `Content-Type: application/json` on a DELETE or a
 * body-less POST, and Fastify's parser refused that as "request body is empty". A route that
 * needs a body still says so through its schema. Call on the root app before any surface.
 */
export function acceptEmptyJson(app: AnyFastify): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(null, undefined);
    return parseJson(request, body as string, done);
  });
}

/**
 * A preValidation hook: a POST or PATCH that sends no body at all is the empty object, as
 * gRPC-JSON gateways read a missing body (curl without -d) and as Amigo's SDK sends a body-less
 * call (content-length 0, no content-type). A route that needs fields still refuses `{}`.
 */
export async function missingBodyIsEmpty(request: FastifyRequest): Promise<void> {
  if (request.body === undefined && (request.method === 'POST' || request.method === 'PATCH')) request.body = {};
}
