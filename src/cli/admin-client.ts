import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import type { AdminReply, AdminRequest } from './admin-socket.ts';
import type { CommandIo } from './command-io.ts';

/** The server at this socket is gone (stopped, or killed and its files left behind). */
export class ServerGoneError extends Error {}

/** Runs a command inside the server listening on `path`; resolves to the command's exit status. */
export async function runInServer(path: string, argv: string[], io: CommandIo): Promise<number> {
  const socket = connect(path);
  await new Promise<void>((connected, fail) => {
    socket.once('connect', connected);
    socket.once('error', (err: NodeJS.ErrnoException) => fail(err.code === 'ECONNREFUSED' || err.code === 'ENOENT' ? new ServerGoneError(err.message) : err));
  });
  const request: AdminRequest = { argv, tty: io.progress.isTTY };
  socket.write(`${JSON.stringify(request)}\n`);
  for await (const line of createInterface({ input: socket })) {
    const reply = JSON.parse(line) as AdminReply;
    if ('stdout' in reply) io.print(reply.stdout);
    else if ('stderr' in reply) io.progress.write(reply.stderr);
    else if ('out' in reply) await io.out?.write(reply.out);
    else if ('exit' in reply) {
      socket.end();
      return reply.exit;
    }
  }
  throw new Error('the server closed the admin connection before the command finished');
}
