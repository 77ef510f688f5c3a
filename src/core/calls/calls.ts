import type { BlobBody, BlobStore } from '../../providers/blobs/blob-store.ts';
import type { ConversationRef } from '../../store/conversation-ref.ts';
import type { Call, CallChannel, CallState } from '../../store/calls.ts';
import type { Driver } from '../../store/driver.ts';
import { stores, type Stores } from '../../store/index.ts';
import { requireProfile } from '../tenancy/access.ts';
import { CallAudio, type AudioConfig, type AudioStream } from './call-audio.ts';
import { foldCallEvents, type CallView } from './call-fold.ts';
import { followCall } from './call-conversation.ts';
import { checkEvent, checkPlatformCallId, contentKey, type AudioStreamingMode, type EventOptions, type SessionEventInput } from './session-event.ts';
import { enqueueTranscription } from './transcription-queue.ts';
import { checkInput } from '../conversations/conversation-input.ts';
import { startIn } from '../conversations/lifecycle.ts';
import { notFound, ParleyError } from '../../kernel/errors.ts';
import type { Caller, Conversation } from '../../kernel/types.ts';

export { AUDIO_STREAMING_MODES, type AudioStreamingMode, type EventOptions, type SessionEventInput } from './session-event.ts';
export { TRANSCRIPTION_QUEUE } from './transcription-queue.ts';

export interface ProfileRef {
  customerId: string;
  profileId: string;
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

/** A call's saved recording: its size, and its bytes (all, or `start`–`end` inclusive). */
export interface CallRecording {
  size(): Promise<number>;
  read(range?: { start: number; end: number }): Promise<BlobBody>;
}

export interface CallServiceOptions {
  /** Where recordings are kept (createCore's caller chooses; see core/index.ts). */
  blobs: BlobStore;
  /** Root of the per-call audio spools. */
  spoolDir: string;
}

/**
 * Voice call sessions (the `voice` surface, API-FACTS §2). A call is one conversation (channel
 * VOICE, source VOICE_CALL_SESSION, platformInfo.platformConversationId = platformCallId); every
 * change to it is one transaction that also appends the conversation's events. Audio frames stay
 * out of the database: see call-audio.ts.
 */
export class CallService {
  readonly audio: CallAudio;

  constructor(private readonly db: Driver, options: CallServiceOptions) {
    this.audio = new CallAudio(db, options);
  }

  /** The recording of a call's conversation, for an authenticated download; NOT_FOUND until it is saved. */
  async recording(ref: ConversationRef): Promise<CallRecording> {
    const conversation = await stores(this.db).conversations.getConversation(ref);
    if (!conversation) throw notFound('conversation');
    const call = await stores(this.db).calls.getCall(conversation.customerId, conversation.id);
    if (!call?.audioKey || conversation.audioPersistenceState !== 'PERSISTED') throw notFound('recording of this conversation');
    const { audioKey } = call;
    const blobs = this.audio.blobs;
    return {
      async size() {
        const stat = await blobs.stat(audioKey);
        if (!stat) throw notFound('recording of this conversation');
        return stat.size;
      },
      read: (range) => (range ? blobs.get(audioKey, range) : blobs.get(audioKey)),
    };
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
      const nextState = await followCall(s, caller, found.call, found.conversation, view, event, recording);
      const justEnded = nextState === 'ENDED' && found.call.state !== 'ENDED';
      if (justEnded && recording?.ok) await enqueueTranscription(s, found.call.customerId, found.call.conversationId, recording);
      const updated: Call = { ...found.call, state: nextState, audioKey: recording?.ok ? recording.key : found.call.audioKey };
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

}

function maxDate(a: Date | null, b: Date): Date {
  return a && a > b ? a : b;
}

export type { CallChannel };
