/**
 * Speech synthesis behind one interface, so the agent's voice replies do not care whether a remote
 * service (OpenAI-compatible) or the local synthesizer (espeak-ng) speaks them.
 */
export interface Synthesizer {
  /** `openai:<model>` or `espeak-ng`; recorded on the agent's voice messages. */
  readonly name: string;
  /** The rate of every chunk `synthesize` yields. */
  readonly sampleRateHertz: number;
  /**
   * The text spoken as PCM16 mono chunks, yielded as the provider produces them (not after the
   * whole text). Stopping the iteration or aborting `signal` stops the provider's work.
   */
  synthesize(text: string, signal: AbortSignal): AsyncIterable<Int16Array>;
}
