import type { Transcriber } from '../../providers/asr/transcriber.ts';
import type { BlobStore } from '../../providers/blobs/blob-store.ts';
import type { TranscriptionPayload } from '../../audio/transcription-payload.ts';
import { readWavChannel } from '../../audio/wav.ts';
import type { Driver } from '../../store/driver.ts';
import { stores, type Stores } from '../../store/index.ts';
import type { NewMessage } from '../../store/messages.ts';
import { actorOf } from '../tenancy/access.ts';
import type { AppendPath } from '../messages/append.ts';
import { ParleyError, failedPrecondition, notFound } from '../../kernel/errors.ts';
import { applyChange } from '../conversations/conversations.ts';
import { newId } from '../../kernel/ids.ts';
import { LIMITS } from '../../kernel/limits.ts';
import type { Caller, Conversation, Message, MetadataValues, Role } from '../../kernel/types.ts';

/**
 * Transcripts of finished calls. The rule [Parley]: a CLOSED conversation accepts no messages,
 * except its call's transcript, added once by the transcription job after CALL_END. Whether that
 * happened is recorded in the conversation's metadata, with a CONVERSATION_METADATA event, under
 * `builtin.transcription.status`:
 * - `completed`: the transcript was appended (possibly empty: nothing was said),
 * - `skipped`: the conversation already had messages when the call ended (the platform sent its
 *   own transcript), so Parley's would duplicate it,
 * - `unavailable`: no recognizer is configured, or none for the conversation's language; the
 *   recording is still stored,
 * - `failed`: transcription kept failing until the job gave up (`builtin.transcription.detail` says why).
 * `builtin.transcription.provider` names the recognizer. `completed` and `skipped` are final: a
 * retried job finds them and does nothing, so the transcript is never appended twice.
 */

export const TRANSCRIPTION_STATUS_KEY = 'builtin.transcription.status';
export const TRANSCRIPTION_PROVIDER_KEY = 'builtin.transcription.provider';
export const TRANSCRIPTION_DETAIL_KEY = 'builtin.transcription.detail';
export type TranscriptionStatus = 'completed' | 'skipped' | 'unavailable' | 'failed';
const FINAL_STATUSES: readonly string[] = ['completed', 'skipped'];

/** One utterance on one channel, times in seconds from the start of the recording. */
export interface TranscriptLine {
  channel: number;
  role: Role;
  text: string;
  start: number;
  end: number;
}

export interface TranscriptResult {
  status: TranscriptionStatus;
  messages: Message[];
}

export interface TranscriptServiceOptions {
  blobs: BlobStore;
  transcriber: Transcriber | null;
  /** The one append path; a transcript takes it inside its own transaction, into a CLOSED conversation. */
  appends: AppendPath;
}

export function transcriptionStatus(conversation: Pick<Conversation, 'metadata'>): string | null {
  return conversation.metadata[TRANSCRIPTION_STATUS_KEY]?.values[0] ?? null;
}

/** Sorted by start time; a tie keeps channel order, so the agent's line comes first. */
export function orderTranscript(lines: readonly TranscriptLine[]): TranscriptLine[] {
  return [...lines].sort((a, b) => a.start - b.start || a.channel - b.channel || a.end - b.end);
}

export class TranscriptService {
  constructor(private readonly db: Driver, private readonly options: TranscriptServiceOptions) {}

  get transcriber(): Transcriber | null {
    return this.options.transcriber;
  }

  /**
   * The transcription job's work: reads each channel of the call's WAV from the blob store (one
   * channel in memory at a time), recognizes it, and appends the transcript. Errors from the
   * recognizer propagate (the job retries them), except FAILED_PRECONDITION (no model for the
   * language), which is recorded as `unavailable`.
   */
  async transcribeRecording(caller: Caller, payload: TranscriptionPayload, signal?: AbortSignal): Promise<TranscriptResult> {
    const conversation = await stores(this.db).conversations.getConversation({ customerId: caller.customerId, id: payload.conversationId });
    if (!conversation) throw notFound('conversation');
    const settled = transcriptionStatus(conversation);
    if (settled && FINAL_STATUSES.includes(settled)) return { status: settled as TranscriptionStatus, messages: [] };
    const transcriber = this.options.transcriber;
    if (!transcriber) {
      return this.recordStatus(caller, payload.conversationId, 'unavailable', 'no speech recognizer is configured: set PARLEY_ASR_BASE_URL, or apt-get install pocketsphinx pocketsphinx-en-us');
    }
    const lines: TranscriptLine[] = [];
    try {
      for (const { index, role } of payload.channels) {
        const blob = await this.options.blobs.get(payload.audioKey).catch((err: unknown) => {
          if (err instanceof ParleyError && err.code === 'NOT_FOUND') return null;
          throw err;
        });
        if (!blob) return this.recordStatus(caller, payload.conversationId, 'failed', `the call recording ${payload.audioKey} is missing from the blob store`);
        const channel = await readWavChannel(blob.body, index);
        const utterances = await transcriber.transcribe(channel.pcm, channel.sampleRateHertz, { languageCode: conversation.languageCode || undefined, signal });
        for (const u of utterances) lines.push({ channel: index, role, text: u.text, start: u.start, end: u.end });
      }
    } catch (err) {
      if (err instanceof ParleyError && err.code === 'FAILED_PRECONDITION') {
        return this.recordStatus(caller, payload.conversationId, 'unavailable', err.message, transcriber.name);
      }
      throw err;
    }
    return this.appendTranscript(caller, payload.conversationId, transcriber.name, lines);
  }

  /** Appends the transcript of a finished call, once (see the rule above). */
  async appendTranscript(caller: Caller, conversationId: string, provider: string, lines: readonly TranscriptLine[]): Promise<TranscriptResult> {
    return this.db.transaction(async (tx) => {
      const s = stores(tx);
      const conversation = await this.lockVoiceConversation(s, caller, conversationId);
      if (conversation.state !== 'CLOSED') throw failedPrecondition('a transcript is added once the call has ended');
      const settled = transcriptionStatus(conversation);
      if (settled && FINAL_STATUSES.includes(settled)) return { status: settled as TranscriptionStatus, messages: [] };
      if (conversation.messageCount > 0) {
        await this.writeStatus(s, caller, conversation, 'skipped', provider, 'the conversation already had messages when the call ended');
        return { status: 'skipped' as const, messages: [] };
      }
      const messages: NewMessage[] = orderTranscript(lines).map((line) => ({
        id: newId(),
        text: line.text.slice(0, LIMITS.messageText),
        speaker: line.role,
        state: 'FINAL',
        createTime: new Date(conversation.startTime.getTime() + Math.round(line.start * 1000)),
        audioStartOffset: round3(line.start),
        audioEndOffset: round3(Math.max(line.start, line.end)),
        transcriptionInfo: { provider, channel: line.channel },
        language: conversation.languageCode,
      }));
      const appended = await this.options.appends.inTransaction(tx, {
        ref: { customerId: conversation.customerId, id: conversation.id, profileId: null }, actor: actorOf(caller), messages, into: 'closed',
      });
      if (appended.length !== messages.length) throw new ParleyError('ABORTED', 'the conversation changed while its transcript was appended; retry');
      await this.writeStatus(s, caller, conversation, 'completed', provider);
      return { status: 'completed' as const, messages: appended };
    });
  }

  /** Records `unavailable` or `failed`; never overwrites a final status. */
  async recordStatus(caller: Caller, conversationId: string, status: 'unavailable' | 'failed', detail: string, provider = ''): Promise<TranscriptResult> {
    return this.db.transaction(async (tx) => {
      const s = stores(tx);
      const conversation = await this.lockVoiceConversation(s, caller, conversationId);
      const settled = transcriptionStatus(conversation);
      if (settled && FINAL_STATUSES.includes(settled)) return { status: settled as TranscriptionStatus, messages: [] };
      await this.writeStatus(s, caller, conversation, status, provider, detail);
      return { status, messages: [] };
    });
  }

  private async lockVoiceConversation(s: Stores, caller: Caller, conversationId: string): Promise<Conversation> {
    const conversation = await s.conversations.getConversation({ customerId: caller.customerId, id: conversationId }, { forUpdate: true });
    if (!conversation) throw notFound('conversation');
    if (conversation.channel !== 'VOICE') throw failedPrecondition('only a voice conversation has a call transcript');
    return conversation;
  }

  private async writeStatus(s: Stores, caller: Caller, conversation: Conversation, status: TranscriptionStatus, provider: string, detail = ''): Promise<void> {
    const values: MetadataValues = {
      [TRANSCRIPTION_STATUS_KEY]: { values: [status] },
      [TRANSCRIPTION_PROVIDER_KEY]: { values: provider ? [provider] : [] },
      [TRANSCRIPTION_DETAIL_KEY]: { values: detail ? [detail.slice(0, LIMITS.shortString)] : [] },
    };
    await applyChange(s, caller, conversation, { metadata: { ...conversation.metadata, ...values } }, [
      { type: 'CONVERSATION_METADATA', payload: { metadataValues: values, source: 'transcription' } },
    ]);
  }
}

function round3(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
