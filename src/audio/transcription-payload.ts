import type { Role } from '../kernel/types.ts';

/**
 * The `transcription` job's payload, enqueued by the voice core at CALL_END in the same
 * transaction (orderingKey `conversation:<conversationId>`, so transcription runs before analysis).
 * `audioKey` is the blob-store key of the call's multi-channel WAV; `channels[i].index` is the WAV
 * channel and `role` becomes the messages' speaker.
 */
export interface TranscriptionPayload {
  conversationId: string;
  audioKey: string;
  sampleRateHertz: number;
  channels: { index: number; role: Role }[];
}
