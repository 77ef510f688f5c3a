import type { TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { Core } from '../../../core/index.ts';
import { ParleyError } from '../../../kernel/errors.ts';
import type { VoiceSurfaceOptions } from '../index.ts';
import { ErrorResponse } from '../../kit/google/schemas.ts';
import { JsonStreamSplitter, ndjsonResponse } from '../../kit/ndjson.ts';
import { CallAudioMessage, CallSessionMessage, MAX_STREAM_MESSAGE_BYTES, StreamResponseItem } from '../schemas.ts';
import { StreamSession, type StreamKind } from '../stream-session.ts';

const STREAMS: { path: string; kind: StreamKind; rpc: string; message: TSchema }[] = [
  { path: '/voicecallsession/streamCallSession', kind: 'session', rpc: 'StreamCallSession', message: CallSessionMessage },
  { path: '/voicecallsession/streamCallSessionAudio', kind: 'audio', rpc: 'StreamCallSessionAudio', message: CallAudioMessage },
];

const tags = ['VoiceCallSessionService'];
const status = (description: string) => ({ description, content: { 'application/json': { schema: ErrorResponse } } });
const refusals = { 400: status('Bad Request'), 401: status('Unauthorized'), 403: status('Forbidden') };

/**
 * StreamCallSession and StreamCallSessionAudio over two transports on the same paths: POST with
 * an NDJSON body read as it arrives (grpc-gateway's client streaming), one status line written per
 * message as soon as it is applied; and GET upgraded to a WebSocket [Parley].
 */
export async function streamRoutes(app: FastifyInstance, { core }: VoiceSurfaceOptions) {
  // The body is the stream itself: nothing buffers or parses it before the handler reads it.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(['application/json', 'application/x-ndjson'], (_request, _payload, done) => done(null, undefined));
  for (const stream of STREAMS) {
    const permission = `VoiceCallSession:${stream.rpc}`;
    // The schemas describe each line: the body itself is read as it arrives, never validated whole.
    const lines = (schema: TSchema) => ({ 'application/x-ndjson': { schema }, 'application/json': { schema } });
    app.post(stream.path, {
      config: {
        permission,
        openapi: {
          requestBody: { required: true, description: 'One request message a line (NDJSON), read as it arrives', content: lines(stream.message) },
          responses: { 200: { description: 'One {"result"} or {"error"} line per request message, written as each is applied', content: lines(StreamResponseItem) }, ...refusals },
        },
      },
      schema: {
        tags, operationId: `VoiceCallSessionService_${stream.rpc}`,
        summary: `${stream.rpc}: NDJSON request stream → NDJSON response stream, one {"result"} or {"error"} line per message`,
      },
    }, (request, reply) => ndjson(core, stream.kind, request, reply));
    app.route({
      method: 'GET',
      url: stream.path,
      config: {
        permission,
        openapi: {
          'x-websocket': {
            description: 'Each text frame is one request message (JSON); a binary frame is raw audio for the configured participant. '
              + 'The server sends one response item (JSON text frame) per message.',
            client: { schema: stream.message },
            server: { schema: StreamResponseItem },
          },
          responses: refusals,
        },
      },
      schema: { tags, operationId: `VoiceCallSessionService_${stream.rpc}WebSocket`, summary: `${stream.rpc} over a WebSocket [Parley]` },
      // Without an upgrade there is no stream to run: say so in the surface's own error shape.
      handler: async (request) => {
        throw new ParleyError('FAILED_PRECONDITION', `GET ${request.url.split('?')[0]} opens a WebSocket: send Upgrade: websocket, or POST an NDJSON stream`);
      },
      wsHandler: (socket, request) => webSocket(core, stream.kind, socket, request),
    });
  }
}

async function ndjson(core: Core, kind: StreamKind, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const out = ndjsonResponse(request, reply);
  const session = new StreamSession(core, request.caller, kind, request.id, request.log);
  const splitter = new JsonStreamSplitter(MAX_STREAM_MESSAGE_BYTES);
  const answer = async (pieces: ReturnType<JsonStreamSplitter['push']>) => {
    for (const piece of pieces) {
      const item = piece.kind === 'message' ? await session.text(piece.text) : session.errorItem(piece.message);
      out.write(item);
    }
  };
  try {
    for await (const chunk of request.raw) await answer(splitter.push(chunk as Buffer));
    await answer(splitter.end());
  } catch (err) {
    // The client went away mid-stream: what was applied stays applied.
    request.log.debug({ err }, 'voice stream ended early');
  } finally {
    await session.close().catch((err: unknown) => request.log.error({ err }, 'closing a voice stream failed'));
    out.end();
  }
}

function webSocket(core: Core, kind: StreamKind, socket: WebSocket, request: FastifyRequest): void {
  const session = new StreamSession(core, request.caller, kind, request.id, request.log);
  // Frames are applied strictly in arrival order, one at a time, like lines of an NDJSON body.
  let queue: Promise<void> = Promise.resolve();
  socket.on('message', (data, isBinary) => {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    queue = queue.then(async () => {
      const item = isBinary ? await session.binary(bytes) : await session.text(bytes.toString('utf8'));
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(item));
    });
  });
  socket.on('close', () => {
    queue = queue.then(() => session.close()).catch((err: unknown) => request.log.error({ err }, 'closing a voice stream failed'));
  });
}
