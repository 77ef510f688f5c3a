/**
 * How long Parley takes from `npm start` to a 200 on /readyz, and its peak RSS on the way: on a new
 * data directory (a fresh clone after `npm install`), on an existing one (a restart), with
 * `serve --memory`; and how long a CLI command takes while the server holds the data directory.
 * Each case runs ROUNDS times (BENCH_STARTUP_ROUNDS, default 5); the table shows the median and
 * the worst. Replaces its own section of bench/RESULTS.md.
 * Run: npm run build && node --import tsx bench/startup.ts
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { children, freePort, killChildrenNow, peakRssMb, positiveInt, ROOT, stopServer, writeResultsSection } from './lib.ts';

const ROUNDS = positiveInt('BENCH_STARTUP_ROUNDS', 5);
const BEGIN = '<!-- bench/startup.ts: begin -->';
const END = '<!-- bench/startup.ts: end -->';
const run = promisify(execFile);

interface Start {
  readyMs: number;
  peakMb: number;
}

/** `npm start` (or the node command given) until /readyz answers 200; the server is left running. */
async function startUntilReady(args: string[], env: Record<string, string>): Promise<Start & { stop(): Promise<void> }> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(args[0], args.slice(1), {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
    // npm runs node in a shell: the whole group is stopped at the end.
    detached: true,
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((res) => res.ok, () => false);
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const readyMs = performance.now() - started;
  // The server is the node process listening on the port: npm's own process is not Parley's memory.
  const { stdout } = await run('ss', ['-Hltnp', `sport = :${port}`]);
  const pid = Number(/pid=(\d+)/.exec(stdout)?.[1]);
  return {
    readyMs,
    peakMb: peakRssMb(pid),
    stop: async () => {
      process.kill(pid, 'SIGTERM');
      await new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
      await stopServer({ child });
    },
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const worst = (xs: number[]) => Math.max(...xs);

async function main(): Promise<void> {
  const cases: { name: string; target: string; readyMs: number[]; peakMb: number[] }[] = [
    { name: '`npm start`, new data directory (first start)', target: '≤ 3000 ms, ≤ 300 MB', readyMs: [], peakMb: [] },
    { name: '`npm start`, existing data directory (restart)', target: '≤ 2000 ms', readyMs: [], peakMb: [] },
    { name: '`parley serve --memory`', target: '≤ 2000 ms', readyMs: [], peakMb: [] },
  ];
  const cli: number[] = [];
  const cliPeak: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const dataDir = mkdtempSync(join(os.tmpdir(), 'parley-startup-'));
    try {
      for (const [i, args] of [['npm', 'start', '--silent'], ['npm', 'start', '--silent']].entries()) {
        const server = await startUntilReady(args, { PARLEY_DATA_DIR: dataDir });
        cases[i].readyMs.push(server.readyMs);
        cases[i].peakMb.push(server.peakMb);
        if (i === 1) {
          const started = performance.now();
          const { stdout } = await run('/usr/bin/time', ['-f', '%M', process.execPath, 'bin/parley.js', 'customers', 'list'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: '', PARLEY_DATA_DIR: dataDir } }).then(
            (r) => ({ stdout: r.stdout + r.stderr }),
          );
          cli.push(performance.now() - started);
          cliPeak.push(Number(stdout.trim().split('\n').at(-1)) / 1024);
        }
        await server.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
    const memory = await startUntilReady([process.execPath, 'bin/parley.js', 'serve', '--memory'], {});
    cases[2].readyMs.push(memory.readyMs);
    cases[2].peakMb.push(memory.peakMb);
    await memory.stop();
    process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const section = `${BEGIN}
## Startup (\`bench/startup.ts\`)

Time from spawning the command to the first 200 from \`/readyz\`, and the server's peak RSS (VmHWM) by
then; ${ROUNDS} rounds, median and worst. Built state: after \`npm install\` (which runs \`npm run build\`
once: the esbuild bundle and the migrated PGlite template), so \`npm start\` only checks that dist/
is current. ${new Date().toISOString()}; ${cpu}, ${os.availableParallelism()} cores, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GB;
${os.type()} ${os.release()}; Node.js ${process.version}; 1-minute load average at the end ${os.loadavg()[0].toFixed(1)}
(other work on the machine lengthens the times, not the memory).

| case | ready median ms | ready worst ms | peak RSS median MB | peak RSS worst MB | target |
|---|---|---|---|---|---|
${cases.map((c) => `| ${c.name} | ${median(c.readyMs).toFixed(0)} | ${worst(c.readyMs).toFixed(0)} | ${median(c.peakMb).toFixed(0)} | ${worst(c.peakMb).toFixed(0)} | ${c.target} |`).join('\n')}
| \`parley customers list\` while the server runs (through its admin socket) | ${median(cli).toFixed(0)} | ${worst(cli).toFixed(0)} | ${median(cliPeak).toFixed(0)} | ${worst(cliPeak).toFixed(0)} | ≤ 1500 ms |

Where a start goes (\`node --cpu-prof dist/cli.js serve --memory\`): loading the bundle's dependencies
(Fastify, Ajv, pino and the rest: CommonJS, synchronous), copying the template, PGlite's
WebAssembly start, one transaction per migration to find none pending, Ajv compiling the validators
of every route, and registering the routes. So the template is copied in a worker thread while the
modules load (serve opens the database first), a route's validators compile on its first request,
one query finds an up-to-date database, and \`npm start\` runs one node process (bin/start.js)
instead of a \`prestart\` script's second. On this machine's file system creating a file costs
about 1 ms of system time, so the copy was bound by the template's 1,088 files (1.2 s for 40 MB,
of which the 16 MB WAL segment took 11 ms): the template now leaves out the \`template0\` and
\`template1\` databases, which Parley never uses (488 files, 26 MB, copied in 0.5 s), and
\`--memory\` copies it into /dev/shm (a memory file system) when the machine has one, where the
copy takes ~40 ms. On a quiet machine (load 1.6–2.2) just before the first change: first start
2113 ms, restart 1311 ms, \`--memory\` 1896 ms (medians; worst 2400, 1474, 2287); on the busier
machine (load 3.4–3.7) just before the second: \`--memory\` 2107 ms (worst 2216).

Before (issue 13): \`npm start\` ran \`tsc\` on every start (10–18 s); the first start ran initdb and
every migration (ready after 21–50 s from a fresh clone, peak about 900 MB), a restart peaked at
about 370 MB, \`serve --memory\` at about 770 MB, and every CLI command on the embedded database
failed while a server ran (7–9 s and about 380 MB each without one).
${END}`;
  writeResultsSection(section, BEGIN, END);
}

main().catch((err: unknown) => {
  killChildrenNow();
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
