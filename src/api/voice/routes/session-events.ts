import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { invalidArgument } from '../../../kernel/errors.ts';
import { routePath } from '../../kit/google/custom-methods.ts';
import { Empty, ErrorResponse, ProfileParams } from '../../kit/google/schemas.ts';
import type { VoiceSurfaceOptions } from '../index.ts';
import { sessionEventFromWire } from '../map.ts';
import { ProcessSessionEventBody } from '../schemas.ts';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };

/** ProcessSessionEvent: one session event without a stream (API-FACTS §2). */
export async function sessionEventRoutes(app: FastifyInstance, { core }: VoiceSurfaceOptions) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.post(routePath('/voicecallsession/customers/:customer/profiles/:profile/sessionEvent:process'), {
    config: { permission: 'VoiceCallSession:ProcessSessionEvent' },
    schema: {
      tags: ['VoiceCallSessionService'],
      operationId: 'VoiceCallSessionService_ProcessSessionEvent', summary: 'ProcessSessionEvent: apply one call event (CALL_START opens the call\'s conversation, CALL_END closes it)',
      params: ProfileParams,
      body: ProcessSessionEventBody,
      response: { 200: Empty, ...errors },
    },
  }, async (request) => {
    const { customer, profile } = request.params;
    const { sessionEvent, audioStreamingMode } = request.body;
    if (!sessionEvent.platformCallId) throw invalidArgument('sessionEvent.platformCallId', 'is required');
    await core.calls.processEvent(request.caller, { customerId: customer, profileId: profile }, sessionEventFromWire(sessionEvent), { audioStreamingMode });
    return {};
  });
}
