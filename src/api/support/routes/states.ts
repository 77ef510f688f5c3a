import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Core } from '../../../core/index.ts';
import { notFound } from '../../../kernel/errors.ts';
import { parseWireId } from '../ids.ts';
import { ConversationState, ConversationStates, errorResponses } from '../schemas.ts';
import { stateToWire } from '../state-map.ts';
import { CreateStateBody, StateParams, UpdateStateBody } from '../state-schemas.ts';

const tags = ['Conversation states'];

/** The state a path names; an id in neither of the surface's forms names none. */
function stateIdOf(wire: string): string {
  const id = parseWireId(wire);
  if (!id) throw notFound('conversation state');
  return id;
}

/**
 * The customer's conversation states: raia's list [vendor], and Parley's own create, update and
 * delete [Parley]. `/conversations/states` is a static path, so Fastify's router prefers it to
 * `/conversations/:id` whatever the order of registration.
 */
export async function stateRoutes(app: FastifyInstance, { core }: { core: Core }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/conversations/states', {
    schema: {
      tags, operationId: 'ExternalApiConversationsController_getConversationStates', summary: 'Get conversation states',
      description: 'Every conversation state of the key\'s customer, oldest first (an array; raia\'s document shows one object).',
      response: { 200: ConversationStates, ...errorResponses },
    },
  }, async (request) => (await core.conversationStates.list(request.caller.customerId)).map(stateToWire));

  r.post('/conversations/states', {
    schema: {
      tags, operationId: 'ExternalApiConversationStatesController_createConversationState', summary: 'Create a conversation state [Parley]',
      description: 'A name (unique in the customer, else 409), an optional description and `#RRGGBB` color, and whether it persists.',
      body: CreateStateBody, response: { 201: ConversationState, ...errorResponses },
    },
  }, async (request, reply) => {
    const created = await core.conversationStates.create(request.caller.customerId, request.body);
    return reply.code(201).send(stateToWire(created));
  });

  r.put('/conversations/states/:stateId', {
    schema: {
      tags, operationId: 'ExternalApiConversationStatesController_updateConversationState', summary: 'Change a conversation state [Parley]',
      description: 'Changes the fields given and leaves the rest; null clears description or color.',
      params: StateParams, body: UpdateStateBody, response: { 200: ConversationState, ...errorResponses },
    },
  }, async (request) => stateToWire(await core.conversationStates.update(request.caller.customerId, stateIdOf(request.params.stateId), request.body)));

  r.delete('/conversations/states/:stateId', {
    schema: {
      tags, operationId: 'ExternalApiConversationStatesController_deleteConversationState', summary: 'Delete a conversation state [Parley]',
      description: 'The conversations filed under it keep no state (their conversationStateId becomes absent).',
      params: StateParams, response: { 204: { type: 'null', description: 'Deleted' }, ...errorResponses },
    },
  }, async (request, reply) => {
    await core.conversationStates.delete(request.caller.customerId, stateIdOf(request.params.stateId));
    return reply.code(204).send();
  });
}
