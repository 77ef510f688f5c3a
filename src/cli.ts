import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { loadConfig, type Config } from './config.ts';
import { ServerGoneError, runInServer } from './cli/admin-client.ts';
import { failureOf, openOutFile, terminalIo, type CommandIo } from './cli/command-io.ts';
import { parseCommandLine, USAGE, withAbsolutePaths, type CommandName, type Flags } from './cli/command-line.ts';
import { pgliteTemplate } from './cli/pglite-template.ts';
import type { DatabaseCommand } from './cli/commands.ts';
import { DatabaseLockedError, dataDirOwner, inUseMessage } from './store/open.ts';

// Only what a command sent to a running server needs is imported above; the core, the HTTP app
// and the database drivers load when the command runs here (src/cli/*, store/open.ts).

/** How long a command waits for a starting server's socket, or for another command's lock. */
const WAIT_FOR_OWNER_MS = 30_000;

/**
 * While another process holds the embedded database, runs the command inside it (its admin
 * socket) and resolves to the exit status; resolves to undefined when the data directory is free.
 */
async function runInOwner(dataDir: string, argv: string[], io: CommandIo): Promise<number | undefined> {
  const deadline = Date.now() + WAIT_FOR_OWNER_MS;
  for (;;) {
    const owner = dataDirOwner(dataDir);
    if (!owner) return undefined;
    if (owner.socket) {
      try {
        return await runInServer(owner.socket, argv, io);
      } catch (err) {
        // Stopped between reading the lock and connecting: look again.
        if (!(err instanceof ServerGoneError)) throw err;
      }
    }
    // A server still starting (no socket yet), or another command holding the lock for a moment.
    if (Date.now() > deadline) throw new DatabaseLockedError(inUseMessage(dataDir, owner.pid));
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function runHere(config: Config, command: DatabaseCommand, flags: Flags, args: string[], io: CommandIo): Promise<void> {
  // A one-shot command runs the embedded database's WebAssembly for a moment: compiling it again
  // with the optimising tier is wasted work (a third of the command's CPU time, measured).
  if (!config.databaseUrl) setFlagsFromString('--liftoff-only');
  const [{ openDatabase }, { migrate }, { createCore }, { runCommand }] = await Promise.all([
    import('./store/open.ts'),
    import('./store/migrate.ts'),
    import('./core/index.ts'),
    import('./cli/commands.ts'),
  ]);
  // `migrate` reports every migration it applies to a new database, so it builds one from scratch.
  const db = await openDatabase({ ...config, pgliteTemplate: command === 'migrate' ? undefined : pgliteTemplate() });
  try {
    if (command !== 'migrate') await migrate(db);
    await runCommand(command, { db, core: createCore(db), io }, flags, args);
  } finally {
    await db.close();
  }
}

async function main(argv: string[]): Promise<number | 'running'> {
  const line = parseCommandLine(argv);
  if (line.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const config = loadConfig(process.env, { memory: line.flags.memory ?? false });
  const command: CommandName = line.command;
  if (command === 'serve' || command === 'worker') {
    // Before the command's modules load: the instrumentations patch them as they do.
    if (config.otlpEndpoint) await (await import('./cli/tracing.ts')).startTracing();
    const start = command === 'serve' ? (await import('./cli/serve.ts')).serve : (await import('./cli/worker.ts')).worker;
    await start(config);
    return 'running';
  }
  const out = line.flags.out === undefined ? undefined : openOutFile(resolve(line.flags.out));
  const io = terminalIo(out);
  try {
    const status = config.databaseUrl ? undefined : await runInOwner(config.dataDir, withAbsolutePaths(argv, line, (path) => resolve(path)), io);
    if (status !== undefined) return status;
    await runHere(config, command, line.flags, line.args, io);
    return 0;
  } finally {
    await out?.close();
  }
}

main(process.argv.slice(2)).then(
  (status) => {
    if (status !== 'running') process.exitCode = status;
  },
  (err: unknown) => {
    const { message, status } = failureOf(err);
    process.stderr.write(message);
    process.exit(status);
  },
);
