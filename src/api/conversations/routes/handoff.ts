import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { invalidArgument } from '../../../kernel/errors.ts';
import { LIMITS } from '../../../kernel/limits.ts';
import { routePath } from '../../kit/google/custom-methods.ts';
import type { SurfaceOptions } from '../index.ts';
import { ConversationHandoff, ConversationMode, handoffToWire } from '../console-wire.ts';
import { messageToWire } from '../map.ts';
import { parseMessageName } from '../names.ts';
import { ConversationParams, ErrorResponse, MessageResponse } from '../schemas.ts';

const P = '/customers/:customer/profiles/:profile/conversations/:conversation';
const tags = ['ConversationService'];
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
const strict = Type.Object;

/**
 * [Parley] The handoff on this surface (the console's "answer as a human"): the mode, the
 * questions waiting for a reply, the mode changed through the core's one lifecycle, and a human's
 * answer by the support desk's rule (core/conversations/handoff.ts).
 */
export async function handoffRoutes(app: FastifyInstance, { core }: SurfaceOptions) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(`${P}/handoff`, {
    config: { permission: 'Conversation:GetConversationHandoff' },
    schema: {
      tags, operationId: 'ConversationService_GetConversationHandoff',
      summary: 'GetConversationHandoff [Parley]: who answers the end user (AI: the agent runtime, MANUAL: a human) and the questions waiting for a reply, oldest first (at most 100)',
      params: ConversationParams, response: { 200: ConversationHandoff, ...errors },
    },
  }, async (request) => {
    const { customer, profile, conversation } = request.params;
    return handoffToWire(await core.handoff.get(request.caller, await core.conversations.resolveName(request.caller, customer, profile, conversation)));
  });

  r.post(routePath(`${P}:updateMode`), {
    config: { permission: 'Conversation:UpdateConversationMode' },
    schema: {
      tags, operationId: 'ConversationService_UpdateConversationMode',
      summary: 'UpdateConversationMode [Parley]: MANUAL when a human takes over, AI to hand back (a CONVERSATION_TRANSFER event); the same mode is a no-op; a closed conversation: FAILED_PRECONDITION',
      params: ConversationParams, body: strict({ mode: ConversationMode }, { additionalProperties: false }),
      response: { 200: strict({ mode: ConversationMode }), ...errors },
    },
  }, async (request) => {
    const { customer, profile, conversation } = request.params;
    const ref = await core.conversations.resolveName(request.caller, customer, profile, conversation);
    return { mode: (await core.handoff.setMode(request.caller, ref, request.body.mode)).mode };
  });

  r.post(routePath(`${P}:sendHumanReply`), {
    config: { permission: 'Conversation:SendHumanReply' },
    schema: {
      tags, operationId: 'ConversationService_SendHumanReply',
      summary: "SendHumanReply [Parley]: a human's answer (speaker AGENT), only in MANUAL mode and not on a voice conversation (FAILED_PRECONDITION); naming a question completes its pending reply",
      params: ConversationParams,
      body: strict({
        text: Type.String({ minLength: 1, maxLength: LIMITS.messageText }),
        question: Type.Optional(Type.String({ maxLength: 1024, description: 'The message name of the question it answers' })),
      }, { additionalProperties: false }),
      response: { 200: MessageResponse, ...errors },
    },
  }, async (request) => {
    const { customer, profile, conversation } = request.params;
    const ref = await core.conversations.resolveName(request.caller, customer, profile, conversation);
    let questionId: string | undefined;
    if (request.body.question !== undefined) {
      const question = parseMessageName(request.body.question, 'question');
      const ofThis = question.customerId === customer && question.profileId === profile
        // The name may use the conversation's id or its client-chosen id, as the path may.
        && (await core.conversations.resolveName(request.caller, customer, profile, question.nameId)).nameId === ref.nameId;
      if (!ofThis) throw invalidArgument('question', 'must be a message of this conversation');
      questionId = question.messageId;
    }
    const answered = await core.handoff.reply(request.caller, ref, { text: request.body.text, questionId });
    return messageToWire(answered.conversation, answered.message);
  });
}
