import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { STATS_MAX_BUCKETS } from '../../../core/insights/conversation-stats.ts';
import type { SurfaceOptions } from '../index.ts';
import { agentFromWire, ConversationStatsResponse, StatsQuery, statsToWire } from '../console-wire.ts';
import { ErrorResponse, ProfileParams } from '../schemas.ts';

const tags = ['ConversationService'];
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };

/** [Parley] A profile's conversations over time, for the console's charts (core/insights/conversation-stats.ts). */
export async function statsRoutes(app: FastifyInstance, { core }: SurfaceOptions) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/customers/:customer/profiles/:profile/conversationStats', {
    config: { permission: 'Conversation:GetConversationStats' },
    schema: {
      tags, operationId: 'ConversationService_GetConversationStats',
      summary: `GetConversationStats [Parley]: conversations by start time in buckets of one interval from startTime (HOUR, DAY = 24 h, WEEK = 7 days; the last ends at endTime, exclusive), `
        + `empty ones included, at most ${STATS_MAX_BUCKETS}; with their insights, handoffs and the range's top topics. A key narrowed to an agent counts that agent's only`,
      params: ProfileParams, querystring: StatsQuery, response: { 200: ConversationStatsResponse, ...errors },
    },
  }, async (request) => {
    const { customer, profile } = request.params;
    const { interval, startTime, endTime, agent } = request.query;
    const stats = await core.conversationStats.stats(request.caller, customer, profile, {
      interval, startTime: new Date(startTime), endTime: new Date(endTime),
      agentId: agent === undefined ? undefined : agentFromWire(agent, { customerId: customer, profileId: profile }, 'agent').agentId,
    });
    return statsToWire(stats);
  });
}
