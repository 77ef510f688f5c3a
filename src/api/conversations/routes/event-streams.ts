import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { invalidArgument } from '../../../kernel/errors.ts';
import { EVENT_TYPES } from '../../../kernel/types.ts';
import type { LogPosition, StreamEndReason, StreamEvent, StreamScope, StreamSubscription } from '../../../core/streams/event-streams.ts';
import { openEventStream, streamFormat, type StreamFrame } from '../../kit/event-stream.ts';
import { routePath } from '../../kit/google/custom-methods.ts';
import type { SurfaceOptions } from '../index.ts';
import { eventToWire } from '../map.ts';
import { ConversationParams, ErrorResponse, EventResponse, ProfileParams } from '../schemas.ts';

const tags = ['ConversationService'];
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
const CURSOR_MAX = 64;

const StreamQuerySchema = Type.Object({
  after: Type.Optional(Type.String({ maxLength: CURSOR_MAX, description: 'Resume after this cursor (an event\'s `id`/`cursor`); the `Last-Event-ID` header does the same. Absent: start at the live end.' })),
  types: Type.Optional(Type.Array(Type.String({ maxLength: 1024 }), {
    maxItems: EVENT_TYPES.length,
    description: 'Only these event types; repeated (`types=A&types=B`) or comma-separated (`types=A,B`).',
  })),
}, { additionalProperties: false });

const StreamedEvent = Type.Composite([EventResponse, Type.Object({ cursor: Type.String({ description: 'Where this event is in the log: pass it back as Last-Event-ID or ?after= to resume after it' }) })]);
const StreamEnd = Type.Object({
  type: Type.Literal('end'),
  reason: Type.Union([Type.Literal('SLOW_CONSUMER'), Type.Literal('SHUTTING_DOWN'), Type.Literal('UNAVAILABLE')]),
  cursor: Type.String({ description: 'Resume from here (?after= or Last-Event-ID): nothing after it was sent' }),
});
const Heartbeat = Type.Object({ type: Type.Literal('heartbeat') });
const streamed = {
  200: {
    description: 'The events as they are committed, in log order. SSE (default): `id: <cursor>` and `data: <event>` per event, '
      + '`: heartbeat` comment lines, and a last `event: end` when the server ends the stream. NDJSON (`Accept: application/x-ndjson`): '
      + 'one event a line, `{"type":"heartbeat"}` lines, and a last `{"type":"end"}` line.',
    content: {
      'text/event-stream': { schema: { type: 'string', description: 'Server-Sent Events; each `data:` is a StreamedEvent or a StreamEnd' } },
      'application/x-ndjson': { schema: Type.Union([StreamedEvent, Heartbeat, StreamEnd]) },
    },
  },
};
const lastEventId = { parameters: [{ name: 'Last-Event-ID', in: 'header' as const, description: 'Resume after this cursor (what EventSource sends on reconnect); ?after= wins when both are given', schema: { type: 'string' } }] };

/** `types` as repeated or comma-separated values, each an event type. */
function eventTypes(raw: readonly string[] | undefined): string[] {
  const types = [...new Set((raw ?? []).flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean))];
  for (const type of types) {
    if (!(EVENT_TYPES as readonly string[]).includes(type)) throw invalidArgument('types', `unknown event type ${JSON.stringify(type)}; one of ${EVENT_TYPES.join(', ')}`);
  }
  return types;
}

interface StreamQuery {
  after?: string;
  types?: string[];
}

/**
 * Runs a stream after its scope was authorised: the caller's cursor, then the response, then the
 * subscription (synchronous, so the first event comes after the headers).
 */
async function stream(request: FastifyRequest, reply: FastifyReply, { core }: SurfaceOptions, scope: StreamScope, after: LogPosition | undefined): Promise<void> {
  const start = await core.streams.start(after);
  let lastCursor: string | undefined;
  const endFrame = (reason: StreamEndReason): StreamFrame => ({ event: 'end', data: { type: 'end', reason, cursor: lastCursor ?? '' } });
  const writer = openEventStream(request, reply, streamFormat(request), {
    heartbeatMs: core.streams.heartbeatMs,
    maxBufferBytes: core.streams.maxBufferBytes,
    // Runs on a later tick (the socket's close), after the subscription below exists.
    onClose: () => subscription.close(),
  });
  const subscription: StreamSubscription = core.streams.subscribe(scope, start, {
    deliver(events: readonly StreamEvent[], live: boolean) {
      // Catching up waits for the consumer between pages; live events cannot wait for one consumer.
      const written = writer.write(events.map((e) => ({ id: e.cursor, data: { ...eventToWire(e.conversation, e.event), cursor: e.cursor } })), { bounded: live });
      if (written > 0) lastCursor = events[written - 1].cursor;
      if (live && writer.overflowing) {
        subscription.close();
        writer.finish(endFrame('SLOW_CONSUMER'));
      }
    },
    room: () => writer.room(),
    end: (reason) => writer.finish(endFrame(reason)),
  });
  lastCursor = subscription.from;
}

function cursorOf(request: FastifyRequest, query: StreamQuery, { core }: SurfaceOptions): LogPosition | undefined {
  if (query.after !== undefined) return core.streams.parseCursor(query.after, 'after');
  const header = request.headers['last-event-id'];
  if (typeof header === 'string' && header !== '') {
    if (header.length > CURSOR_MAX) throw invalidArgument('Last-Event-ID', `at most ${CURSOR_MAX} characters`);
    return core.streams.parseCursor(header, 'Last-Event-ID');
  }
  return undefined;
}

export async function eventStreamsRoutes(app: FastifyInstance, options: SurfaceOptions) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { core } = options;

  r.get(routePath('/customers/:customer/profiles/:profile/conversations/:conversation/events:stream'), {
    config: { permission: 'Conversation:ListConversationEvents', openapi: { responses: streamed, ...lastEventId } },
    schema: {
      tags, operationId: 'ConversationService_StreamConversationEvents',
      summary: 'StreamConversationEvents: the conversation\'s events as they are committed (SSE or NDJSON), from now or after a cursor',
      params: ConversationParams, querystring: StreamQuerySchema, response: errors,
    },
  }, async (request, reply) => {
    const { customer, profile, conversation } = request.params;
    const types = eventTypes(request.query.types);
    const after = cursorOf(request, request.query, options);
    const ref = await core.conversations.resolveName(request.caller, customer, profile, conversation);
    const scope = await core.streams.conversationScope(request.caller, ref, types);
    await stream(request, reply, options, scope, after);
  });

  r.get(routePath('/customers/:customer/profiles/:profile/events:stream'), {
    config: { permission: 'Conversation:ListConversationEvents', openapi: { responses: streamed, ...lastEventId } },
    schema: {
      tags, operationId: 'ConversationService_StreamProfileEvents',
      summary: 'StreamProfileEvents: the events of every conversation of the profile as they are committed (SSE or NDJSON)',
      params: ProfileParams, querystring: StreamQuerySchema, response: errors,
    },
  }, async (request, reply) => {
    const { customer, profile } = request.params;
    const types = eventTypes(request.query.types);
    const after = cursorOf(request, request.query, options);
    const scope = await core.streams.profileScope(request.caller, customer, profile, types);
    await stream(request, reply, options, scope, after);
  });
}
