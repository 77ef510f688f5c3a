import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CONFIG_OPTIONS } from '../../src/config.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Lines of a process's output kept to explain a failed start. */
const KEPT_LINES = 40;

export interface ParleyProcess {
  /** `http://127.0.0.1:<port>`, the address the process reported listening on. */
  url: string;
  child: ChildProcess;
  /** Kills the process (SIGKILL: nothing it holds must outlive the test) and waits for its exit. */
  kill(): Promise<void>;
}

/** The test runner's environment without Parley's settings: a process gets only the test's. */
function environmentWithoutSettings(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const option of CONFIG_OPTIONS) delete env[option.env];
  return env;
}

/**
 * Starts `parley serve` with the given environment on a port the system picks, and resolves when
 * it reports the address it listens on; a process that exits first rejects, with the end of its
 * output. bin/parley.js runs dist/ when it is as new as src/ (in CI, after `npm ci`'s build: three
 * processes start several seconds sooner), the sources through tsx otherwise: always the code as it
 * is now, no build needed.
 */
export function startParley(env: Record<string, string>): Promise<ParleyProcess> {
  const child = spawn(process.execPath, ['bin/parley.js', 'serve'], {
    cwd: ROOT,
    env: { ...environmentWithoutSettings(), HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  const output: string[] = [];
  const keep = (line: string) => {
    output.push(line);
    if (output.length > KEPT_LINES) output.shift();
  };
  createInterface({ input: child.stderr! }).on('line', keep);
  return new Promise((resolve, reject) => {
    // Fastify logs this line once the socket is bound: the process is ready for requests.
    createInterface({ input: child.stdout! }).on('line', (line) => {
      keep(line);
      const listening = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (listening) resolve({ url: listening[1], child, kill });
    });
    child.once('exit', (code, signal) => reject(new Error(`parley serve exited (${code ?? signal}) before listening:\n${output.join('\n')}`)));
  });
}
