import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hasScope } from '../../core/tenancy/access.ts';
import { ParleyError } from '../../kernel/errors.ts';
import type { Core } from '../../core/index.ts';
import type { Caller } from '../../kernel/types.ts';
import type { SecurityScheme } from './openapi/types.ts';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
  }
  interface FastifyContextConfig {
    /** Permission string the route requires (e.g. `Conversation:GetConversation`). */
    permission?: string;
    /** The route authenticates its caller itself (a sign-in): the surface's key check skips it. */
    anonymous?: boolean;
  }
}

/** Pulls the presented key out of a request, in the surface's own header forms. */
export type KeyExtractor = (request: FastifyRequest) => string | undefined;

/** Verifies a presented credential: an API key, or a token a surface issued for one. */
export type Authenticator = (presented: string) => Promise<Caller>;

/** `Authorization: Bearer <key>`, as an OpenAPI security scheme. */
export const BEARER_SCHEME: SecurityScheme = { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <Parley API key>' };

/** The header forms crestaKey reads, as OpenAPI security schemes: any one of them authenticates. */
export const CRESTA_KEY_SCHEMES: Record<string, SecurityScheme> = {
  bearer: BEARER_SCHEME,
  apiKeyAuthorization: { type: 'http', scheme: 'ApiKey', description: "Authorization: ApiKey <Parley API key> (the vendor's deprecated API-key form)" },
  xApiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: "X-API-Key: <Parley API key> (the vendor's deprecated API-key form)" },
};

/** `Authorization: Bearer <key>` only (the ingest and agent surfaces' one form). */
export const bearerKey: KeyExtractor = (request) => /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];

/** The conversations and voice surfaces: `Authorization: Bearer|ApiKey <key>` or `X-API-Key`. */
export const crestaKey: KeyExtractor = (request) => {
  const authorization = request.headers.authorization;
  if (authorization) {
    const match = /^(Bearer|ApiKey)\s+(\S+)\s*$/i.exec(authorization);
    return match ? match[2] : authorization;
  }
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey : undefined;
};

/**
 * Registers authentication for every route of the enclosing plugin: the key must verify, and the
 * route's permission must be among its scopes.
 */
export function requireApiKey(app: FastifyInstance, core: Core, extract: KeyExtractor, authenticate?: Authenticator): void {
  const verify = authenticate ?? ((presented: string) => core.apiKeys.authenticate(presented));
  app.decorateRequest('caller', null as unknown as Caller);
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.anonymous) return;
    const presented = extract(request);
    if (!presented) throw new ParleyError('UNAUTHENTICATED', 'missing API key: send Authorization: Bearer <key>');
    request.caller = await verify(presented);
    const permission = request.routeOptions.config.permission;
    if (permission && !hasScope(request.caller, permission)) {
      throw new ParleyError('PERMISSION_DENIED', `this key lacks the ${permission} permission`);
    }
  });
}
