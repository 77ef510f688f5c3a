import { CRESTA_KEY_SCHEMES } from '../kit/auth.ts';
import { openapiPath } from '../kit/google/custom-methods.ts';
import { Empty, ErrorResponse, Role } from '../kit/google/schemas.ts';
import type { SurfaceDocs } from '../kit/openapi/types.ts';
import {
  AudioContent, AudioEvent, CallAudioMessage, CallSessionMessage, ProcessSessionEventBody, SessionEvent, SessionStatus, StreamingConfig,
  StreamResponseItem, VoiceParticipant,
} from './schemas.ts';

/** The voice surface's OpenAPI document: Cresta's VoiceCallSession messages, operationIds `VoiceCallSessionService_<RPC>`. */
export const voiceDocs: SurfaceDocs = {
  title: 'Cresta VoiceCallSessionService',
  description: 'Call-session events from CCaaS platforms (start, hold, unhold, end, transfer) and streamed call audio: '
    + 'NDJSON over HTTP (POST) or a WebSocket (GET with Upgrade) on the same paths, and the recording of a call. '
    + 'Errors are google.rpc.Status bodies.',
  securitySchemes: CRESTA_KEY_SCHEMES,
  publicPath: openapiPath,
  schemas: {
    StreamCallSessionRequest: CallSessionMessage,
    StreamCallSessionAudioRequest: CallAudioMessage,
    StreamCallSessionResponse: StreamResponseItem,
    ProcessSessionEventRequest: ProcessSessionEventBody,
    SessionEvent,
    SessionStatus,
    StreamingConfig,
    AudioContent,
    AudioEvent,
    VoiceParticipant,
    Role,
    Status: ErrorResponse,
    Empty,
  },
};
