import type { FastifyInstance } from 'fastify';
import { clientGoneSignal } from '../../kit/client-gone.ts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Core } from '../../../core/index.ts';
import { NOT_MANUAL } from '../../../core/interactions/replies.ts';
import { invalidArgument, notFound, ParleyError } from '../../../kernel/errors.ts';
import { vendorMessage } from '../errors.ts';
import { parseWireId } from '../ids.ts';
import { messageToWire, questionsOf, replyStatusToWire } from '../map.ts';
import {
  ConversationParams, errorResponses, ListMessagesQuery, ManualMessageBody, Message, MessageBody, MessagesResponse, QuestionParams, ReplyStatus,
} from '../schemas.ts';
import { conversationIdOf } from './conversations.ts';

const tags = ['Support: messages'];

/** raia's words for a human answer where none is possible [vendor]. */
const NOT_MANUAL_WIRE = 'Conversation must be in manual mode and not a voice conversation.';

/** Messages sent through this surface come from the API (raia's `source`); the caller's context is kept with the question. */
const questionMetadata = (context: string | undefined) => ({ source: 'api', ...(context ? { context } : {}) });

/** raia's message operations: the transcript, questions to the agent (now or later), and a human's answer. */
export async function messageRoutes(app: FastifyInstance, { core }: { core: Core }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/conversations/:id/messages', {
    schema: {
      tags, operationId: 'ExternalApiConversationsController_getConversationMessages', summary: 'The conversation\'s messages, oldest first unless orderDirection=DESC',
      params: ConversationParams, querystring: ListMessagesQuery, response: { 200: MessagesResponse, ...errorResponses },
    },
  }, async (request) => {
    const id = conversationIdOf(request.params.id);
    const { conversation, messages, feedbacks } = await core.desk.messages(request.caller, id, { descending: request.query.orderDirection === 'DESC' });
    const questions = questionsOf(messages);
    const withFeedbacks = request.query.shouldIncludeFeedbacks ? feedbacks : undefined;
    return { messages: messages.map((m) => messageToWire(m, conversation, questions.get(m.id) ?? m.id, withFeedbacks)) };
  });

  r.post('/conversations/:id/messages', {
    schema: {
      tags, operationId: 'ExternalApiConversationsController_processMessage',
      summary: 'Send the user\'s message and get the agent\'s reply (201); in manual mode no AI replies and the user\'s message is returned',
      params: ConversationParams, body: MessageBody, response: { 201: Message, ...errorResponses },
    },
  }, async (request, reply) => {
    const id = conversationIdOf(request.params.id);
    const answered = await core.replies.ask(request.caller, id, request.body.message, { metadata: questionMetadata(request.body.context) }, clientGoneSignal(reply));
    const shown = answered.reply ?? answered.question;
    return reply.code(201).send(messageToWire(shown, answered.conversation, answered.question.id));
  });

  r.post('/conversations/:id/messages/async', {
    schema: {
      tags, operationId: 'ExternalApiConversationsController_sendMessage',
      summary: 'Send the user\'s message for a later reply: 201 with the message, whose id the reply is polled by',
      params: ConversationParams, body: MessageBody, response: { 201: Message, ...errorResponses },
    },
  }, async (request, reply) => {
    const id = conversationIdOf(request.params.id);
    const asked = await core.replies.askLater(request.caller, id, request.body.message, { metadata: questionMetadata(request.body.context) });
    return reply.code(201).send(messageToWire(asked.question, asked.conversation, asked.question.id));
  });

  r.get('/conversations/:id/messages/:questionMessageId/response-on', {
    schema: {
      tags, operationId: 'ExternalApiConversationsController_getResponseOn', summary: 'The reply to a question sent with messages/async: pending, completed (with the reply) or failed (with why)',
      params: QuestionParams, response: { 200: ReplyStatus, ...errorResponses },
    },
  }, async (request) => {
    const id = conversationIdOf(request.params.id);
    const questionId = parseWireId(request.params.questionMessageId);
    if (!questionId) throw notFound('question');
    const status = await core.replies.status(request.caller, id, questionId);
    return replyStatusToWire(status, status.conversation, questionId);
  });

  r.post('/conversations/:id/send-manual-message', {
    schema: {
      tags, operationId: 'ExternalApiConversationsController_sendManualMessage',
      summary: 'A human\'s message to the user, in manual mode: naming the question (conversationMessageId) completes its reply',
      params: ConversationParams, body: ManualMessageBody, response: { 200: Message, ...errorResponses },
    },
  }, async (request) => {
    const id = conversationIdOf(request.params.id);
    const { message, conversationMessageId, authorId } = request.body;
    let questionId: string | undefined;
    if (conversationMessageId !== undefined) {
      questionId = parseWireId(conversationMessageId);
      if (!questionId) throw invalidArgument('conversationMessageId', 'names no message of this conversation');
    }
    try {
      const answered = await core.replies.answerAsHuman(request.caller, id, { text: message, questionId, authorId, metadata: { source: 'api' } });
      return messageToWire(answered.message, answered.conversation, questionId ?? answered.message.id);
    } catch (err) {
      if (err instanceof ParleyError && err.code === 'FAILED_PRECONDITION' && err.message === NOT_MANUAL) throw vendorMessage('FAILED_PRECONDITION', NOT_MANUAL_WIRE);
      throw err;
    }
  });
}
