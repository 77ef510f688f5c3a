import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Static } from '@sinclair/typebox';
import type { Core } from '../../../core/index.ts';
import type { MessageFeedbackRow } from '../../../core/messages/message-feedback.ts';
import { notFound } from '../../../kernel/errors.ts';
import { parseWireId, wireId } from '../ids.ts';
import { errorResponses, FeedbackBody, FeedbackResponse } from '../schemas.ts';

const tags = ['Conversation Message Feedbacks'];

/** A vote as raia returns it (ExternalApiCrateOrUpdateConversationMessageFeedbackResponseDTO). */
function voteToWire(vote: MessageFeedbackRow): Static<typeof FeedbackResponse> {
  return {
    id: wireId(vote.id),
    conversationMessageId: wireId(vote.messageId),
    voteType: vote.voteType,
    question: vote.question,
    answer: vote.answer,
    comment: vote.comment,
    createdAt: vote.createdAt.toISOString(),
    updatedAt: vote.updatedAt.toISOString(),
  };
}

/** Votes on single messages [vendor]: 201 whether the vote is new or replaces the voter's earlier one. */
export async function messageFeedbackRoutes(app: FastifyInstance, { core }: { core: Core }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post('/conversation-message-feedbacks', {
    schema: {
      tags, operationId: 'ExternalApiConversationMessageFeedbacksController_createOrUpdateFeedback',
      summary: 'Create or update conversation message feedback',
      description: 'One vote per `userId` and message: a second one replaces the first (same id). The message must be in one of the '
        + 'agent\'s conversations, else 404. `conversationMessageId` and `userId` are taken in UUID form or as 24-hex Parley ids.',
      body: FeedbackBody, response: { 201: FeedbackResponse, ...errorResponses },
    },
  }, async (request, reply) => {
    const { conversationMessageId, userId, ...vote } = request.body;
    // A message id in neither form names no message: nothing there to vote on.
    const messageId = parseWireId(conversationMessageId);
    if (!messageId) throw notFound('conversation message');
    const saved = await core.messageFeedback.vote(request.caller, { ...vote, messageId, userId, voterEndUserId: parseWireId(userId) });
    return reply.code(201).send(voteToWire(saved));
  });
}
