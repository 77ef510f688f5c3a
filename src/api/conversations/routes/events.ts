import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { invalidArgument, ParleyError } from '../../../kernel/errors.ts';
import { LIMITS } from '../../../kernel/limits.ts';
import { EVENT_TYPES, type JsonObject } from '../../../kernel/types.ts';
import type { NewEvent } from '../../../core/conversations/events.ts';
import { routePath } from '../../kit/google/custom-methods.ts';
import type { SurfaceOptions } from '../index.ts';
import { eventToWire } from '../map.ts';
import { parseMessageName, segmentsOf, type ConversationName } from '../names.ts';
import { ConversationParams, ErrorResponse, EventBody, EventResponse, StringEnum } from '../schemas.ts';

const P = '/customers/:customer/profiles/:profile/conversations/:conversation';
const tags = ['ConversationService'];
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };

/**
 * A wire event → a stored one. The vendor's typed sub-objects (callReason, entityFeedback) and the
 * annotation reference have no columns of their own, so they ride in the payload rather than being dropped.
 */
function eventFromWire(names: ConversationName, accepted: ReadonlySet<string>, event: Static<typeof EventBody>, i: number): NewEvent {
  const payload: JsonObject = { ...(event.payload as JsonObject | undefined) };
  if (event.callReason) payload.callReason = event.callReason as JsonObject;
  if (event.entityFeedback) payload.entityFeedback = event.entityFeedback as JsonObject;
  if (event.associatedActionAnnotation) payload.associatedActionAnnotation = event.associatedActionAnnotation;
  if (Buffer.byteLength(JSON.stringify(payload)) > LIMITS.jsonObjectBytes) {
    throw new ParleyError('PAYLOAD_TOO_LARGE', `events[${i}].payload: at most ${LIMITS.jsonObjectBytes} bytes of JSON`, {
      fieldViolations: [{ field: `events[${i}].payload`, description: `at most ${LIMITS.jsonObjectBytes} bytes of JSON` }],
      limit: { name: 'jsonObjectBytes', max: LIMITS.jsonObjectBytes },
    });
  }
  let associatedMessage: string | undefined;
  if (event.associatedMessage) {
    const field = `events[${i}].associatedMessage`;
    const m = parseMessageName(event.associatedMessage, field);
    if (m.customerId !== names.customerId || m.profileId !== names.profileId || !accepted.has(m.nameId)) {
      throw invalidArgument(field, 'must name a message of the conversation in the path');
    }
    associatedMessage = m.messageId;
  }
  return { type: event.type, associatedMessage, payload, createTime: event.createTime ? new Date(event.createTime) : undefined };
}

export async function eventsRoutes(app: FastifyInstance, { core }: SurfaceOptions) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(`${P}/events`, {
    config: { permission: 'Conversation:ListConversationEvents' },
    schema: {
      tags, operationId: 'ConversationService_ListConversationEvents', summary: 'ListConversationEvents in log order, optionally only some types', params: ConversationParams,
      querystring: Type.Object({
        pageSize: Type.Optional(Type.Integer({ minimum: 0, maximum: LIMITS.pageSize })),
        pageToken: Type.Optional(Type.String({ maxLength: 4096 })),
        'filter.types': Type.Optional(Type.Array(StringEnum(EVENT_TYPES), { maxItems: EVENT_TYPES.length })),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ conversationEvents: Type.Array(EventResponse), nextPageToken: Type.String() }), ...errors },
    },
  }, async (request) => {
    const { customer, profile, conversation } = request.params;
    const ref = await core.conversations.resolveName(request.caller, customer, profile, conversation);
    const page = await core.events.list(ref, {
      types: request.query['filter.types'] ?? [],
      pageSize: request.query.pageSize || 100,
      pageToken: request.query.pageToken,
    });
    return { conversationEvents: page.events.map((e) => eventToWire(ref, e)), nextPageToken: page.nextPageToken };
  });

  r.post(routePath(`${P}/events:batchCreate`), {
    config: { permission: 'Conversation:BatchCreateConversationEvents' },
    schema: {
      tags, operationId: 'ConversationService_BatchCreateConversationEvents', summary: "BatchCreateConversationEvents: the vendor's client event types only", params: ConversationParams,
      body: Type.Object({
        events: Type.Array(EventBody, { minItems: 1, maxItems: LIMITS.batchEvents }),
        // Parley runs no annotators on client events, so there is nothing to skip; accepted for the vendor's clients.
        skipAnnotations: Type.Optional(Type.Boolean()),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ events: Type.Array(EventResponse) }), ...errors },
    },
  }, async (request) => {
    const { customer, profile, conversation } = request.params;
    const ref = await core.conversations.resolveName(request.caller, customer, profile, conversation);
    // An associated message may name the conversation by either segment; eventFromWire refuses the unparsable ones.
    const named = request.body.events.flatMap((e) => {
      try {
        return e.associatedMessage ? [parseMessageName(e.associatedMessage)] : [];
      } catch {
        return [];
      }
    });
    const accepted = await segmentsOf(ref, conversation, named, (c) => core.conversations.resolveName(request.caller, c.customerId, c.profileId, c.nameId));
    const created = await core.events.batchCreate(request.caller, ref, request.body.events.map((e, i) => eventFromWire(ref, accepted, e, i)));
    return { events: created.map((e) => eventToWire(ref, e)) };
  });
}
