import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AnyFastify } from './surface.ts';
import { ParleyError } from '../../kernel/errors.ts';
import { LIMITS } from '../../kernel/limits.ts';
import { errorHandler, type ErrorRenderer } from './errors.ts';

/*
 * Answers for requests that no route of a surface handles: a path that exists with other methods
 * (405 with `Allow`), and the router's own refusals (a bad percent-encoding, an over-long path
 * segment), each in the error shape of the surface whose prefix the path starts with.
 */

interface RouteShape {
  method: string;
  pattern: RegExp;
}

interface TrackedSurface {
  prefix: string;
  errors: ErrorRenderer;
  owns?: (path: string) => boolean;
}

interface Routing {
  routes: RouteShape[];
  surfaces: TrackedSurface[];
}

declare module 'fastify' {
  interface FastifyInstance {
    parleyRouting?: Routing;
  }
}

/** A path with each parameter's own pattern (`:name(^regex$)`) left out: the parameter stays. */
export function withoutParamPatterns(url: string): string {
  let out = '';
  for (let i = 0; i < url.length; i++) {
    out += url[i];
    const param = /^:[A-Za-z0-9_]+\(/.exec(url.slice(i));
    if (url[i - 1] === ':' || !param) continue;
    out += param[0].slice(1, -1);
    let depth = 0;
    for (i += param[0].length - 1; i < url.length; i++) {
      if (url[i] === '\\') i++;
      else if (url[i] === '(') depth++;
      else if (url[i] === ')' && --depth === 0) break;
    }
  }
  return out;
}

/**
 * find-my-way's path syntax as a RegExp: `:param` one segment (its own pattern, if any, left to
 * the router), `*` the rest, `::` a literal colon.
 */
function patternOf(url: string): RegExp {
  const source = withoutParamPatterns(url)
    .split('::')
    .map((part) => part
      .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
      .replace(/:[A-Za-z0-9_]+/g, '[^/]+')
      .replace(/\*/g, '.*'))
    .join(':');
  return new RegExp(`^${source}$`);
}

/** Call on the root app before any surface: every route registered after is known here. */
export function trackRoutes(app: AnyFastify): void {
  const routing: Routing = { routes: [], surfaces: [] };
  app.decorate('parleyRouting', routing);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) routing.routes.push({ method, pattern: patternOf(route.url) });
  });
}

/** Remembers a surface's error shape for the paths under its prefix. */
export function trackSurface(app: FastifyInstance, prefix: string, errors: ErrorRenderer, owns?: (path: string) => boolean): void {
  app.parleyRouting?.surfaces.push({ prefix, errors, owns });
}

/** The methods some route serves on this request's path (empty when the path itself is unknown). */
export function allowedMethods(request: FastifyRequest): string[] {
  const path = request.url.split('?')[0];
  const methods = new Set<string>();
  for (const route of request.server.parleyRouting?.routes ?? []) {
    if (route.pattern.test(path)) methods.add(route.method);
  }
  return [...methods];
}

/** The surface whose paths `url` is under (the longest prefix, or the one that owns it), if any. */
export function surfaceFor(app: FastifyInstance, url: string): TrackedSurface | undefined {
  let found: TrackedSurface | undefined;
  for (const surface of app.parleyRouting?.surfaces ?? []) {
    const under = surface.owns ? surface.owns(url.split('?')[0])
      : url === surface.prefix || url.startsWith(`${surface.prefix}/`) || url.startsWith(`${surface.prefix}?`);
    if (under && (!found || surface.prefix.length > found.prefix.length)) found = surface;
  }
  return found;
}

/**
 * Fastify's `frameworkErrors`: the router's refusals, in the shape of the surface the path is
 * under; a path under no surface gets Fastify's own body, as its unknown paths do.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const parley = error.code === 'FST_ERR_MAX_PARAM_LENGTH'
    ? new ParleyError('INVALID_ARGUMENT', `a path segment is longer than ${LIMITS.pathParam} characters`)
    : new ParleyError('INVALID_ARGUMENT', 'the path is not valid percent-encoded UTF-8');
  // No hook runs before the router refuses, so the request id is set here.
  reply.header('x-request-id', request.id);
  const surface = surfaceFor(request.server, request.raw.url ?? '/');
  if (surface) return errorHandler(surface.errors)(parley, request, reply);
  return reply.code(400).send({ statusCode: 400, code: error.code, error: 'Bad Request', message: parley.message });
}
