import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Core } from '../../../core/index.ts';
import { ConversationMetrics, ConversationParams, errorResponses } from '../schemas.ts';

const tags = ['Agent: conversations'];

/** A finished conversation's metrics, from its post-conversation processing (`compute-metrics`). */
export async function metricsRoutes(app: FastifyInstance, { core }: { core: Core }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/conversation/:conversation_id/metrics', {
    config: { permission: 'Agent:GetConversationMetrics' },
    schema: {
      tags, operationId: 'get-conversation-metrics',
      summary: 'A conversation\'s metrics: empty until compute-metrics is among its completed_post_processings',
      params: ConversationParams, response: { 200: ConversationMetrics, ...errorResponses },
    },
  }, async (request) => ({ metrics: await core.postProcessing.metricsOf(request.caller, request.params.conversation_id) }));
}
