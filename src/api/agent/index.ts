import type { FastifyInstance } from 'fastify';
import { ParleyError } from '../../kernel/errors.ts';
import { RESERVED_CUSTOMER_IDS, RESOURCE_ID_PATTERN } from '../../core/tenancy/tenancy.ts';
import { bearerKey } from '../kit/auth.ts';
import { registerSurface, type SurfaceOptions } from '../kit/surface.ts';
import { agentErrors } from './errors.ts';
import { agentDocs } from './openapi.ts';
import { conversationRoutes } from './routes/conversations.ts';
import { feedbackRoutes } from './routes/feedback.ts';
import { recommendationRoutes } from './routes/recommendations.ts';
import { insightRoutes } from './routes/insights.ts';
import { interactionRoutes } from './routes/interactions.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { signInRoutes } from './routes/sign-in.ts';
import { sourceRoutes } from './routes/source.ts';

/**
 * The organization segment: a customer id that is not another surface's first segment under /v1
 * (`/v1/customers/…` stays the conversations surface's, found-or-not), as a router pattern.
 */
const ORGANIZATION = `(?!${RESERVED_CUSTOMER_IDS.join('$)(?!')}$)${RESOURCE_ID_PATTERN.source.replace(/^\^/, '')}`;
const PREFIX = `/v1/:organization(^${ORGANIZATION})`;
// Every /v1 path whose first segment is not another surface's, valid organization or not: its
// refusals (a malformed organization included) answer in this surface's shape.
const OWNED_PATH = new RegExp(`^/v1/(?!(?:${RESERVED_CUSTOMER_IDS.join('|')})(?:[/:?]|$))[^/?]+(?:/|$)`);

/** The `agent` surface: Amigo's Classic API at its own paths, `/v1/{organization}/…` (API-FACTS §3). */
export async function agentSurface(app: FastifyInstance, { core, uploadIdleMs }: SurfaceOptions) {
  await registerSurface(app, core, {
    name: 'agent',
    uploadIdleMs,
    prefix: PREFIX,
    owns: (path) => OWNED_PATH.test(path),
    key: bearerKey,
    // A sign-in token, or a Parley API key as on every surface [Parley].
    authenticate: (presented) => core.endUsers.authenticate(presented),
    docs: { ...agentDocs, publicPath: (path) => path.replace(PREFIX.replace(':organization', '{organization}'), '/v1/{organization}') },
    errors: agentErrors,
    notFound: (request) => `Not Found: ${request.method} ${request.url.split('?')[0]}`,
    afterAuth: async (surface) => {
      // Another organization's paths are NOT_FOUND for this caller (the tenancy rule: no existence
      // leak); the sign-in checks its organization itself (401).
      surface.addHook('onRequest', async (request) => {
        if (request.routeOptions.config.anonymous) return;
        const { organization } = request.params as { organization?: string };
        if (organization !== request.caller.customerId) throw new ParleyError('NOT_FOUND', `organization ${organization} not found`);
      });
    },
    routes: [signInRoutes, conversationRoutes, interactionRoutes, recommendationRoutes, insightRoutes, feedbackRoutes, metricsRoutes, sourceRoutes],
  });
}
