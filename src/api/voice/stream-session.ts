import type { FastifyBaseLogger } from 'fastify';
import { assertSampleRate } from '../../audio/codecs.ts';
import type { AudioConfig, AudioStream } from '../../core/calls/call-audio.ts';
import type { CallStatus, ProfileRef } from '../../core/calls/calls.ts';
import { invalidArgument, ParleyError } from '../../kernel/errors.ts';
import type { Core } from '../../core/index.ts';
import type { Caller, Role } from '../../kernel/types.ts';
import { toParleyError } from '../kit/errors.ts';
import { renderStatus } from '../kit/google/status.ts';
import { validationError, validatorCompiler } from '../kit/validation.ts';
import { audioConfigFromWire, pauseSecondsFromWire, profileFromWire, sessionEventFromWire, statusItem } from './map.ts';
import { CallAudioMessage, CallSessionMessage, MAX_STREAM_MESSAGE_BYTES, type StreamingConfig, type StreamMessage } from './schemas.ts';

export type StreamKind = 'session' | 'audio';

type Validator = ((data: unknown) => boolean) & { errors?: Parameters<typeof validationError>[0] | null };

const validators: Record<StreamKind, Validator> = {
  session: validatorCompiler({ schema: CallSessionMessage, httpPart: 'body', method: 'POST', url: '' }) as unknown as Validator,
  audio: validatorCompiler({ schema: CallAudioMessage, httpPart: 'body', method: 'POST', url: '' }) as unknown as Validator,
};

export type ResponseItem = ReturnType<typeof statusItem> | { error: ReturnType<typeof renderStatus> };

/**
 * One client stream of StreamCallSession or StreamCallSessionAudio, whatever carries it (NDJSON
 * over HTTP or WebSocket frames). Messages are applied one at a time in arrival order and each
 * gets exactly one response item; a message that fails gets an error item, changes nothing, and
 * the stream goes on.
 */
export class StreamSession {
  private profile: ProfileRef | undefined;
  private status: CallStatus | undefined;
  private audioConfig: AudioConfig | undefined;
  private audio: AudioStream | undefined;
  /** Whose audio a WebSocket binary frame is: the participant of the stream's latest audioContent. */
  private participantRole: Role | undefined;
  private closed = false;
  /** Ends this stream's count in the live-calls gauge. */
  private readonly callEnded: () => void;

  constructor(
    private readonly core: Core,
    private readonly caller: Caller,
    private readonly kind: StreamKind,
    private readonly requestId: string,
    private readonly log: FastifyBaseLogger,
  ) {
    this.callEnded = core.metrics.callOpened();
  }

  /** A JSON message: an NDJSON line or a WebSocket text frame. */
  async text(text: string): Promise<ResponseItem> {
    try {
      if (text.length > MAX_STREAM_MESSAGE_BYTES) throw tooLarge();
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch (err) {
        throw new ParleyError('INVALID_ARGUMENT', `message is not valid JSON: ${(err as Error).message}`);
      }
      const validate = validators[this.kind];
      if (!validate(message)) throw validationError(validate.errors ?? [], 'body');
      return await this.apply(message as StreamMessage);
    } catch (err) {
      return this.errorItem(err);
    }
  }

  /** A WebSocket binary frame: raw audio of the stream's participant (or both sides, STEREO). */
  async binary(bytes: Uint8Array): Promise<ResponseItem> {
    try {
      const status = this.requireConfigured();
      const audio = await this.openAudio(status);
      await audio.write(this.participantRole, bytes);
      return this.item(undefined);
    } catch (err) {
      return this.errorItem(err);
    }
  }

  /** An error item for something the transport refused before it became a message. */
  errorItem(err: unknown): ResponseItem {
    const error = toParleyError(typeof err === 'string' ? new ParleyError('INVALID_ARGUMENT', err) : err);
    if (error.code === 'INTERNAL') this.log.error({ err: error.cause ?? err }, 'voice stream message failed');
    return { error: renderStatus(error, this.requestId) };
  }

  /** The client is gone or finished: the call stays as it is, its spool kept for a later CALL_END. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.callEnded();
    await this.audio?.close();
  }

  private async apply(m: StreamMessage): Promise<ResponseItem> {
    if (m.streamingConfig) {
      if (this.status) throw invalidArgument('streamingConfig', 'only the first message of a stream carries streamingConfig');
      await this.configure(m.streamingConfig);
    }
    const status = this.requireConfigured();
    // Everything that can be refused is checked before anything is applied.
    const role = m.audioContent?.participant?.role;
    const bytes = m.audioContent?.audioContent ? Buffer.from(m.audioContent.audioContent, 'base64') : undefined;
    const event = m.sessionEvent ? sessionEventFromWire(m.sessionEvent, status.platformCallId) : undefined;
    if (m.audioEvent?.eventType === 'EVENT_TYPE_UNSPECIFIED') throw invalidArgument('audioEvent.eventType', 'must be AUDIO_PAUSE, AUDIO_RESUME or AUDIO_END');
    const audio = bytes?.length || m.audioEvent ? await this.openAudio(status) : undefined;
    if (bytes?.length) audio!.check(role ?? this.participantRole, bytes);

    if (role) this.participantRole = role;
    if (event) this.status = await this.core.calls.processEvent(this.caller, this.profile!, event, { sequenceId: m.sequenceId });
    if (bytes?.length) await audio!.write(role ?? this.participantRole, bytes);
    if (m.audioEvent) await audio!.event(m.audioEvent.eventType as 'AUDIO_PAUSE' | 'AUDIO_RESUME' | 'AUDIO_END', pauseSecondsFromWire(m.audioEvent.pauseDuration));
    return this.item(m.sequenceId);
  }

  private async configure(config: StreamingConfig): Promise<void> {
    const profile = profileFromWire(config.profile, this.caller);
    if (!config.platformCallId) throw invalidArgument('streamingConfig.platformCallId', 'is required');
    let audioConfig: AudioConfig | undefined;
    if (this.kind === 'audio' || config.audioMetadata) {
      audioConfig = audioConfigFromWire(config);
      assertSampleRate(audioConfig.sampleRateHertz, 'streamingConfig.audioMetadata.sampleRateHertz');
    }
    const status = await this.core.calls.open(this.caller, profile, config.platformCallId);
    this.profile = profile;
    this.audioConfig = audioConfig;
    if (this.kind === 'audio') this.audio = await this.core.calls.openAudio(this.caller, status, audioConfig!);
    this.status = status;
  }

  private requireConfigured(): CallStatus {
    if (!this.status) throw invalidArgument('streamingConfig', 'the first message of a stream must carry streamingConfig');
    return this.status;
  }

  private async openAudio(status: CallStatus): Promise<AudioStream> {
    if (this.audio) return this.audio;
    if (!this.audioConfig) throw invalidArgument('streamingConfig.audioMetadata', 'this stream sends audio, so its streamingConfig needs audioMetadata');
    this.audio = await this.core.calls.openAudio(this.caller, status, this.audioConfig);
    return this.audio;
  }

  private item(sequenceId: string | undefined): ResponseItem {
    const live = this.audio?.callStatus;
    const status = live ? { ...this.status!, ...live } : this.status!;
    return statusItem(status, this.audio?.seconds(), sequenceId);
  }
}

function tooLarge(): ParleyError {
  return new ParleyError('PAYLOAD_TOO_LARGE', `message exceeds ${MAX_STREAM_MESSAGE_BYTES} bytes`, {
    limit: { name: 'streamMessageBytes', max: MAX_STREAM_MESSAGE_BYTES },
  });
}
