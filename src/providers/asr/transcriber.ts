/**
 * Speech recognition behind one interface, so the transcription job does not care whether a
 * remote service (OpenAI-compatible) or the local recognizer (pocketsphinx) does the work.
 */

export interface Utterance {
  text: string;
  /** Seconds from the start of the audio handed to `transcribe`. */
  start: number;
  end: number;
}

export interface TranscribeOptions {
  /** BCP-47 (`en-US`); providers that take ISO 639-1 get the primary subtag. */
  languageCode?: string;
  signal?: AbortSignal;
}

export interface Transcriber {
  /** `openai:<model>` or `pocketsphinx`; recorded on the transcript messages. */
  readonly name: string;
  /** Utterances in time order; none for silence. */
  transcribe(pcm: Int16Array, sampleRateHertz: number, options?: TranscribeOptions): Promise<Utterance[]>;
}

/** The rate both recognizers work at (whisper resamples to it internally; the en-us acoustic model is 16 kHz). */
export const ASR_SAMPLE_RATE_HERTZ = 16000;
