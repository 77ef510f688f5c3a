import type { FastifyInstance } from 'fastify';
import { clientGoneSignal } from '../../kit/client-gone.ts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Core } from '../../../core/index.ts';
import { missingBodyIsEmpty } from '../../kit/empty-json.ts';
import { invalidArgument } from '../../../kernel/errors.ts';
import { errorResponses, ErrorResponse, InteractionParams, RecommendResponses, RecommendResponsesBody } from '../schemas.ts';

const tags = ['Agent: conversations'];

/** Recommended responses: what the end user might say next, after the latest interaction. */
export async function recommendationRoutes(app: FastifyInstance, { core }: { core: Core }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post('/conversation/:conversation_id/interaction/:interaction_id/recommend_responses', {
    // The SDK sends no body at all without a context (content-length 0, no content-type): that is `{}`.
    preValidation: missingBodyIsEmpty,
    config: { permission: 'Agent:GetRecommendedResponses' },
    schema: {
      tags, operationId: 'recommend-responses-for-interaction',
      summary: 'Suggest messages the user might send next; 400 unless it is the latest completed interaction of an unfinished conversation',
      params: InteractionParams,
      body: RecommendResponsesBody,
      response: { 200: RecommendResponses, 400: ErrorResponse, ...errorResponses },
    },
  }, async (request, reply) => {
    const context = request.body.context?.trim();
    if (context === '') throw invalidArgument('context', 'must not be blank');
    const { conversation_id: conversationId, interaction_id: interactionId } = request.params;
    return { recommended_responses: await core.interactions.recommend(request.caller, conversationId, interactionId, context, clientGoneSignal(reply)) };
  });
}
