import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsBlobStore, type BlobBody, type BlobStore } from '../../providers/blobs/blob-store.ts';
import type { ConversationRef } from '../../store/conversation-ref.ts';
import type { TranscriptionPayload } from '../../audio/transcription-payload.ts';
import type { Call, CallChannel, CallState } from '../../store/calls.ts';
import type { Driver } from '../../store/driver.ts';
import { stores, type Stores } from '../../store/index.ts';
import { conversationOrderingKey } from '../../store/jobs.ts';
import { requireProfile } from '../tenancy/access.ts';
import { CallAudio, type AudioConfig, type AudioStream, type PersistedRecording } from './call-audio.ts';
import { foldCallEvents, type CallView, type SessionEventType } from './call-fold.ts';
import { applyChange, checkInput, startIn } from '../conversations/conversations.ts';
import { invalidArgument, notFound, ParleyError } from '../../kernel/errors.ts';
import { LIMITS } from '../../kernel/limits.ts';
import type { Caller, Conversation, ConversationState, EventType, JsonObject, Participant } from '../../kernel/types.ts';
import { contentHash } from '../../kernel/content-hash.ts';
import { conversationName } from '../resource-names.ts';

export const AUDIO_STREAMING_MODES = ['AUDIO_STREAMING_MODE_UNSPECIFIED', 'PLATFORM_STREAM', 'NO_AUDIO', 'POST_CALL_UPLOAD'] as const;
export type AudioStreamingMode = (typeof AUDIO_STREAMING_MODES)[number];

/** The queue the audio engineer's job drains; its payload is TranscriptionPayload. */
export const TRANSCRIPTION_QUEUE = 'transcription';

/** An HTTP byte range: `start`–`end` inclusive (end absent: to the end), or the last `suffix` bytes. */
export interface ByteRangeRequest {
  start?: number;
  end?: number;
  suffix?: number;
}

export interface ProfileRef {
  customerId: string;
  profileId: string;
}

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

/** sessionStatus of a stream's status line, plus what the surface needs to name the conversation. */
export interface CallStatus {
  customerId: string;
  profileId: string;
  conversationId: string;
  /** The conversation's name segment (customers/c/profiles/p/conversations/<nameId>). */
  nameId: string;
  platformCallId: string;
  state: CallState;
  eventsProcessed: number;
  audioSecondsReceived: Record<string, number>;
  lastEventType: string;
}

const CONVERSATION_STATE: Record<CallState, ConversationState> = { ACTIVE: 'ACTIVE', ON_HOLD: 'ON_HOLD', ENDED: 'CLOSED' };
const STATE_EVENT: Record<CallState, EventType> = { ACTIVE: 'CONVERSATION_UNHOLD', ON_HOLD: 'CONVERSATION_HOLD', ENDED: 'CONVERSATION_END' };

export interface CallServiceOptions {
  blobs?: BlobStore;
  /** Root of the per-call audio spools (recordingSpoolDir(dataDir) for `parley serve`). */
  spoolDir?: string;
}

/** A fresh temporary directory: `--memory` servers and tests keep nothing behind in the working directory. */
function temporaryDir(prefix: string): string {
  return join(tmpdir(), `${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/**
 * Voice call sessions (the `voice` surface, API-FACTS §2). A call is one conversation (channel
 * VOICE, source VOICE_CALL_SESSION, platformInfo.platformConversationId = platformCallId); every
 * change to it is one transaction that also appends the conversation's events. Audio frames stay
 * out of the database: see call-audio.ts.
 */
export class CallService {
  readonly audio: CallAudio;

  constructor(private readonly db: Driver, options: CallServiceOptions = {}) {
    this.audio = new CallAudio(db, {
      blobs: options.blobs ?? new FsBlobStore(temporaryDir('parley-blobs')),
      spoolDir: options.spoolDir ?? temporaryDir('parley-spool'),
    });
  }

  /**
   * The recording of a call's conversation, for an authenticated download. `range` is an HTTP byte
   * range (`suffix`: the last n bytes); one that starts past the end is OUT_OF_RANGE with the size.
   */
  async recording(ref: ConversationRef, range?: ByteRangeRequest): Promise<BlobBody> {
    const conversation = await stores(this.db).conversations.getConversation(ref);
    if (!conversation) throw notFound('conversation');
    const call = await stores(this.db).calls.getCall(conversation.customerId, conversation.id);
    if (!call?.audioKey || conversation.audioPersistenceState !== 'PERSISTED') throw notFound('recording of this conversation');
    if (!range) return this.audio.blobs.get(call.audioKey);
    const stat = await this.audio.blobs.stat(call.audioKey);
    if (!stat) throw notFound('recording of this conversation');
    const size = stat.size;
    const start = range.suffix !== undefined ? Math.max(0, size - range.suffix) : (range.start ?? 0);
    const end = range.suffix !== undefined ? size - 1 : Math.min(range.end ?? size - 1, size - 1);
    if (start >= size || end < start || range.suffix === 0) {
      throw new ParleyError('OUT_OF_RANGE', `the range cannot be satisfied: the recording has ${size} bytes`, { size });
    }
    return this.audio.blobs.get(call.audioKey, { start, end });
  }

  /** A stream's streamingConfig: finds the call, or opens it (and its conversation) when it is new. */
  async open(caller: Caller, profile: ProfileRef, platformCallId: string, mode?: AudioStreamingMode): Promise<CallStatus> {
    checkPlatformCallId(platformCallId, 'streamingConfig.platformCallId');
    const call = await this.db.transaction(async (tx) => {
      const s = stores(tx);
      await requireProfile(s, caller, profile.customerId, profile.profileId);
      await s.calls.lockPlatformCall(profile.customerId, profile.profileId, platformCallId);
      const { call } = await this.findOrCreate(s, caller, profile, platformCallId, undefined, mode);
      return call;
    });
    return this.statusOf(call);
  }

  /**
   * Applies one session event (StreamCallSession, ProcessSessionEvent). Recorded once: a repeat is
   * answered with the current status and changes nothing. The call's state is then the fold of its
   * recorded events in platformTime order (call-fold.ts), and the conversation follows it.
   */
  async processEvent(caller: Caller, profile: ProfileRef, input: SessionEventInput, options: EventOptions = {}): Promise<CallStatus> {
    const event = checkEvent(input);
    const receivedAt = new Date();
    // The recording is assembled before the closing transaction, so the close can record where it
    // went and enqueue its transcription atomically. A repeated CALL_END finds the call ENDED and skips it.
    const recording = event.eventType === 'CALL_END' ? await this.audio.finishForEnd(caller, profile, event.platformCallId) : undefined;
    const { call, closedOthers } = await this.db.transaction(async (tx) => {
      const s = stores(tx);
      await requireProfile(s, caller, profile.customerId, profile.profileId);
      await s.calls.lockPlatformCall(profile.customerId, profile.profileId, event.platformCallId);
      const found = await this.findOrCreate(s, caller, profile, event.platformCallId, event, options.audioStreamingMode);
      const recorded = await s.calls.insertCallEvent(profile.customerId, found.call.conversationId, {
        eventType: event.eventType,
        platformTime: event.platformTime ?? receivedAt,
        sequenceId: options.sequenceId || null,
        contentKey: event.platformTime ? contentKey(event) : null,
        participants: event.participants ?? [],
        platformMasterCallId: event.platformMasterCallId ?? '',
        payload: event.payload ?? {},
      });
      if (!recorded) return { call: found.call, closedOthers: [] as Call[] };
      const events = await s.calls.listCallEvents(profile.customerId, found.call.conversationId);
      const view = foldCallEvents(event.platformCallId, events);
      const updated = await this.applyView(s, caller, found.call, found.conversation, view, event, recording);
      const saved = await s.calls.updateCall(profile.customerId, updated.conversationId, {
        ...this.callChanges(updated, view),
        eventsProcessed: found.call.eventsProcessed + 1,
        lastEventType: event.eventType,
        lastPlatformTime: maxDate(found.call.lastPlatformTime, event.platformTime ?? receivedAt),
        audioSeconds: updated.state === 'ENDED' && recording?.ok ? recording.audioSeconds : undefined,
        audioStreamingMode: options.audioStreamingMode && options.audioStreamingMode !== 'AUDIO_STREAMING_MODE_UNSPECIFIED'
          ? options.audioStreamingMode : undefined,
      });
      const others = event.closeActiveCalls && saved!.agentKey
        ? await s.calls.listActiveCallsOfAgent(profile.customerId, profile.profileId, saved!.agentKey, saved!.conversationId)
        : [];
      return { call: saved!, closedOthers: others };
    });
    this.audio.noteStatus(call);
    if (call.state === 'ENDED') this.audio.forget(call);
    // Each other call ends in its own transaction, like a CALL_END of its own: it has its own
    // recording to finish and its own lock.
    for (const other of closedOthers) {
      await this.processEvent(caller, { customerId: other.customerId, profileId: other.profileId }, {
        eventType: 'CALL_END',
        platformCallId: other.platformCallId,
        payload: { reason: 'closeActiveCalls', by: event.platformCallId },
      });
    }
    return this.statusOf(call);
  }

  /** Opens the audio side of a stream (StreamCallSessionAudio, or audio on StreamCallSession). */
  async openAudio(caller: Caller, status: CallStatus, config: AudioConfig): Promise<AudioStream> {
    return this.audio.open(caller, status, config);
  }

  async status(caller: Caller, profile: ProfileRef, platformCallId: string): Promise<CallStatus> {
    const s = stores(this.db);
    await requireProfile(s, caller, profile.customerId, profile.profileId);
    const call = await s.calls.getCallByPlatformId(profile.customerId, profile.profileId, platformCallId);
    if (!call) throw notFound('call');
    return this.statusOf(call);
  }

  private async statusOf(call: Call): Promise<CallStatus> {
    const conversation = await stores(this.db).conversations.getConversation({ customerId: call.customerId, id: call.conversationId });
    return {
      customerId: call.customerId,
      profileId: call.profileId,
      conversationId: call.conversationId,
      nameId: conversation?.nameId ?? call.conversationId,
      platformCallId: call.platformCallId,
      state: call.state,
      eventsProcessed: call.eventsProcessed,
      audioSecondsReceived: this.audio.secondsOf(call),
      lastEventType: call.lastEventType,
    };
  }

  private async findOrCreate(
    s: Stores,
    caller: Caller,
    profile: ProfileRef,
    platformCallId: string,
    event: SessionEventInput | undefined,
    mode: AudioStreamingMode | undefined,
  ): Promise<{ call: Call; conversation: Conversation }> {
    const existing = await s.calls.getCallByPlatformId(profile.customerId, profile.profileId, platformCallId);
    if (existing) {
      const conversation = await s.conversations.getConversation({ customerId: existing.customerId, id: existing.conversationId }, { forUpdate: true });
      if (!conversation) throw new ParleyError('ABORTED', 'the call\'s conversation was deleted; retry');
      return { call: existing, conversation };
    }
    // Any first word about a call opens it: audio may arrive before CALL_START, and a CALL_END
    // may be the only event a platform ever sends for a short call.
    const input = checkInput({
      platformInfo: { platformConversationId: platformCallId },
      startTime: event?.eventType === 'CALL_START' ? event.platformTime : undefined,
    }, 'sessionEvent.');
    const { conversation } = await startIn(s, caller, profile.customerId, profile.profileId, undefined, input, { source: 'VOICE_CALL_SESSION', channel: 'VOICE' });
    let call = await s.calls.insertCall({ customerId: profile.customerId, conversationId: conversation.id, profileId: profile.profileId, platformCallId });
    if (mode && mode !== 'AUDIO_STREAMING_MODE_UNSPECIFIED') {
      call = (await s.calls.updateCall(call.customerId, call.conversationId, { audioStreamingMode: mode }))!;
    }
    return { call, conversation };
  }

  /** Brings the conversation in line with the fold; returns the call with its new state. */
  private async applyView(
    s: Stores,
    caller: Caller,
    call: Call,
    conversation: Conversation,
    view: CallView,
    event: SessionEventInput,
    recording: PersistedRecording | undefined,
  ): Promise<Call> {
    const changes: Partial<Conversation> = {};
    const events: { type: EventType; payload: JsonObject }[] = [];
    const ended = call.state === 'ENDED';
    if (!ended) {
      if (JSON.stringify(view.participants) !== JSON.stringify(conversation.participants)) changes.participants = view.participants;
      if (view.startTime && view.startTime.getTime() !== conversation.startTime.getTime()) changes.startTime = view.startTime;
      Object.assign(changes, identityChanges(conversation, view.participants));
      if (view.masterCallId && !conversation.transferInfo.masterConversation) {
        const transferInfo = await this.transferInfo(s, call, view);
        if (transferInfo) changes.transferInfo = transferInfo;
      }
    }
    const nextState = ended ? call.state : view.state;
    if (nextState === 'ENDED' && !ended) Object.assign(changes, audioChanges(recording));
    if (Object.keys(changes).length > 0) events.push({ type: 'CONVERSATION_UPDATE', payload: { fields: Object.keys(changes) } });
    if (!ended && event.eventType === 'CALL_TRANSFER') {
      events.push({
        type: 'CONVERSATION_TRANSFER',
        payload: {
          platformMasterCallId: event.platformMasterCallId ?? '',
          participants: (event.participants ?? []).map((p) => ({ role: p.role, user: p.user, platformAgentId: p.platformAgentId, externalUserId: p.externalUserId })),
          ...(event.platformTime ? { platformTime: event.platformTime.toISOString() } : {}),
        },
      });
    }
    const target = CONVERSATION_STATE[nextState];
    if (target !== conversation.state && conversation.state !== 'CLOSED') {
      changes.state = target;
      if (target === 'CLOSED') changes.endTime = view.endTime ?? new Date();
      const payload: JsonObject = { from: conversation.state, to: target, platformCallId: call.platformCallId };
      if (target === 'CLOSED' && event.payload?.reason) payload.reason = event.payload.reason;
      events.push({ type: STATE_EVENT[nextState], payload });
    }
    if (events.length > 0) {
      await applyChange(s, caller, { customerId: call.customerId, id: call.conversationId }, changes, events);
    }
    if (nextState === 'ENDED' && !ended && recording?.ok) {
      const payload: TranscriptionPayload = {
        conversationId: call.conversationId,
        audioKey: recording.key,
        sampleRateHertz: recording.sampleRateHertz,
        channels: recording.channels,
      };
      await s.jobs.enqueueJobs([{
        queue: TRANSCRIPTION_QUEUE,
        customerId: call.customerId,
        payload: payload as unknown as JsonObject,
        orderingKey: conversationOrderingKey(call.conversationId),
        uniqueKey: `transcription:${call.conversationId}`,
      }]);
    }
    return { ...call, state: nextState, audioKey: recording?.ok ? recording.key : call.audioKey };
  }

  private callChanges(call: Call, view: CallView) {
    const agent = view.participants.find((p) => p.role === 'AGENT');
    return {
      state: call.state,
      endTime: call.state === 'ENDED' ? (view.endTime ?? new Date()) : undefined,
      agentKey: agent ? agent.user || agent.platformAgentId : undefined,
      platformMasterCallId: view.masterCallId || undefined,
      audioKey: call.audioKey || undefined,
    };
  }

  /** transferInfo holds resource names, as the conversations surface renders it verbatim. */
  private async transferInfo(s: Stores, call: Call, view: CallView): Promise<Conversation['transferInfo'] | undefined> {
    const master = await s.calls.getCallByPlatformId(call.customerId, call.profileId, view.masterCallId);
    if (!master) return undefined;
    const previous = (await s.calls.previousLeg(call.customerId, call.profileId, view.masterCallId, call.conversationId)) ?? master;
    const [masterConversation, previousConversation] = await Promise.all([master, previous].map((c) =>
      s.conversations.getConversation({ customerId: c.customerId, id: c.conversationId })));
    if (!masterConversation || !previousConversation) return undefined;
    return {
      masterConversation: conversationName(masterConversation),
      previousConversation: conversationName(previousConversation),
      ...(view.transferTime ? { transferTime: view.transferTime.toISOString() } : {}),
    };
  }
}

function checkPlatformCallId(id: string, field: string): void {
  if (!id) throw invalidArgument(field, 'is required');
  if (id.length > LIMITS.shortString) throw invalidArgument(field, `at most ${LIMITS.shortString} characters`);
}

function checkEvent(input: SessionEventInput): SessionEventInput {
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
function contentKey(event: SessionEventInput): string {
  const { closeActiveCalls: _ignored, ...content } = event;
  return contentHash(content);
}

function maxDate(a: Date | null, b: Date): Date {
  return a && a > b ? a : b;
}

/** agent / agentInfo / visitor from the first AGENT and VISITOR participants, when not set yet. */
function identityChanges(conversation: Conversation, participants: readonly Participant[]): Partial<Conversation> {
  const changes: Partial<Conversation> = {};
  const agent = participants.find((p) => p.role === 'AGENT');
  if (agent && !conversation.agent && !conversation.agentInfo.user && !conversation.agentInfo.platformAgentId) {
    if (agent.user) changes.agent = agent.user;
    changes.agentInfo = {
      ...(agent.user ? { user: agent.user } : {}),
      ...(agent.platformAgentId ? { platformAgentId: agent.platformAgentId } : {}),
      ...(agent.displayName ? { displayName: agent.displayName } : {}),
    };
  }
  const visitor = participants.find((p) => p.role === 'VISITOR');
  if (visitor && !conversation.visitor.externalUserId && visitor.externalUserId) {
    changes.visitor = { ...conversation.visitor, externalUserId: visitor.externalUserId, ...(visitor.displayName ? { displayName: visitor.displayName } : {}) };
  }
  return changes;
}

/** The conversation's audio fields at CALL_END (UpdateConversationAudioPersistenceState semantics). */
function audioChanges(recording: PersistedRecording | undefined): Partial<Conversation> {
  if (!recording) return {};
  if (!recording.ok) return { audioPersistenceState: 'PERSIST_FAILED' };
  return {
    audioPersistenceState: 'PERSISTED',
    persistedAudioUri: recording.uri,
    persistedAudioDuration: recording.durationSeconds,
    audioAnalysis: recording.analysis,
  };
}

export type { CallChannel };
