import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { CHANNEL_TYPES } from '../../core/calls/call-audio.ts';
import { SESSION_EVENT_TYPES } from '../../core/calls/call-fold.ts';
import { AUDIO_STREAMING_MODES } from '../../core/calls/calls.ts';
import { LIMITS } from '../../kernel/limits.ts';
import { Duration, FreeObject, Role, Timestamp } from '../kit/google/schemas.ts';
import { StringEnum } from '../kit/string-enum.ts';

/** Wire names of audioMetadata.encoding (after Google's AudioEncoding). */
export const WIRE_ENCODINGS = ['AUDIO_ENCODING_UNSPECIFIED', 'AUDIO_ENCODING_LINEAR_16', 'AUDIO_ENCODING_MULAW', 'AUDIO_ENCODING_ALAW'] as const;
export const AUDIO_EVENT_TYPES = ['EVENT_TYPE_UNSPECIFIED', 'AUDIO_PAUSE', 'AUDIO_RESUME', 'AUDIO_END'] as const;
export const SESSION_STATES = ['STATE_UNSPECIFIED', 'ACTIVE', 'ON_HOLD', 'ENDED'] as const;

/**
 * One stream message, at most 1 MiB of JSON [Parley]: a second of 48 kHz stereo LINEAR_16 is
 * 256 KB of base64, and platforms send 20–100 ms chunks.
 */
export const MAX_STREAM_MESSAGE_BYTES = 1024 * 1024;

const Str = (max: number = LIMITS.shortString) => Type.String({ maxLength: max });
const Obj = <T extends Record<string, TSchema>>(props: T) => Type.Object(props, { additionalProperties: false });
const Opt = Type.Optional;

export const VoiceParticipant = Obj({ role: Opt(Role), user: Opt(Str()), platformAgentId: Opt(Str()), externalUserId: Opt(Str()) });
export type VoiceParticipant = Static<typeof VoiceParticipant>;

export const StreamingConfig = Obj({
  profile: Opt(Str()),
  audioMetadata: Opt(Obj({ sampleRateHertz: Opt(Type.Integer()), encoding: Opt(StringEnum(WIRE_ENCODINGS)) })),
  channelType: Opt(StringEnum(CHANNEL_TYPES)),
  platformCallId: Opt(Str()),
});
export type StreamingConfig = Static<typeof StreamingConfig>;

export const AudioContent = Obj({
  // proto3 JSON bytes: standard or URL-safe base64.
  audioContent: Opt(Type.String({ maxLength: MAX_STREAM_MESSAGE_BYTES, pattern: '^[A-Za-z0-9+/_-]*={0,2}$' })),
  participant: Opt(VoiceParticipant),
});

export const SessionEvent = Obj({
  eventType: StringEnum(SESSION_EVENT_TYPES),
  platformCallId: Opt(Str()),
  platformMasterCallId: Opt(Str()),
  participants: Opt(Type.Array(VoiceParticipant, { maxItems: LIMITS.participants })),
  platformTime: Opt(Timestamp),
  payload: Opt(FreeObject),
  closeActiveCalls: Opt(Type.Boolean()),
});
export type SessionEvent = Static<typeof SessionEvent>;

export const AudioEvent = Obj({ eventType: StringEnum(AUDIO_EVENT_TYPES), pauseDuration: Opt(Duration) });

const common = { streamingConfig: Opt(StreamingConfig), audioContent: Opt(AudioContent), sequenceId: Opt(Str(256)) };

/** A StreamCallSession request message. */
export const CallSessionMessage = Obj({ ...common, sessionEvent: Opt(SessionEvent) });
/** A StreamCallSessionAudio request message ("the audio stream event only applies to StreamCallSessionAudio"). */
export const CallAudioMessage = Obj({ ...common, audioEvent: Opt(AudioEvent) });
export type StreamMessage = Static<typeof CallSessionMessage> & Static<typeof CallAudioMessage>;

export const ProcessSessionEventBody = Obj({ sessionEvent: SessionEvent, audioStreamingMode: Opt(StringEnum(AUDIO_STREAMING_MODES)) });
export type ProcessSessionEventBody = Static<typeof ProcessSessionEventBody>;

export const SessionStatus = Type.Object({
  state: StringEnum(SESSION_STATES),
  eventsProcessed: Type.Integer(),
  audioSecondsReceived: Type.Record(Type.String(), Type.Number()),
  lastEventType: Type.String(),
});

/** One line (or WebSocket frame) of a stream's response: `{"result": …}` or `{"error": …}`. */
export const StreamResponseItem = Type.Object({
  result: Opt(Type.Object({ sessionStatus: SessionStatus, sequenceId: Opt(Type.String()), conversationName: Type.String() })),
  error: Opt(Type.Object({ code: Type.Integer(), message: Type.String(), details: Type.Array(FreeObject) })),
});
