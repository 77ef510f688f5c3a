import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Core } from '../../core/index.ts';
import { ParleyError } from '../../kernel/errors.ts';
import { requireApiKey, type Authenticator, type KeyExtractor } from './auth.ts';
import { errorHandler, methodNotAllowed, type ErrorRenderer } from './errors.ts';
import type { SurfaceDocs } from './openapi/types.ts';
import { allowedMethods, surfaceFor, trackSurface } from './routing.ts';

/** What every route plugin of a surface receives. */
export interface SurfaceOptions {
  core: Core;
  /** How long a streamed request body may pause before it is refused (PARLEY_UPLOAD_IDLE_TIMEOUT_MS; kit/streamed-body.ts). */
  uploadIdleMs?: number;
}

/** The root app whatever its logger and type provider (http.ts builds it with pino's and TypeBox's). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFastify = FastifyInstance<any, any, any, any, any>;

export type RoutesPlugin = (app: FastifyInstance, options: SurfaceOptions) => Promise<void>;

export interface SurfaceSpec {
  /** The surface's name (`conversations`): its OpenAPI document is served at /openapi/<name>.json. */
  name: string;
  prefix: string;
  /**
   * Which request paths are this surface's, when its prefix has a parameter (`/v1/:organization`)
   * that a plain string test cannot match: the router's refusals on them take its error shape.
   */
  owns?: (path: string) => boolean;
  /** Passed to its route plugins (SurfaceOptions). */
  uploadIdleMs?: number;
  /** Where the surface's callers put their key. */
  key: KeyExtractor;
  /** How a presented credential is verified. Default: as a Parley API key. */
  authenticate?: Authenticator;
  /**
   * What its OpenAPI document says beyond the routes: the vendor, the key forms `key` reads, the
   * named wire schemas. Each route adds its own `schema.operationId` (and `config.openapi` for
   * what its schema cannot say); the documents are built from these on their first request.
   */
  docs: SurfaceDocs;
  errors: ErrorRenderer;
  /**
   * The message of the NOT_FOUND error for an unknown path. Fastify keeps one not-found handler per
   * prefix, so of the surfaces sharing a prefix only one sets it.
   */
  notFound?: (request: FastifyRequest) => string;
  /** Set up before the key check (a plugin whose hooks must see refused requests too). */
  beforeAuth?: (surface: FastifyInstance) => Promise<void>;
  /** Set up after the key check (hooks that need `request.caller`). */
  afterAuth?: (surface: FastifyInstance) => Promise<void>;
  routes: RoutesPlugin[];
}

/**
 * Registers a surface as one encapsulated plugin under its prefix: its OpenAPI document, its error
 * renderer (for thrown errors, unknown paths and methods, and the router's refusals under the
 * prefix), its key check, then its route plugins.
 */
export async function registerSurface(app: FastifyInstance, core: Core, spec: SurfaceSpec): Promise<void> {
  const openapi = app.parleyOpenApi;
  openapi?.addSurface(spec.name, spec.prefix, spec.docs);
  await app.register(async (surface) => {
    if (openapi) surface.addHook('onRoute', (route) => openapi.claim(route, spec.name));
    surface.addHook('onRoute', (route) => { route.config = { ...route.config, surface: spec.name }; });
    const ownError = errorHandler(spec.errors);
    // Fastify runs this surface's hooks and handlers for every path under its prefix, also for a
    // path that belongs to another surface (the agent surface's /v1/{organization} lies under the
    // conversations surface's /v1): such a request's refusals are rendered in its owner's shape.
    const handleError: typeof ownError = (error, request, reply) => {
      const owner = surfaceFor(request.server, request.url);
      return (owner && owner.prefix !== spec.prefix ? errorHandler(owner.errors) : ownError)(error, request, reply);
    };
    surface.setErrorHandler(handleError);
    trackSurface(app, spec.prefix, spec.errors, spec.owns);
    const notFound = spec.notFound;
    if (notFound) {
      surface.setNotFoundHandler((request, reply) => {
        const allow = allowedMethods(request);
        // A route of this method exists for the path's shape, but one of its parameters does not
        // match the route's pattern: nothing can exist there (404), the method is not the problem.
        const error = allow.length && !allow.includes(request.method)
          ? methodNotAllowed(request, allow) : new ParleyError('NOT_FOUND', notFound(request));
        return handleError(error, request, reply);
      });
    }
    await spec.beforeAuth?.(surface);
    requireApiKey(surface, core, spec.key, spec.authenticate);
    await spec.afterAuth?.(surface);
    for (const routes of spec.routes) await surface.register(routes, { core, uploadIdleMs: spec.uploadIdleMs });
  }, { prefix: spec.prefix });
}
