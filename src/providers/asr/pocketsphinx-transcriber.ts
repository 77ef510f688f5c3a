import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ParleyError } from '../../kernel/errors.ts';
import { resample } from '../../audio/resample.ts';
import { encodeWav } from '../../audio/wav.ts';
import { ASR_SAMPLE_RATE_HERTZ, type TranscribeOptions, type Transcriber, type Utterance } from './transcriber.ts';

/**
 * The local recognizer: CMU PocketSphinx as Debian packages it (`apt-get install pocketsphinx
 * pocketsphinx-en-us`: the `pocketsphinx_continuous` CLI of 5prealpha and the US English model).
 * It runs offline at roughly 5x real time on one core and is far less accurate than whisper;
 * it exists so a self-hosted Parley transcribes calls with no remote service at all.
 */

export const POCKETSPHINX_BINARY = 'pocketsphinx_continuous';
export const POCKETSPHINX_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';

export interface PocketsphinxOptions {
  binary: string;
  modelDir: string;
}

function modelFiles(modelDir: string) {
  return { hmm: join(modelDir, 'en-us'), lm: join(modelDir, 'en-us.lm.bin'), dict: join(modelDir, 'cmudict-en-us.dict') };
}

function findInPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return null;
}

/** The installed recognizer, or a sentence saying what is missing. */
export function detectPocketsphinx(modelDir = POCKETSPHINX_MODEL_DIR): PocketsphinxOptions | string {
  const binary = findInPath(POCKETSPHINX_BINARY);
  if (!binary) return `${POCKETSPHINX_BINARY} is not installed (apt-get install pocketsphinx pocketsphinx-en-us)`;
  for (const path of Object.values(modelFiles(modelDir))) {
    try {
      accessSync(path, constants.R_OK);
    } catch {
      return `the PocketSphinx US English model is missing at ${path} (apt-get install pocketsphinx-en-us)`;
    }
  }
  return { binary, modelDir };
}

/** Fillers and markers the decoder emits besides words. */
const NOT_A_WORD = /^(<s>|<\/s>|<sil>|\[.*\]|\+\+.*\+\+|\(null\))$/i;
const WORD_LINE = /^(\S+) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (-?\d+(?:\.\d+)?(?:e-?\d+)?)$/;

/**
 * Parses `-time yes` output: per utterance, a line with the hypothesis, then one line per token
 * `word start end probability` (seconds from the start of the file) from `<s>` to `</s>`.
 * Alternate pronunciations are marked `word(2)`.
 */
export function parsePocketsphinxOutput(stdout: string): Utterance[] {
  const utterances: Utterance[] = [];
  let words: { word: string; start: number; end: number }[] = [];
  const flush = () => {
    if (words.length > 0) {
      utterances.push({ text: words.map((w) => w.word).join(' '), start: words[0].start, end: words[words.length - 1].end });
    }
    words = [];
  };
  for (const line of stdout.split('\n')) {
    const m = WORD_LINE.exec(line.trim());
    if (!m) continue; // the hypothesis line: the word lines carry the same words with times
    const [, token, start, end] = m;
    if (token === '</s>') {
      flush();
      continue;
    }
    if (NOT_A_WORD.test(token)) continue;
    words.push({ word: token.replace(/\(\d+\)$/, ''), start: Number(start), end: Number(end) });
  }
  flush();
  return utterances;
}

export class PocketsphinxTranscriber implements Transcriber {
  readonly name = 'pocketsphinx';

  constructor(private readonly options: PocketsphinxOptions) {}

  async transcribe(pcm: Int16Array, sampleRateHertz: number, options: TranscribeOptions = {}): Promise<Utterance[]> {
    const language = options.languageCode?.toLowerCase();
    if (language && !language.startsWith('en')) {
      throw new ParleyError('FAILED_PRECONDITION', `the local recognizer has only a US English model; the conversation's language is ${options.languageCode} (configure PARLEY_ASR_BASE_URL for other languages)`);
    }
    if (pcm.length === 0) return [];
    const dir = await mkdtemp(join(tmpdir(), 'parley-asr-'));
    try {
      const file = join(dir, 'audio.wav');
      await writeFile(file, encodeWav([resample(pcm, sampleRateHertz, ASR_SAMPLE_RATE_HERTZ)], ASR_SAMPLE_RATE_HERTZ));
      const { hmm, lm, dict } = modelFiles(this.options.modelDir);
      const stdout = await run(this.options.binary, ['-infile', file, '-hmm', hmm, '-lm', lm, '-dict', dict, '-time', 'yes', '-logfn', '/dev/null'], options.signal);
      return parsePocketsphinxOutput(stdout);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

function run(binary: string, args: string[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (cause) => reject(new ParleyError('INTERNAL', `${binary} failed to run: ${cause.message}`, {}, { cause })));
    child.on('close', (code, sig) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new ParleyError('INTERNAL', `${binary} exited with ${code ?? sig}: ${Buffer.concat(err).toString('utf8').slice(-500)}`));
    });
  });
}
