import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import { crestaKey } from '../kit/auth.ts';
import { googleRpcErrors } from '../kit/google/status.ts';
import { registerSurface, type SurfaceOptions } from '../kit/surface.ts';
import { voiceDocs } from './openapi.ts';
import { recordingRoutes } from './routes/recordings.ts';
import { sessionEventRoutes } from './routes/session-events.ts';
import { streamRoutes } from './routes/streams.ts';
import { MAX_STREAM_MESSAGE_BYTES } from './schemas.ts';

export type VoiceSurfaceOptions = SurfaceOptions;

/**
 * The `voice` surface: Cresta VoiceCallSessionService (API-FACTS §2), with the conversations
 * surface's conventions: google.rpc errors and `Authorization: Bearer|ApiKey` / `X-API-Key` keys.
 * Unknown paths under /v1 are answered by the conversations surface, which shares the prefix.
 */
export async function voiceSurface(app: FastifyInstance, { core }: SurfaceOptions) {
  await registerSurface(app, core, {
    name: 'voice',
    prefix: '/v1',
    key: crestaKey,
    docs: voiceDocs,
    errors: googleRpcErrors,
    // Before the key check: its hooks must see every upgrade request, so that a refused one
    // (401) has its socket closed instead of left open.
    beforeAuth: async (surface) => {
      await surface.register(websocket, { options: { maxPayload: MAX_STREAM_MESSAGE_BYTES } });
    },
    routes: [sessionEventRoutes, streamRoutes, recordingRoutes],
  });
}
