import type { TranscriptionPayload } from '../../audio/transcription-payload.ts';
import type { Stores } from '../../store/index.ts';
import { conversationOrderingKey } from '../../store/jobs.ts';
import type { JsonObject } from '../../kernel/types.ts';
import type { PersistedRecording } from './call-audio.ts';

/** The queue the audio engineer's job drains; its payload is TranscriptionPayload. */
export const TRANSCRIPTION_QUEUE = 'transcription';

/** Queues the transcription of a call's saved recording, in the transaction that ends the call. */
export async function enqueueTranscription(
  s: Stores,
  customerId: string,
  conversationId: string,
  recording: Extract<PersistedRecording, { ok: true }>,
): Promise<void> {
  const payload: TranscriptionPayload = {
    conversationId,
    audioKey: recording.key,
    sampleRateHertz: recording.sampleRateHertz,
    channels: recording.channels,
  };
  await s.jobs.enqueueJobs([{
    queue: TRANSCRIPTION_QUEUE,
    customerId,
    payload: payload as unknown as JsonObject,
    orderingKey: conversationOrderingKey(conversationId),
    uniqueKey: `transcription:${conversationId}`,
  }]);
}
