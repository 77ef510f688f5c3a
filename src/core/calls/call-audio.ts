import { callAudioKey, type BlobStore } from '../../providers/blobs/blob-store.ts';
import { openRecording, type CallRecording } from '../../audio/call-recording.ts';
import { assertSampleRate, decodeAudio, splitStereo, type AudioEncoding } from '../../audio/codecs.ts';
import { channelEnergy, toAudioAnalysis, type AudioAnalysis } from '../../audio/energy.ts';
import { decodeWav } from '../../audio/wav.ts';
import type { Call, CallChannel } from '../../store/calls.ts';
import type { Driver } from '../../store/driver.ts';
import { stores } from '../../store/index.ts';
import { requireProfile } from '../tenancy/access.ts';
import { failedPrecondition, invalidArgument } from '../../kernel/errors.ts';
import { ROLES, type Caller, type Participant, type Role } from '../../kernel/types.ts';

export const CHANNEL_TYPES = ['CHANNEL_TYPE_UNSPECIFIED', 'SEPARATE', 'MIXED', 'STEREO'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export interface AudioConfig {
  encoding: AudioEncoding;
  sampleRateHertz: number;
  channelType: Exclude<ChannelType, 'CHANNEL_TYPE_UNSPECIFIED'>;
}

export type AudioEventType = 'AUDIO_PAUSE' | 'AUDIO_RESUME' | 'AUDIO_END';

/** The outcome of assembling a call's recording at CALL_END. */
export type PersistedRecording =
  | {
      ok: true;
      key: string;
      uri: string;
      durationSeconds: number;
      analysis: AudioAnalysis;
      sampleRateHertz: number;
      channels: CallChannel[];
      audioSeconds: Record<string, number>;
    }
  | { ok: false; error: unknown };

/** Where the call's counters are written while frames arrive: at most every 5 s of wall time per call. */
const SAVE_EVERY_MS = 5000;

export interface LiveStatus {
  state: Call['state'];
  eventsProcessed: number;
  lastEventType: string;
}

/** One call's open recording in this process, shared by all its streams (SEPARATE sends one per participant). */
interface LiveCall {
  customerId: string;
  conversationId: string;
  recording: CallRecording;
  encoding: AudioEncoding;
  channelType: AudioConfig['channelType'];
  channels: CallChannel[];
  paused: boolean;
  pendingPauseSeconds: number;
  /** Set once CALL_END starts assembling the recording: later frames are refused. */
  ended: boolean;
  streams: number;
  /** The call's state as this process last wrote it, for status items on audio-only streams. */
  status: LiveStatus;
  savedAt: number;
  saving: boolean;
}

/**
 * The audio side of calls. Per frame: decode, one write(2) to the call's spool (call-recording.ts),
 * and nothing else: no database, no allocation beyond the decoded samples. Counters are read off
 * the spool (so after a crash the spool is their source of truth) and written to the call row at
 * audio events, every SAVE_EVERY_MS, when a stream closes and at CALL_END.
 */
export class CallAudio {
  private readonly live = new Map<string, LiveCall>();

  constructor(private readonly db: Driver, private readonly options: { blobs: BlobStore; spoolDir: string }) {}

  get blobs(): BlobStore {
    return this.options.blobs;
  }

  async open(caller: Caller, call: { customerId: string; profileId: string; conversationId: string; platformCallId: string }, config: AudioConfig): Promise<AudioStream> {
    assertSampleRate(config.sampleRateHertz, 'streamingConfig.audioMetadata.sampleRateHertz');
    const row = await this.db.transaction(async (tx) => {
      const s = stores(tx);
      await requireProfile(s, caller, call.customerId, call.profileId);
      await s.calls.lockPlatformCall(call.customerId, call.profileId, call.platformCallId);
      const current = await s.calls.getCall(call.customerId, call.conversationId);
      if (!current) throw failedPrecondition('the call was deleted');
      if (current.state === 'ENDED') throw failedPrecondition(`call ${call.platformCallId} has ended; it takes no more audio`);
      if (current.sampleRateHertz === null) {
        const conversation = await s.conversations.getConversation({ customerId: call.customerId, id: call.conversationId });
        return (await s.calls.updateCall(call.customerId, call.conversationId, {
          channelType: config.channelType,
          encoding: config.encoding,
          sampleRateHertz: config.sampleRateHertz,
          channels: channelMap(config.channelType, conversation?.participants ?? []),
        }))!;
      }
      if (current.channelType !== config.channelType || current.encoding !== config.encoding || current.sampleRateHertz !== config.sampleRateHertz) {
        throw failedPrecondition(
          `call ${call.platformCallId} streams ${current.channelType} ${current.encoding} at ${current.sampleRateHertz} Hz; ` +
            `a stream with ${config.channelType} ${config.encoding} at ${config.sampleRateHertz} Hz cannot join its recording`,
        );
      }
      return current;
    });
    const live = await this.liveCall(row);
    live.streams++;
    return new AudioStream(this, live);
  }

  /** role → seconds on that role's channel: from the open spool when there is one, else as last saved. */
  secondsOf(call: Call): Record<string, number> {
    const live = this.live.get(keyOf(call));
    return live ? spooledSeconds(live) : call.audioSeconds;
  }

  /**
   * Assembles the call's WAV into the blob store for CALL_END. Undefined when there is nothing to
   * assemble (no audio was configured, the call is unknown or already ended).
   */
  async finishForEnd(caller: Caller, profile: { customerId: string; profileId: string }, platformCallId: string): Promise<PersistedRecording | undefined> {
    const s = stores(this.db);
    await requireProfile(s, caller, profile.customerId, profile.profileId);
    const call = await s.calls.getCallByPlatformId(profile.customerId, profile.profileId, platformCallId);
    if (!call || call.state === 'ENDED' || call.sampleRateHertz === null) return undefined;
    const key = callAudioKey(call.customerId, call.conversationId);
    const roles = call.channels.map((c) => c.role);
    const base = { key, sampleRateHertz: call.sampleRateHertz, channels: call.channels };
    const known = this.live.get(keyOf(call));
    // An entry already ended belongs to an earlier CALL_END whose transaction did not commit.
    const live = known && !known.ended ? known : undefined;
    if (known) known.ended = true;
    try {
      // A retried CALL_END whose first attempt stored the WAV but did not commit: use the stored one.
      if (!live && (await this.options.blobs.stat(key))) return { ok: true, ...base, ...(await this.restore(key, roles)) };
      const recording = live?.recording ?? (await openRecording(this.options.spoolDir, {
        customerId: call.customerId, conversationId: call.conversationId, sampleRateHertz: call.sampleRateHertz, channels: call.channels.length,
      }));
      const audioSeconds = live ? spooledSeconds(live) : secondsFrom(recording, call.channels);
      const finished = await recording.finish(this.options.blobs, key, { roles });
      return { ok: true, ...base, uri: finished.uri, durationSeconds: finished.durationSeconds, analysis: finished.analysis, audioSeconds };
    } catch (error) {
      return { ok: false, error };
    }
  }

  /** Called after every committed session event, so audio streams of the call report its state. */
  noteStatus(call: Call): void {
    const live = this.live.get(keyOf(call));
    if (live) live.status = { state: call.state, eventsProcessed: call.eventsProcessed, lastEventType: call.lastEventType };
  }

  /** Forgets a call's in-memory state once it has ended. */
  forget(call: Pick<Call, 'customerId' | 'conversationId'>): void {
    const live = this.live.get(keyOf(call));
    if (live) {
      live.ended = true;
      this.live.delete(keyOf(call));
    }
  }

  async saveSeconds(live: LiveCall): Promise<void> {
    if (live.saving) return;
    live.saving = true;
    live.savedAt = Date.now();
    try {
      await stores(this.db).calls.saveAudioSeconds(live.customerId, live.conversationId, spooledSeconds(live));
    } finally {
      live.saving = false;
    }
  }

  async savePause(live: LiveCall): Promise<void> {
    await stores(this.db).calls.updateCall(live.customerId, live.conversationId, {
      audioPaused: live.paused, pendingPauseSeconds: live.pendingPauseSeconds, audioSeconds: spooledSeconds(live),
    });
  }

  release(live: LiveCall): Promise<void> {
    if (--live.streams > 0 || live.ended) return Promise.resolve();
    this.live.delete(keyOf(live));
    return Promise.all([this.saveSeconds(live), live.recording.close()]).then(() => undefined);
  }

  private async liveCall(call: Call): Promise<LiveCall> {
    const existing = this.live.get(keyOf(call));
    if (existing && !existing.ended) return existing;
    const recording = await openRecording(this.options.spoolDir, {
      customerId: call.customerId, conversationId: call.conversationId, sampleRateHertz: call.sampleRateHertz!, channels: call.channels.length,
    });
    const raced = this.live.get(keyOf(call));
    if (raced && !raced.ended) {
      await recording.close();
      return raced;
    }
    const live: LiveCall = {
      customerId: call.customerId,
      conversationId: call.conversationId,
      recording,
      encoding: call.encoding as AudioEncoding,
      channelType: call.channelType as AudioConfig['channelType'],
      channels: call.channels,
      paused: call.audioPaused,
      pendingPauseSeconds: call.pendingPauseSeconds,
      ended: false,
      streams: 0,
      status: { state: call.state, eventsProcessed: call.eventsProcessed, lastEventType: call.lastEventType },
      savedAt: Date.now(),
      saving: false,
    };
    this.live.set(keyOf(call), live);
    return live;
  }

  /** Rebuilds the finish result from a WAV already in the blob store (re-put to learn its URI). */
  private async restore(key: string, roles: Role[]) {
    const blob = await this.options.blobs.get(key);
    const chunks: Buffer[] = [];
    for await (const chunk of blob.body) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    const wav = decodeWav(bytes);
    const { uri } = await this.options.blobs.put(key, bytes, 'audio/wav');
    const frames = wav.channels[0]?.length ?? 0;
    const audioSeconds: Record<string, number> = {};
    roles.forEach((role) => (audioSeconds[role] = frames / wav.sampleRateHertz));
    return {
      uri,
      durationSeconds: frames / wav.sampleRateHertz,
      analysis: toAudioAnalysis(wav.channels.map((c) => channelEnergy(c, wav.sampleRateHertz)), roles),
      audioSeconds,
    };
  }
}

/** One stream's view of a call's audio. */
export class AudioStream {
  private ended = false;
  private closed = false;

  constructor(private readonly audio: CallAudio, private readonly live: LiveCall) {}

  get channelType(): AudioConfig['channelType'] {
    return this.live.channelType;
  }

  get callStatus(): LiveStatus {
    return this.live.status;
  }

  /** Refuses a frame that write() would refuse, without writing anything. */
  check(role: Role | undefined, bytes: Uint8Array): void {
    if (this.live.ended) throw failedPrecondition('the call has ended; it takes no more audio');
    if (this.ended) throw failedPrecondition('this stream sent AUDIO_END; it takes no more audio');
    const { encoding, channelType } = this.live;
    if (encoding === 'LINEAR_16' && bytes.length % 2 !== 0) {
      throw invalidArgument('audioContent.audioContent', `LINEAR_16 audio must have an even number of bytes, got ${bytes.length}`);
    }
    if (channelType === 'STEREO' && (bytes.length / (encoding === 'LINEAR_16' ? 2 : 1)) % 2 !== 0) {
      throw invalidArgument('audioContent.audioContent', 'STEREO audio must hold whole left/right sample pairs');
    }
    if (channelType === 'SEPARATE') this.channelOf(role);
  }

  private channelOf(role: Role | undefined): number {
    if (!role || role === 'ROLE_UNSPECIFIED') {
      throw invalidArgument('audioContent.participant.role', 'SEPARATE audio needs the participant role of each chunk');
    }
    const channel = this.live.channels.find((c) => c.role === role);
    if (!channel) {
      throw invalidArgument('audioContent.participant.role', `${role} has no channel in this call's recording (channels: ${this.live.channels.map((c) => c.role).join(', ')}); list the participant in CALL_START before its audio`);
    }
    return channel.index;
  }

  /** Resolves once the frame is in the spool: the acknowledgement may then be sent. */
  async write(role: Role | undefined, bytes: Uint8Array): Promise<void> {
    if (this.live.ended) throw failedPrecondition('the call has ended; it takes no more audio');
    if (this.ended) throw failedPrecondition('this stream sent AUDIO_END; it takes no more audio');
    const pcm = decodeAudio(bytes, this.live.encoding, 'audioContent.audioContent');
    // A pause exists so that what is said during it is not kept.
    if (this.live.paused) return;
    const { recording } = this.live;
    if (this.live.channelType === 'MIXED') {
      await recording.append(0, pcm);
    } else if (this.live.channelType === 'STEREO') {
      const [left, right] = splitStereo(pcm, 'audioContent.audioContent');
      await recording.append(0, left);
      await recording.append(1, right);
    } else {
      await recording.append(this.channelOf(role), pcm);
    }
    if (Date.now() - this.live.savedAt > SAVE_EVERY_MS) void this.audio.saveSeconds(this.live).catch(() => undefined);
  }

  /**
   * AUDIO_PAUSE: audio is dropped until AUDIO_RESUME, which writes the pause as silence on every
   * channel (its pauseDuration, else the one AUDIO_PAUSE announced) so later audio keeps its place
   * on the call's timeline. AUDIO_END: this stream sends no more audio (the call goes on).
   */
  async event(type: AudioEventType, pauseSeconds: number | undefined): Promise<void> {
    if (this.live.ended) throw failedPrecondition('the call has ended');
    const live = this.live;
    if (type === 'AUDIO_PAUSE') {
      if (!live.paused) {
        live.paused = true;
        live.pendingPauseSeconds = pauseSeconds ?? 0;
      }
    } else if (type === 'AUDIO_RESUME') {
      if (live.paused) {
        const seconds = pauseSeconds ?? live.pendingPauseSeconds;
        await live.recording.appendSilence('all', seconds * 1000);
        live.paused = false;
        live.pendingPauseSeconds = 0;
      }
    } else {
      this.ended = true;
    }
    await this.audio.savePause(live);
  }

  seconds(): Record<string, number> {
    return spooledSeconds(this.live);
  }

  /** The stream is gone (finished, or the client disconnected): the spool stays for the call. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.audio.release(this.live);
  }
}

/**
 * WAV channel per role. STEREO: left agent, right visitor. MIXED: one channel. SEPARATE: AGENT,
 * VISITOR, then every other role listed among the call's participants when its audio starts.
 */
export function channelMap(channelType: AudioConfig['channelType'], participants: readonly Participant[]): CallChannel[] {
  if (channelType === 'MIXED') return [{ index: 0, role: 'ROLE_UNSPECIFIED' }];
  if (channelType === 'STEREO') return [{ index: 0, role: 'AGENT' }, { index: 1, role: 'VISITOR' }];
  const present = new Set(participants.map((p) => p.role));
  const roles = ROLES.filter((r) => r === 'AGENT' || r === 'VISITOR' || (present.has(r) && r !== 'ROLE_UNSPECIFIED' && r !== 'SYSTEM'));
  return roles.map((role, index) => ({ index, role }));
}

function spooledSeconds(live: LiveCall): Record<string, number> {
  return secondsFrom(live.recording, live.channels);
}

function secondsFrom(recording: CallRecording, channels: readonly CallChannel[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of channels) out[c.role] = Math.round(recording.seconds(c.index) * 1000) / 1000;
  return out;
}

function keyOf(call: Pick<Call, 'customerId' | 'conversationId'>): string {
  return `${call.customerId}/${call.conversationId}`;
}
