import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Core } from '../../../core/index.ts';
import { feedbackQuery, feedbackToWire, pageToWire } from '../map.ts';
import {
  ConversationFeedbackBody, ConversationFeedbackParams, ConversationParams, errorResponses, ErrorResponse, Feedback, FeedbackPage,
  InteractionFeedbackBody, InteractionFeedbackParams, InteractionFeedbackUpdate, InteractionParams, ListFeedbackQuery, OrganizationParams,
} from '../schemas.ts';

const tags = ['Agent: feedback'];
const noContent = { 204: { type: 'null', description: 'Done' }, 409: ErrorResponse, ...errorResponses };

/** Feedback on conversations and their interactions [Parley paths]: create 201, update and delete 204. */
export async function feedbackRoutes(app: FastifyInstance, { core }: { core: Core }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/conversation/feedback/', {
    config: { permission: 'Agent:GetFeedback' },
    schema: {
      tags, operationId: 'get-feedbacks', summary: 'List conversation or interaction feedback by filters, oldest first by default',
      params: OrganizationParams, querystring: ListFeedbackQuery, response: { 200: FeedbackPage, ...errorResponses },
    },
  }, async (request) => {
    const { limit = 10, continuation_token: offset = 0, ...filters } = request.query;
    const page = await core.feedback.list(request.caller, feedbackQuery(filters), { offset, limit });
    return { feedbacks: page.items.map((f) => feedbackToWire(f, request.caller.customerId)), ...pageToWire(page.next) };
  });

  // ---- on a conversation

  r.post('/conversation/:conversation_id/feedback/', {
    config: { permission: 'Agent:UpsertConversationFeedback' },
    schema: {
      tags, operationId: 'create-conversation-feedback', summary: 'Give feedback on a conversation',
      params: ConversationParams, body: ConversationFeedbackBody, response: { 201: Feedback, ...errorResponses },
    },
  }, async (request, reply) => {
    const { conversation_id: conversationId } = request.params;
    const created = await core.feedback.create(request.caller, { conversationId, interactionId: null }, request.body);
    return reply.code(201).send(feedbackToWire(created, request.caller.customerId));
  });

  r.put('/conversation/:conversation_id/feedback/:feedback_id', {
    config: { permission: 'Agent:UpsertConversationFeedback' },
    schema: {
      tags, operationId: 'update-conversation-feedback', summary: 'Change a conversation feedback\'s comment',
      params: ConversationFeedbackParams, body: ConversationFeedbackBody, response: noContent,
    },
  }, async (request, reply) => {
    const { conversation_id: conversationId, feedback_id: id } = request.params;
    await core.feedback.update(request.caller, { conversationId, interactionId: null }, id, request.body);
    return reply.code(204).send();
  });

  r.delete('/conversation/:conversation_id/feedback/:feedback_id', {
    config: { permission: 'Agent:UpsertConversationFeedback' },
    schema: { tags, operationId: 'delete-conversation-feedback', summary: 'Remove a conversation feedback', params: ConversationFeedbackParams, response: noContent },
  }, async (request, reply) => {
    const { conversation_id: conversationId, feedback_id: id } = request.params;
    await core.feedback.delete(request.caller, { conversationId, interactionId: null }, id);
    return reply.code(204).send();
  });

  // ---- on an interaction

  r.post('/conversation/:conversation_id/interaction/:interaction_id/feedback/', {
    config: { permission: 'Agent:UpsertInteractionFeedback' },
    schema: {
      tags, operationId: 'create-interaction-feedback', summary: 'Comment on an interaction (an interaction_comment, resolvable)',
      params: InteractionParams, body: InteractionFeedbackBody, response: { 201: Feedback, ...errorResponses },
    },
  }, async (request, reply) => {
    const { conversation_id: conversationId, interaction_id: interactionId } = request.params;
    const { comment, resolved } = request.body;
    const created = await core.feedback.create(request.caller, { conversationId, interactionId }, { comment, resolved });
    return reply.code(201).send(feedbackToWire(created, request.caller.customerId));
  });

  r.put('/conversation/:conversation_id/interaction/:interaction_id/feedback/:feedback_id', {
    config: { permission: 'Agent:UpsertInteractionFeedback' },
    schema: {
      tags, operationId: 'update-interaction-feedback',
      summary: 'Change an interaction feedback\'s comment or resolution; 409 to change a resolved comment',
      params: InteractionFeedbackParams, body: InteractionFeedbackUpdate, response: noContent,
    },
  }, async (request, reply) => {
    const { conversation_id: conversationId, interaction_id: interactionId, feedback_id: id } = request.params;
    await core.feedback.update(request.caller, { conversationId, interactionId }, id, request.body);
    return reply.code(204).send();
  });

  r.delete('/conversation/:conversation_id/interaction/:interaction_id/feedback/:feedback_id', {
    config: { permission: 'Agent:UpsertInteractionFeedback' },
    schema: { tags, operationId: 'delete-interaction-feedback', summary: 'Remove an interaction feedback', params: InteractionFeedbackParams, response: noContent },
  }, async (request, reply) => {
    const { conversation_id: conversationId, interaction_id: interactionId, feedback_id: id } = request.params;
    await core.feedback.delete(request.caller, { conversationId, interactionId }, id);
    return reply.code(204).send();
  });
}
