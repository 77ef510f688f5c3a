import type { FastifyInstance } from 'fastify';
import { crestaKey } from '../kit/auth.ts';
import { missingBodyIsEmpty } from '../kit/empty-json.ts';
import { googleRpcErrors } from '../kit/google/status.ts';
import { registerSurface, type SurfaceOptions } from '../kit/surface.ts';
import { conversationsDocs } from './openapi.ts';
import { agentsRoutes } from './routes/agents.ts';
import { apiKeysRoutes } from './routes/api-keys.ts';
import { conversationRoutes } from './routes/conversations.ts';
import { conversationUpdatesRoutes } from './routes/conversation-updates.ts';
import { endUsersRoutes } from './routes/end-users.ts';
import { eventsRoutes } from './routes/events.ts';
import { eventStreamsRoutes } from './routes/event-streams.ts';
import { handoffRoutes } from './routes/handoff.ts';
import { knowledgeRoutes } from './routes/knowledge.ts';
import { lookupsRoutes } from './routes/lookups.ts';
import { messagesRoutes } from './routes/messages.ts';
import { samplingRoutes } from './routes/sampling.ts';
import { statsRoutes } from './routes/stats.ts';
import { tagsRoutes } from './routes/tags.ts';

export type { SurfaceOptions };

/** The `conversations` surface: Cresta ConversationService over gRPC-JSON transcoding (API-FACTS §1). */
export async function conversationsSurface(app: FastifyInstance, { core }: SurfaceOptions) {
  await registerSurface(app, core, {
    name: 'conversations',
    prefix: '/v1',
    key: crestaKey,
    docs: conversationsDocs,
    errors: googleRpcErrors,
    notFound: (request) => `no method ${request.method} ${request.url}`,
    afterAuth: async (surface) => {
      surface.addHook('preValidation', missingBodyIsEmpty);
    },
    routes: [conversationRoutes, conversationUpdatesRoutes, messagesRoutes, eventsRoutes, eventStreamsRoutes, tagsRoutes, lookupsRoutes, samplingRoutes, agentsRoutes, knowledgeRoutes, endUsersRoutes,
      apiKeysRoutes, statsRoutes, handoffRoutes],
  });
}
