import { chmodSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import type { Core } from '../core/index.ts';
import type { Driver } from '../store/driver.ts';
import { advertiseAdminSocket } from '../store/open.ts';
import { failureOf, type CommandIo } from './command-io.ts';
import { parseCommandLine } from './command-line.ts';
import { isDatabaseCommand, runCommand } from './commands.ts';

/**
 * The admin socket's wire, one JSON object a line. The CLI sends one request; the server answers
 * with the command's output and ends with `exit`.
 */
export type AdminRequest = { argv: string[]; tty: boolean };
export type AdminReply = { stdout: string } | { stderr: string } | { out: string } | { exit: number };

/** A unix socket path holds at most 107 bytes (sun_path); a deeper data directory gets one in the temporary directory. */
const MAX_SOCKET_PATH = 100;

function socketPathFor(dataDir: string): string {
  const path = resolve(dataDir, 'parley.sock');
  return Buffer.byteLength(path) <= MAX_SOCKET_PATH ? path : join(tmpdir(), `parley-${process.pid}.sock`);
}

function send(socket: Socket, reply: AdminReply): Promise<void> {
  if (socket.destroyed) return Promise.reject(new Error('the CLI went away'));
  return new Promise((done, fail) => {
    // Waiting for the write keeps a slow reader from making the server hold a whole sample in memory.
    socket.write(`${JSON.stringify(reply)}\n`, (err) => (err ? fail(err) : done()));
  });
}

async function answer(socket: Socket, request: AdminRequest, ctx: { db: Driver; core: Core }, log: Logger): Promise<void> {
  const io: CommandIo = {
    print: (line) => void send(socket, { stdout: line }).catch(() => {}),
    progress: { isTTY: request.tty === true, write: (text) => void send(socket, { stderr: text }).catch(() => {}) },
    out: { write: (text) => send(socket, { out: text }), close: async () => {} },
  };
  let status = 0;
  try {
    const line = parseCommandLine(request.argv);
    if (line.help || !isDatabaseCommand(line.command)) throw new Error(`"${request.argv.join(' ')}" does not run inside a server`);
    log.info({ command: line.command }, 'admin command');
    await runCommand(line.command, { ...ctx, io }, line.flags, line.args);
  } catch (err) {
    const failure = failureOf(err);
    if (failure.status !== 2) log.error({ err }, 'admin command failed');
    await send(socket, { stderr: failure.message }).catch(() => {});
    status = failure.status;
  }
  await send(socket, { exit: status }).catch(() => {});
  socket.end();
}

/**
 * The local admin endpoint of a server on the embedded database: PGlite belongs to one process,
 * so the CLI sends its commands here instead of opening the database itself. The socket lives in
 * the data directory with mode 0600 (only the user who runs the server can connect), and the
 * lock file names it. Resolves to a function that closes it.
 */
export async function listenAdminSocket(dataDir: string, ctx: { db: Driver; core: Core }, log: Logger): Promise<() => Promise<void>> {
  const path = socketPathFor(dataDir);
  // This process holds the data directory's lock: a socket file already there is a dead server's.
  rmSync(path, { force: true });
  const server = createServer((socket) => {
    socket.on('error', () => {});
    const lines = createInterface({ input: socket });
    lines.once('line', (text) => {
      lines.close();
      let request: AdminRequest;
      try {
        request = JSON.parse(text) as AdminRequest;
        if (!Array.isArray(request.argv) || !request.argv.every((a) => typeof a === 'string')) throw new Error('argv must be strings');
      } catch {
        socket.destroy();
        return;
      }
      void answer(socket, request, ctx, log);
    });
  });
  // Created with no permission for anyone else from the first instant, not only after the chmod.
  const umask = process.umask(0o177);
  try {
    await new Promise<void>((listening, fail) => {
      server.once('error', fail);
      server.listen(path, () => listening());
    });
  } finally {
    process.umask(umask);
  }
  chmodSync(path, 0o600);
  advertiseAdminSocket(dataDir, path);
  return async () => {
    await new Promise<void>((closed) => server.close(() => closed()));
    rmSync(path, { force: true });
  };
}
