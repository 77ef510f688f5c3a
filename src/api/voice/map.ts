import type { AudioConfig } from '../../core/calls/call-audio.ts';
import type { CallStatus, ProfileRef, SessionEventInput } from '../../core/calls/calls.ts';
import { invalidArgument } from '../../kernel/errors.ts';
import { DEFAULT_PROFILE_ID, RESOURCE_ID_PATTERN } from '../../core/tenancy/tenancy.ts';
import type { Caller, Participant } from '../../kernel/types.ts';
import type { AudioEncoding } from '../../audio/codecs.ts';
import { parseDuration } from '../kit/google/schemas.ts';
import { conversationName } from '../../core/resource-names.ts';
import type { SessionEvent, StreamingConfig, VoiceParticipant } from './schemas.ts';

/**
 * `streamingConfig.profile` (`customers/c/profiles/p`). Absent: the key's profile when it is
 * narrowed to one, else the customer's default profile [Parley].
 */
export function profileFromWire(profile: string | undefined, caller: Caller, field = 'streamingConfig.profile'): ProfileRef {
  if (!profile) return { customerId: caller.customerId, profileId: caller.profileId ?? DEFAULT_PROFILE_ID };
  const match = /^customers\/([^/]+)\/profiles\/([^/]+)$/.exec(profile);
  if (!match) throw invalidArgument(field, 'must look like customers/{customer}/profiles/{profile}');
  if (!RESOURCE_ID_PATTERN.test(match[1]) || !RESOURCE_ID_PATTERN.test(match[2])) {
    throw invalidArgument(field, `customer and profile ids must match ${RESOURCE_ID_PATTERN}`);
  }
  return { customerId: match[1], profileId: match[2] };
}

export function participantFromWire(p: VoiceParticipant): Participant {
  return {
    role: p.role ?? 'ROLE_UNSPECIFIED',
    user: p.user ?? '',
    platformAgentId: p.platformAgentId ?? '',
    externalUserId: p.externalUserId ?? '',
    displayName: '',
    joinTime: null,
    leaveTime: null,
  };
}

/** A stream's events name their call in sessionEvent.platformCallId, or inherit the stream's. */
export function sessionEventFromWire(e: SessionEvent, streamCallId?: string): SessionEventInput {
  const platformCallId = e.platformCallId || streamCallId || '';
  if (streamCallId && e.platformCallId && e.platformCallId !== streamCallId) {
    throw invalidArgument('sessionEvent.platformCallId', `this stream is for call ${streamCallId} (streamingConfig.platformCallId)`);
  }
  return {
    eventType: e.eventType,
    platformCallId,
    platformMasterCallId: e.platformMasterCallId,
    participants: e.participants?.map(participantFromWire),
    platformTime: e.platformTime ? new Date(e.platformTime) : undefined,
    payload: e.payload as SessionEventInput['payload'],
    closeActiveCalls: e.closeActiveCalls,
  };
}

/** The audio half of a streamingConfig; CHANNEL_TYPE_UNSPECIFIED records one mono channel (MIXED) [Parley]. */
export function audioConfigFromWire(config: StreamingConfig): AudioConfig {
  const metadata = config.audioMetadata;
  if (!metadata) throw invalidArgument('streamingConfig.audioMetadata', 'is required before audio');
  const encoding = (metadata.encoding ?? 'AUDIO_ENCODING_UNSPECIFIED').replace(/^AUDIO_ENCODING_/, '');
  if (encoding === 'UNSPECIFIED') {
    throw invalidArgument('streamingConfig.audioMetadata.encoding', 'must be AUDIO_ENCODING_LINEAR_16, AUDIO_ENCODING_MULAW or AUDIO_ENCODING_ALAW');
  }
  const channelType = !config.channelType || config.channelType === 'CHANNEL_TYPE_UNSPECIFIED' ? 'MIXED' : config.channelType;
  return { encoding: encoding as AudioEncoding, sampleRateHertz: metadata.sampleRateHertz ?? 0, channelType };
}

export function pauseSecondsFromWire(pauseDuration: string | undefined): number | undefined {
  return pauseDuration === undefined ? undefined : parseDuration(pauseDuration);
}

/** One `{"result": …}` item of a stream's response. */
export function statusItem(status: CallStatus, audioSeconds: Record<string, number> | undefined, sequenceId: string | undefined) {
  return {
    result: {
      sessionStatus: {
        state: status.state,
        eventsProcessed: status.eventsProcessed,
        audioSecondsReceived: audioSeconds ?? status.audioSecondsReceived,
        lastEventType: status.lastEventType,
      },
      ...(sequenceId ? { sequenceId } : {}),
      conversationName: conversationName(status),
    },
  };
}
