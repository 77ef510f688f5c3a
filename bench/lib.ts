/**
 * What every benchmark script shares: environment numbers, the admin database connection, server
 * child processes with their peak RSS, percentiles. Loopback only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** An integer setting from the environment (≥ 1, or ≥ 0 with zeroOk). */
export function positiveInt(name: string, fallback: number, zeroOk = false): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < (zeroOk ? 0 : 1)) throw new Error(`${name} must be an integer ≥ ${zeroOk ? 0 : 1}, got "${raw}"`);
  return value;
}

/** The URL of another database on the admin server. */
export function urlFor(database: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/** One statement on its own connection (CREATE/DROP DATABASE cannot share a pool's transaction). */
export async function admin<T = Record<string, unknown>>(sql: string, params: unknown[] = [], url = ADMIN_URL): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export const children = new Set<ChildProcess>();

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Server {
  name: string;
  child: ChildProcess;
  pid: number;
  url: string;
}

/**
 * The node flags a script's `#!/usr/bin/env -S node …` line gives it: a benchmark runs `node <script>`
 * as `npx parley` would run it, with those flags.
 */
export function shebangNodeFlags(script: string): string[] {
  const [first] = readFileSync(`${ROOT}${script}`, 'utf8').split('\n', 1);
  const match = /^#!\/usr\/bin\/env -S node (.+)$/.exec(first);
  return match ? match[1].split(' ').filter(Boolean) : [];
}

/** Starts `node <args>` with HOST/PORT set and waits until it answers /healthz; a bin/ script gets its shebang's flags. */
export async function startServer(name: string, args: string[], env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const script = args.find((arg) => arg.startsWith('bin/'));
  const child = spawn(process.execPath, [...(script ? shebangNodeFlags(script) : []), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  child.on('exit', () => children.delete(child));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} before listening:\n${stderr}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} did not answer /healthz within 30 s:\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`[${name}] ${chunk}`));
  return { name, child, pid: child.pid!, url };
}

/** SIGTERM, then SIGKILL after 10 s. */
export async function stopServer(server: Pick<Server, 'child'>): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export function killChildrenNow(): void {
  for (const child of children) child.kill('SIGKILL');
}

/** Peak resident set (VmHWM) of a live process, MB. */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(match[1]) / 1024;
}

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (user + system, ms) a live process has used so far; 0 for one that is gone. */
export function cpuMsOf(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0;
  }
  // After the command name in parentheses: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

export interface CpuUse {
  serverMs: number;
  databaseMs: number;
}

/**
 * CPU used from now until `stop()` by a server process and by the PostgreSQL backends connected to
 * `database` (the server's pool). On a shared machine the throughput moves with everyone else's
 * load; the CPU a request costs moves less (contention still inflates it), so a before/after pair run back to back compares two versions of the code by it.
 */
export async function cpuWindow(serverPid: number, database: string): Promise<{ stop: () => Promise<CpuUse> }> {
  const take = async () => {
    const backends = await admin<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
    return { server: cpuMsOf(serverPid), database: new Map(backends.map(({ pid }) => [pid, cpuMsOf(pid)])) };
  };
  const first = await take();
  return {
    stop: async () => {
      const last = await take();
      let databaseMs = 0;
      // A backend that connected during the window counts from 0; one that left it is not seen (pools keep theirs).
      for (const [pid, ms] of last.database) databaseMs += ms - (first.database.get(pid) ?? 0);
      return { serverMs: last.server - first.server, databaseMs };
    },
  };
}

/** The p-th percentile (0–100) of ascending numbers, nearest rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * A fresh database for one bench run, named `<prefix>_<random>`: `cleanup` kills the servers the
 * run started and drops it, and Ctrl-C does the same.
 */
export async function benchDatabase(prefix: string, log: (line: string) => void): Promise<{ database: string; cleanup: () => Promise<void> }> {
  const database = `${prefix}_${randomBytes(5).toString('hex')}`;
  log(`creating database ${database}`);
  await admin(`CREATE DATABASE ${database}`);
  const interrupted = () => void cleanup().finally(() => process.exit(130));
  const cleanup = async () => {
    // A bench making many databases in turn leaves no handler behind for each.
    process.off('SIGINT', interrupted);
    for (const child of children) child.kill('SIGKILL');
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch((err: Error) => log(`could not drop ${database}: ${err.message}`));
  };
  process.once('SIGINT', interrupted);
  return { database, cleanup };
}

/**
 * Puts a bench's section (which starts with `begin` and ends with `end`) into bench/RESULTS.md in
 * place of its previous one, or at the end the first time, and prints it.
 */
export function writeResultsSection(section: string, begin: string, end: string): void {
  const file = `${ROOT}bench/RESULTS.md`;
  const previous = readFileSync(file, 'utf8');
  const start = previous.indexOf(begin);
  const stop = previous.indexOf(end);
  const next = start >= 0 && stop > start ? `${previous.slice(0, start)}${section}${previous.slice(stop + end.length)}` : `${previous.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
  process.stdout.write(`${section}\n`);
}
