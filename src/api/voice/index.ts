import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { Core } from '../../core/index.ts';
import { crestaKey, requireApiKey } from '../kit/auth.ts';
import { handleError } from '../conversations/errors.ts';
import { recordingRoutes } from './routes/recordings.ts';
import { sessionEventRoutes } from './routes/session-events.ts';
import { streamRoutes } from './routes/streams.ts';
import { MAX_STREAM_MESSAGE_BYTES } from './schemas.ts';

export interface VoiceSurfaceOptions {
  core: Core;
}

/**
 * The `voice` surface: Cresta VoiceCallSessionService (API-FACTS §2), with the conversations
 * surface's conventions: google.rpc errors and `Authorization: Bearer|ApiKey` / `X-API-Key` keys.
 */
export async function voiceSurface(app: FastifyInstance, { core }: VoiceSurfaceOptions) {
  await app.register(async (surface) => {
    surface.setErrorHandler(handleError);
    // Before the key check: its hooks must see every upgrade request, so that a refused one
    // (401) has its socket closed instead of left open.
    await surface.register(websocket, { options: { maxPayload: MAX_STREAM_MESSAGE_BYTES } });
    requireApiKey(surface, core, crestaKey);
    for (const routes of [sessionEventRoutes, streamRoutes, recordingRoutes]) {
      await surface.register(routes, { core });
    }
  }, { prefix: '/v1' });
}
