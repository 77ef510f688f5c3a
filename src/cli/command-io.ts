import { createWriteStream, openSync } from 'node:fs';
import { once } from 'node:events';
import { ParleyError } from '../kernel/errors.ts';
import { DatabaseLockedError } from '../store/open.ts';
import { UsageError } from './command-line.ts';

/**
 * What a command writes to: the terminal and, for `sample`, its --out file. The CLI process owns
 * all three, whether the command runs in it or in a running server (over the admin socket).
 */
export interface CommandIo {
  /** One line of the command's result on stdout. */
  print(line: string): void;
  /** Progress on stderr: a bar on a terminal, one line a step otherwise. */
  progress: { isTTY: boolean; write(text: string): void };
  /** The --out file, opened before any work. */
  out?: TextSink;
}

export interface TextSink {
  /** Resolves once the text is accepted (waits when the far side is slower). */
  write(text: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens (creates or truncates) an --out file up front: a path in a missing or read-only
 * directory fails in milliseconds, not after the database has opened.
 */
export function openOutFile(path: string): TextSink {
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (err) {
    throw new UsageError(`--out ${path}: cannot write (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const stream = createWriteStream('', { fd });
  return {
    async write(text) {
      if (!stream.write(text)) await once(stream, 'drain');
    },
    async close() {
      if (stream.closed) return;
      stream.end();
      await once(stream, 'close');
    },
  };
}

/** The process's own terminal. */
export function terminalIo(out?: TextSink): CommandIo {
  return {
    print: (line) => void process.stdout.write(`${line}\n`),
    progress: { isTTY: process.stderr.isTTY === true, write: (text) => void process.stderr.write(text) },
    out,
  };
}

/** How a failed command ends: a known failure is one line and status 2; anything else is a bug, shown with its stack. */
export function failureOf(err: unknown): { message: string; status: number } {
  if (err instanceof ParleyError || err instanceof UsageError || err instanceof DatabaseLockedError) return { message: `parley: ${err.message}\n`, status: 2 };
  return { message: `${(err as Error).stack ?? err}\n`, status: 1 };
}
