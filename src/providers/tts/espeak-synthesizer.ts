import { spawn, spawnSync } from 'node:child_process';
import { pcm16FromLittleEndian } from '../../audio/codecs.ts';
import { locateData } from '../../audio/wav.ts';
import { SpeechError } from './speech-error.ts';
import type { Synthesizer } from './synthesizer.ts';

/**
 * The local synthesizer: eSpeak NG as Debian packages it (`apt-get install espeak-ng`). Robotic
 * but offline and fast (a sentence in about 20 ms on one core), so a self-hosted Parley's agents
 * can answer in voice with no remote service at all.
 */

export const ESPEAK_BINARY = 'espeak-ng';
export const ESPEAK_DEFAULT_VOICE = 'en-us';

export interface EspeakOptions {
  binary: string;
  /** An espeak-ng voice (`en-us`, `en-gb`, `de`, `en-us+klatt2`). */
  voice: string;
  /** What the voice speaks at (espeak-ng's `-s`; its default is 175). */
  wordsPerMinute?: number;
  /** Extra pause between words in 10 ms units (espeak-ng's `-g`). */
  wordGap?: number;
  /** The voice's output rate, read from its WAV header by detectEspeak (22050 Hz for espeak-ng's own voices). */
  sampleRateHertz: number;
}

/**
 * The installed synthesizer with `voice`, or a sentence saying what is missing. It speaks one
 * letter once (about 50 ms), which also tells the rate the voice produces.
 */
export function detectEspeak(voice = ESPEAK_DEFAULT_VOICE): Omit<EspeakOptions, 'wordsPerMinute' | 'wordGap'> | string {
  const run = spawnSync(ESPEAK_BINARY, ['--stdout', '-v', voice, 'a'], { maxBuffer: 1 << 20, timeout: 10_000 });
  if (run.error) {
    return (run.error as NodeJS.ErrnoException).code === 'ENOENT'
      ? `${ESPEAK_BINARY} is not installed (apt-get install espeak-ng)`
      : `${ESPEAK_BINARY} failed to run: ${run.error.message}`;
  }
  if (run.status !== 0) return `${ESPEAK_BINARY} cannot speak with voice "${voice}": ${run.stderr.toString('utf8').trim().slice(0, 200)}`;
  try {
    const layout = locateData(run.stdout, 'espeak-ng output');
    if (!layout || layout.channels !== 1) return `${ESPEAK_BINARY} with voice "${voice}" does not write mono PCM16 WAV`;
    return { binary: ESPEAK_BINARY, voice, sampleRateHertz: layout.rate };
  } catch (err) {
    return `${ESPEAK_BINARY} wrote no WAV: ${(err as Error).message}`;
  }
}

export class EspeakSynthesizer implements Synthesizer {
  readonly name = 'espeak-ng';
  readonly sampleRateHertz: number;

  constructor(private readonly options: EspeakOptions) {
    this.sampleRateHertz = options.sampleRateHertz;
  }

  /**
   * Runs `espeak-ng --stdin --stdout` (the text on stdin, so a text starting with `-` is never an
   * option) and yields its WAV's samples as they are written; the child is killed when the caller
   * stops early or `signal` aborts.
   */
  async *synthesize(text: string, signal: AbortSignal): AsyncIterable<Int16Array> {
    signal.throwIfAborted();
    const args = ['--stdin', '--stdout', '-v', this.options.voice];
    if (this.options.wordsPerMinute) args.push('-s', String(this.options.wordsPerMinute));
    if (this.options.wordGap) args.push('-g', String(this.options.wordGap));
    const child = spawn(this.options.binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const stderr: Buffer[] = [];
    child.stderr.on('data', (b: Buffer) => stderr.push(b));
    let spawnError: Error | null = null;
    const exited = new Promise<number | null>((resolve) => {
      child.on('error', (err) => {
        spawnError = err;
        resolve(null);
      });
      child.on('close', (code) => resolve(code));
    });
    const kill = () => child.kill('SIGKILL');
    signal.addEventListener('abort', kill, { once: true });
    // A child that died at once (no binary) closes stdin under us: that is reported below, not here.
    child.stdin.on('error', () => undefined);
    child.stdin.end(text);
    try {
      let head: Buffer = Buffer.alloc(0);
      let started = false;
      let odd: Buffer = Buffer.alloc(0);
      for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
        signal.throwIfAborted();
        let bytes = chunk;
        if (!started) {
          head = Buffer.concat([head, chunk]);
          const layout = locateWavHead(head);
          if (!layout) continue;
          if (layout.channels !== 1 || layout.rate !== this.sampleRateHertz) {
            throw new SpeechError('malformed', `${this.options.binary} wrote ${layout.channels === 0 ? 'non-PCM16' : `${layout.channels}-channel`} audio at ${layout.rate} Hz, expected mono PCM16 at ${this.sampleRateHertz} Hz`);
          }
          started = true;
          bytes = head.subarray(layout.dataStart);
        }
        if (odd.length) bytes = Buffer.concat([odd, bytes]);
        const whole = bytes.length - (bytes.length % 2);
        odd = Buffer.from(bytes.subarray(whole));
        if (whole > 0) yield pcm16FromLittleEndian(bytes.subarray(0, whole));
      }
      signal.throwIfAborted();
      const code = await exited;
      if (spawnError) {
        const missing = (spawnError as NodeJS.ErrnoException).code === 'ENOENT';
        throw new SpeechError('missing', missing ? `${this.options.binary} is not installed (apt-get install espeak-ng)` : `${this.options.binary} failed to run: ${(spawnError as Error).message}`, { cause: spawnError });
      }
      if (code !== 0) throw new SpeechError('malformed', `${this.options.binary} exited with ${code}: ${Buffer.concat(stderr).toString('utf8').trim().slice(-300)}`);
      if (!started) throw new SpeechError('malformed', `${this.options.binary} wrote no audio`);
    } finally {
      signal.removeEventListener('abort', kill);
      if (child.exitCode === null && child.signalCode === null) kill();
    }
  }
}

/** The data chunk's place in a WAV prefix; a prefix that is no WAV at all is a malformed answer. */
function locateWavHead(head: Buffer) {
  try {
    return locateData(head, 'espeak-ng output');
  } catch (err) {
    throw new SpeechError('malformed', `espeak-ng wrote no WAV: ${(err as Error).message}`, { cause: err });
  }
}
