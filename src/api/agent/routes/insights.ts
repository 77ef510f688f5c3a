import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Core } from '../../../core/index.ts';
import { insightsToWire } from '../map.ts';
import { errorResponses, InteractionInsights, InteractionParams } from '../schemas.ts';

const tags = ['Agent: conversations'];

/** Interaction insights: what the agent's answer in one interaction was made from. */
export async function insightRoutes(app: FastifyInstance, { core }: { core: Core }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/conversation/:conversation_id/interaction/:interaction_id/insights', {
    config: { permission: 'Agent:GetInteractionInsights' },
    schema: {
      tags, operationId: 'get-interaction-insights',
      summary: 'The state the agent answered in, the knowledge it retrieved (working memory) and its searches and provider calls (tool-call logs)',
      params: InteractionParams,
      response: { 200: InteractionInsights, ...errorResponses },
    },
  }, async (request) => {
    const { conversation_id: conversationId, interaction_id: interactionId } = request.params;
    return insightsToWire(await core.interactions.insights(request.caller, conversationId, interactionId));
  });
}
