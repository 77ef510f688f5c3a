import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { Core } from '../../../core/index.ts';
import type { VoiceSurfaceOptions } from '../index.ts';
import { JsonStreamSplitter, ndjsonResponse } from '../../kit/ndjson.ts';
import { MAX_STREAM_MESSAGE_BYTES } from '../schemas.ts';
import { StreamSession, type StreamKind } from '../stream-session.ts';

const STREAMS: { path: string; kind: StreamKind; rpc: string }[] = [
  { path: '/voicecallsession/streamCallSession', kind: 'session', rpc: 'StreamCallSession' },
  { path: '/voicecallsession/streamCallSessionAudio', kind: 'audio', rpc: 'StreamCallSessionAudio' },
];

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
    const config = { permission: `VoiceCallSession:${stream.rpc}` };
    app.post(stream.path, {
      config,
      schema: {
        tags: ['VoiceCallSessionService'],
        summary: `${stream.rpc}: NDJSON request stream → NDJSON response stream, one {"result"} or {"error"} line per message`,
      },
    }, (request, reply) => ndjson(core, stream.kind, request, reply));
    app.get(stream.path, { websocket: true, config }, (socket, request) => webSocket(core, stream.kind, socket, request));
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
