import { spawn, type ChildProcess } from 'node:child_process';

/** What one step printed, and the HTTP status of each curl it ran, in order. */
export interface StepOutput {
  stdout: string;
  stderr: string;
  statuses: number[];
}

const DONE = '@@readme-step-done';
const STATUS = /^@@readme-curl (\d{3})$/gm;

/**
 * One bash process for a README section: its steps run one after another in it, so variables
 * (and arrays such as "${H[@]}") carry from one block to the next, as in a reader's terminal.
 * `set -euo pipefail`: a failing command or an unset variable ends the session, and the step fails.
 * `curl` is wrapped only to report each answer's HTTP status on stderr (`-w '%{stderr}…'`): the
 * examples' own output is untouched.
 */
export class ShellSession {
  private readonly child: ChildProcess;
  private stdout = '';
  private stderr = '';
  private exit: { code: number | null; signal: string | null } | undefined;
  private wake: (() => void) | undefined;

  constructor(cwd: string, env: NodeJS.ProcessEnv) {
    this.child = spawn('bash', ['--noprofile', '--norc'], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => this.grew(() => (this.stdout += chunk)));
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => this.grew(() => (this.stderr += chunk)));
    this.child.on('close', (code, signal) => this.grew(() => (this.exit = { code, signal })));
    this.child.stdin!.on('error', () => {});
    this.child.stdin!.write(`set -euo pipefail\ncurl() { command curl -w '%{stderr}\\n@@readme-curl %{http_code}\\n' "$@"; }\n`);
  }

  private exited(): { code: number | null; signal: string | null } | undefined {
    return this.exit;
  }

  private grew(change: () => void): void {
    change();
    this.wake?.();
  }

  /** Runs one step (its stdin is /dev/null); rejects when the shell exits or the step outlasts timeoutMs. */
  async run(script: string, timeoutMs: number): Promise<StepOutput> {
    if (this.exit) throw new Error(`the shell has already exited (${this.exit.code ?? this.exit.signal})`);
    this.stdout = '';
    this.stderr = '';
    this.child.stdin!.write(`{\n${script}\n} </dev/null\nprintf '\\n${DONE}\\n'; printf '\\n${DONE}\\n' >&2\n`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.stdout.includes(`${DONE}\n`) && this.stderr.includes(`${DONE}\n`)) break;
      // Read through a call: the narrowing above does not see the 'close' handler set it meanwhile.
      const exit = this.exited();
      if (exit) throw new Error(`the step failed: the shell exited with ${exit.code ?? exit.signal}\nstdout: ${this.stdout}\nstderr: ${this.stderr}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`the step did not finish within ${timeoutMs} ms\nstdout: ${this.stdout}\nstderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    const stdout = this.stdout.slice(0, this.stdout.lastIndexOf(`\n${DONE}\n`));
    const stderr = this.stderr.slice(0, this.stderr.lastIndexOf(`\n${DONE}\n`));
    return { stdout, stderr, statuses: [...stderr.matchAll(STATUS)].map((m) => Number(m[1])) };
  }

  close(): void {
    if (!this.exit) {
      this.child.stdin!.end();
      this.child.kill('SIGKILL');
    }
  }
}
