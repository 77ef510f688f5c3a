import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ParleyError } from '../../kernel/errors.ts';
import { registerSurface, type SurfaceOptions } from '../kit/surface.ts';
import { supportErrors } from './errors.ts';
import { supportDocs } from './openapi.ts';
import { conversationRoutes } from './routes/conversations.ts';
import { messageRoutes } from './routes/messages.ts';
import { messageFeedbackRoutes } from './routes/message-feedback.ts';
import { stateRoutes } from './routes/states.ts';

/** raia's one key form [vendor]: `Agent-Secret-Key: <key>`. */
const agentSecretKey = (request: FastifyRequest) => {
  const value = request.headers['agent-secret-key'];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
};

/** The `support` surface: raia's support desk API at its own paths, `/external/…` (API-FACTS §4). */
export async function supportSurface(app: FastifyInstance, { core }: SurfaceOptions) {
  await registerSurface(app, core, {
    name: 'support',
    prefix: '/external',
    key: agentSecretKey,
    // A raia key is one agent's: a Parley key narrowed to an agent (`parley keys create --agent`).
    // Any other key presents no agent, so it is refused like a bad one (403).
    authenticate: async (presented) => {
      const caller = await core.apiKeys.authenticate(presented);
      if (caller.agentId === null) throw new ParleyError('UNAUTHENTICATED', 'the key is not narrowed to an agent');
      return caller;
    },
    docs: supportDocs,
    errors: supportErrors,
    notFound: (request) => `no route ${request.method} ${request.url.split('?')[0]}`,
    routes: [conversationRoutes, messageRoutes, stateRoutes, messageFeedbackRoutes],
  });
}
