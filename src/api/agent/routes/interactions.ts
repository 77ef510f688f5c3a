import { clientGoneSignal } from '../../kit/client-gone.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Readable } from 'node:stream';
import type { Core } from '../../../core/index.ts';
import type { StartedTurn } from '../../../core/interactions/interactions.ts';
import { invalidArgument, ParleyError } from '../../../kernel/errors.ts';
import { RECORDING_CONTENT_TYPES } from '../../../audio/voice-recording.ts';
import { recordingHintsOf } from '../audio-config.ts';
import { ndjsonResponse } from '../../kit/ndjson.ts';
import { DEFAULT_UPLOAD_IDLE_MS, readStreamedBody } from '../../kit/streamed-body.ts';
import type { SurfaceOptions } from '../../kit/surface.ts';
import { LIMITS } from '../../../kernel/limits.ts';
import { missingBodyIsEmpty } from '../../kit/empty-json.ts';
import { actionFilter, actionTypeOf, errorEventToWire, turnEventToWire } from '../map.ts';
import {
  ConversationParams, CreateConversationBody, CreateConversationEvent, CreateConversationQuery, errorResponses, ErrorResponse, InteractEvent,
  InteractBody, InteractForm, InteractionParams, InteractQuery, OrganizationParams, SimulateBody, SimulateQuery,
} from '../schemas.ts';

const tags = ['Agent: conversations'];
const ndjson = (schema: object, description: string) => ({ description, content: { 'application/x-ndjson': { schema } } });
const refusals = { 400: ErrorResponse, 409: ErrorResponse, ...errorResponses };

/**
 * A text interaction's multipart form as an object of its fields (a file part as its text), read
 * with the runtime's own multipart parser (undici's FormData): no dependency for two text fields.
 */
async function parseForm(request: FastifyRequest, body: Buffer): Promise<Record<string, string>> {
  let form: FormData;
  try {
    form = await new Request('http://parley.invalid/', { method: 'POST', headers: { 'content-type': String(request.headers['content-type']) }, body: new Uint8Array(body) }).formData();
  } catch (err) {
    throw new ParleyError('INVALID_ARGUMENT', 'body: not a valid multipart/form-data body', {}, { cause: err });
  }
  const fields: Record<string, string> = {};
  for (const [name, value] of form.entries()) fields[name] = typeof value === 'string' ? value : await value.text();
  return fields;
}

/**
 * Streams a turn as NDJSON: each event a line as it happens, an `error` line then the end on a
 * failure. A client that goes away aborts the turn (nothing of it persists). Refusals before the
 * turn starts (`start` throwing) are ordinary error responses.
 */
async function streamTurn(
  request: FastifyRequest, reply: FastifyReply, status: number,
  start: (signal: AbortSignal) => Promise<StartedTurn>, wants: (actionType: string) => boolean, onCreate: boolean,
): Promise<void> {
  const turn = await start(clientGoneSignal(reply));
  const out = ndjsonResponse(request, reply, status);
  try {
    if (onCreate) out.write({ type: 'conversation-created', conversation_id: turn.conversationId });
    for await (const event of turn.events) {
      if (event.kind === 'action' && !wants(actionTypeOf(event))) continue;
      const line = turnEventToWire(event, onCreate);
      if (line) out.write(line);
    }
  } catch (err) {
    const error = err instanceof ParleyError ? err : new ParleyError('INTERNAL', 'the interaction failed', {}, { cause: err });
    if (error.code === 'INTERNAL' || error.code === 'UNAVAILABLE') request.log.error({ err }, 'agent interaction failed');
    out.write(errorEventToWire(error));
  } finally {
    out.end();
  }
}

/** The agent runtime's routes: create (the agent's first turn), interact (a turn), simulate (a turn re-run, kept nowhere), finish. */
export async function interactionRoutes(app: FastifyInstance, { core, uploadIdleMs = DEFAULT_UPLOAD_IDLE_MS }: SurfaceOptions) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, async (request: FastifyRequest, body: Buffer) => parseForm(request, body));
  // A voice interaction's body is the recording itself, which a client may stream as it records
  // (up to the server's body limit: 10 MB); one that stalls is refused (408) with nothing stored.
  app.addContentTypeParser(RECORDING_CONTENT_TYPES, async (_request: FastifyRequest, payload: Readable) => ({
    recording: await readStreamedBody(payload, { limitBytes: LIMITS.bodyBytes, idleMs: uploadIdleMs }),
  }));

  r.post('/conversation/', {
    config: {
      permission: 'Agent:CreateConversation',
      openapi: { responses: { 201: ndjson(CreateConversationEvent, 'NDJSON: conversation-created, then the agent\'s first turn (its greeting, or its answer to the initial message)') } },
    },
    schema: {
      tags, operationId: 'create-conversation',
      summary: 'Create a conversation with a service (agent) and stream the agent\'s first turn; 400 while the user has an unfinished one with it',
      params: OrganizationParams, querystring: CreateConversationQuery, body: CreateConversationBody, response: refusals,
    },
  }, async (request, reply) => {
    const { response_format: format, current_agent_action_type: regex, emit_current_agent_action_event: emit } = request.query;
    const wants = actionFilter(regex, emit);
    const body = request.body;
    if (body.initial_message_type && !body.initial_message) throw invalidArgument('initial_message_type', 'only with an initial_message');
    await streamTurn(request, reply, 201, (signal) => core.interactions.create(request.caller, {
      agentId: body.service_id,
      versionSet: body.service_version_set_name ?? 'release',
      initialMessage: body.initial_message ? { type: body.initial_message_type ?? 'user-message', text: body.initial_message } : undefined,
      tags: body.tags,
      replyFormat: format,
    }, signal), wants, true);
  });

  r.post('/conversation/:conversation_id/interact', {
    config: {
      permission: 'Agent:InteractWithConversation',
      openapi: {
        requestBody: {
          required: true,
          content: {
            'multipart/form-data': { schema: InteractForm },
            ...Object.fromEntries(['audio/wav', 'audio/mpeg', 'application/octet-stream'].map((type) => [type, { schema: { type: 'string', format: 'binary' } }])),
          },
        },
        responses: { 200: ndjson(InteractEvent, 'NDJSON: user-message-available, current-agent-action events, new-message pieces, interaction-complete (or error, then the end)') },
      },
    },
    schema: {
      tags, operationId: 'interact-with-conversation',
      summary: 'Send the user\'s message and stream the agent\'s reply; 409 when the conversation is finished or another interaction runs',
      params: ConversationParams, querystring: InteractQuery, body: InteractBody, response: { 408: ErrorResponse, 413: ErrorResponse, 415: ErrorResponse, ...refusals },
    },
  }, async (request, reply) => {
    const { request_format: requestFormat, response_format: responseFormat, current_agent_action_type: regex } = request.query;
    const body = request.body;
    let input: Parameters<Core['interactions']['interact']>[2];
    if (requestFormat === 'voice') {
      if (!('recording' in body)) {
        return reply.code(415).send({ detail: `a voice interaction's body is the recording: ${RECORDING_CONTENT_TYPES.join(', ')} (raw PCM described by request_audio_config)` });
      }
      input = { type: 'user-message', recording: body.recording, hints: recordingHintsOf(request.headers['content-type'], request.query.request_audio_config) };
    } else {
      if (!String(request.headers['content-type']).startsWith('multipart/form-data')) {
        // Another parsable body (JSON) is not Amigo's form: the status Fastify gives a body it cannot read.
        return reply.code(415).send({ detail: 'a text interaction is multipart/form-data with recorded_message (and initial_message_type)' });
      }
      if (!('recorded_message' in body)) throw invalidArgument('recorded_message', 'is required');
      input = { type: body.initial_message_type ?? 'user-message', text: body.recorded_message };
    }
    const wants = actionFilter(regex);
    const options = { replyFormat: responseFormat };
    await streamTurn(request, reply, 200, (signal) => core.interactions.interact(request.caller, request.params.conversation_id, input, signal, options), wants, false);
  });

  r.post('/conversation/:conversation_id/interaction/:interaction_id/simulate', {
    // No body (content-length 0, no content-type) is `{}`: the version the conversation runs.
    preValidation: missingBodyIsEmpty,
    config: {
      permission: 'Agent:SimulateInteraction',
      openapi: { responses: { 200: ndjson(InteractEvent, 'NDJSON as interact: the interaction\'s input again, then the new reply; nothing is stored') } },
    },
    schema: {
      tags, operationId: 'simulate-interaction',
      summary: 'Re-run an interaction (optionally with another agent version) and stream the reply; persists nothing',
      params: InteractionParams, querystring: SimulateQuery, body: SimulateBody, response: refusals,
    },
  }, async (request, reply) => {
    const wants = actionFilter(request.query.current_agent_action_type);
    const { conversation_id: conversationId, interaction_id: interactionId } = request.params;
    const options = { agentVersion: request.body.agent_version };
    await streamTurn(request, reply, 200, (signal) => core.interactions.simulate(request.caller, conversationId, interactionId, options, signal), wants, false);
  });

  r.post('/conversation/:conversation_id/finish/', {
    config: { permission: 'Agent:FinishConversation' },
    schema: {
      tags, operationId: 'finish-conversation',
      summary: 'Finish a conversation (204); 409 when finished or an interaction runs, 400 with no interactions',
      params: ConversationParams, response: { 204: { type: 'null', description: 'Finished' }, ...refusals },
    },
  }, async (request, reply) => {
    await core.interactions.finish(request.caller, request.params.conversation_id);
    return reply.code(204).send();
  });
}
