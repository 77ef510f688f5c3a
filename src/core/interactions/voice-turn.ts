import type { JsonObject } from '../../kernel/types.ts';
import type { DecodedRecording } from '../../audio/voice-recording.ts';
import type { BlobStore } from '../../providers/blobs/blob-store.ts';
import type { Synthesizer } from '../../providers/tts/synthesizer.ts';
import { voiceMessageKey } from './message-source.ts';
import type { PieceEvent, TurnEvent } from './turn-events.ts';
import { ReplySpeaker, type SpokenPiece } from './voice.ts';

/*
 * A turn in voice, around runTurn: the user's recording kept for as long as the turn is, the
 * reply's text pieces replaced by spoken ones. runTurn itself stays text: the stored messages are
 * the words (the reply as written, the recording as heard), marked `format: voice`.
 */

/** The format a reply is streamed in. */
export type ReplyFormat = 'text' | 'voice';

/**
 * Puts a voice message's recording in the blob store under the message's id, and returns what
 * the message's metadata records of it (message-source.ts reads it back).
 */
export async function keepRecording(
  blobs: BlobStore, at: { customerId: string; conversationId: string; messageId: string }, recording: DecodedRecording, heardBy: string,
): Promise<{ key: string; metadata: JsonObject }> {
  const key = voiceMessageKey(at.customerId, at.conversationId, at.messageId, recording.contentType);
  await blobs.put(key, recording.file, recording.contentType);
  return {
    key,
    metadata: { format: 'voice', source: { key, contentType: recording.contentType }, transcriber: heardBy, durationSeconds: Math.round(recording.seconds * 1000) / 1000 },
  };
}

/**
 * The turn's events, deleting the kept recording when the turn ends without being stored (its
 * complete event never came: a failure, or the client went away), so nothing of it is left.
 */
export async function* discardUnlessStored(events: AsyncGenerator<TurnEvent>, discard: () => Promise<void>): AsyncGenerator<TurnEvent> {
  let stored = false;
  try {
    for await (const event of events) {
      if (event.kind === 'complete') stored = true;
      yield event;
    }
  } finally {
    if (!stored) await discard().catch(() => undefined);
  }
}

/**
 * The turn's events with its reply spoken: each text piece goes to the speaker, and what it says
 * comes out as pieces of audio (numbered anew, the last marked) while the other events pass as
 * they are. The turn is pulled no further while a sentence is spoken, so a synthesizer failure
 * stops it before its reply is stored.
 */
export async function* speakTurn(events: AsyncGenerator<TurnEvent>, synthesizer: Synthesizer, signal: AbortSignal): AsyncGenerator<TurnEvent> {
  const speaker = new ReplySpeaker(synthesizer, signal);
  let held: PieceEvent | undefined;
  let sequence = 0;
  for await (const event of events) {
    if (event.kind !== 'piece') {
      yield event;
      continue;
    }
    for await (const spoken of event.last ? spokenToEnd(speaker, event.text) : speaker.add(event.text)) {
      if (held) yield held;
      held = spokenPiece(event.messageId, spoken, sequence++);
    }
    if (event.last && held) {
      yield { ...held, last: true };
      held = undefined;
    }
  }
}

async function* spokenToEnd(speaker: ReplySpeaker, text: string): AsyncGenerator<SpokenPiece> {
  yield* speaker.add(text);
  yield* speaker.finish();
}

/** A spoken piece as a turn event; its text is the sentence it starts ('' for the sentence's later pieces). */
function spokenPiece(messageId: string, spoken: SpokenPiece, sequence: number): PieceEvent {
  const text = spoken.alignment ? spoken.alignment.map(([, c]) => c).join('') : '';
  return { kind: 'piece', messageId, text, sequence, last: false, speech: spoken };
}
