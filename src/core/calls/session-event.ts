import { invalidArgument, ParleyError } from '../../kernel/errors.ts';
import { LIMITS } from '../../kernel/limits.ts';
import { contentHash } from '../../kernel/content-hash.ts';
import type { JsonObject, Participant } from '../../kernel/types.ts';
import type { SessionEventType } from './call-fold.ts';

export const AUDIO_STREAMING_MODES = ['AUDIO_STREAMING_MODE_UNSPECIFIED', 'PLATFORM_STREAM', 'NO_AUDIO', 'POST_CALL_UPLOAD'] as const;
export type AudioStreamingMode = (typeof AUDIO_STREAMING_MODES)[number];

/** One session event a platform reports about a call (StreamCallSession, ProcessSessionEvent). */
export interface SessionEventInput {
  eventType: SessionEventType;
  platformCallId: string;
  platformMasterCallId?: string;
  participants?: Participant[];
  /** When the platform says it happened; absent → the time Parley received it. */
  platformTime?: Date;
  payload?: JsonObject;
  closeActiveCalls?: boolean;
}

export interface EventOptions {
  /** The client's id for the message; a repeat of an already recorded one is not applied again. */
  sequenceId?: string;
  audioStreamingMode?: AudioStreamingMode;
}

export function checkPlatformCallId(id: string, field: string): void {
  if (!id) throw invalidArgument(field, 'is required');
  if (id.length > LIMITS.shortString) throw invalidArgument(field, `at most ${LIMITS.shortString} characters`);
}

export function checkEvent(input: SessionEventInput): SessionEventInput {
  if (input.eventType === 'EVENT_TYPE_UNSPECIFIED') {
    throw invalidArgument('sessionEvent.eventType', 'must be CALL_START, CALL_HOLD, CALL_UNHOLD, CALL_END, CALL_TRANSFER, PARTICIPANT_JOIN or PARTICIPANT_LEAVE');
  }
  checkPlatformCallId(input.platformCallId, 'sessionEvent.platformCallId');
  if ((input.platformMasterCallId ?? '').length > LIMITS.shortString) {
    throw invalidArgument('sessionEvent.platformMasterCallId', `at most ${LIMITS.shortString} characters`);
  }
  if ((input.participants?.length ?? 0) > LIMITS.participants) {
    throw invalidArgument('sessionEvent.participants', `at most ${LIMITS.participants} participants`);
  }
  if (input.payload && Buffer.byteLength(JSON.stringify(input.payload)) > LIMITS.jsonObjectBytes) {
    throw new ParleyError('PAYLOAD_TOO_LARGE', `sessionEvent.payload: at most ${LIMITS.jsonObjectBytes} bytes`, {
      limit: { name: 'jsonObjectBytes', max: LIMITS.jsonObjectBytes },
    });
  }
  if (input.platformTime && Number.isNaN(input.platformTime.getTime())) throw invalidArgument('sessionEvent.platformTime', 'is not a valid time');
  return input;
}

/** "The same event": same type, time, call ids, participants and payload, whatever the key order. */
export function contentKey(event: SessionEventInput): string {
  const { closeActiveCalls: _ignored, ...content } = event;
  return contentHash(content);
}
