import type { Readable } from 'node:stream';
import { ParleyError } from '../../kernel/errors.ts';

/** How long a streamed body may pause, unless the server is told otherwise (PARLEY_UPLOAD_IDLE_TIMEOUT_MS). */
export const DEFAULT_UPLOAD_IDLE_MS = 30_000;

/** A body that stopped arriving: `timedOut` lets a surface give it its own status (Amigo: 408). */
export function bodyTimedOut(idleMs: number): ParleyError {
  return new ParleyError('ABORTED', `the request body stopped arriving: nothing for ${idleMs} ms`, { bodyTimedOut: true });
}

/**
 * Reads a body that may be streamed as it is recorded (an audio upload): whole, up to
 * `limitBytes`, refusing it when no byte arrives for `idleMs` (however long the whole upload
 * takes), so a client that stalls does not hold the request open for ever. Fastify's own buffered
 * parsing has a total size limit but no idle limit.
 */
export function readStreamedBody(stream: Readable, { limitBytes, idleMs }: { limitBytes: number; idleMs: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let idle = setTimeout(() => fail(bodyTimedOut(idleMs)), idleMs);
    const fail = (err: Error) => {
      clearTimeout(idle);
      stream.removeAllListeners('data');
      stream.pause();
      reject(err);
    };
    stream.on('data', (chunk: Buffer) => {
      clearTimeout(idle);
      size += chunk.length;
      if (size > limitBytes) {
        fail(new ParleyError('PAYLOAD_TOO_LARGE', `body: at most ${limitBytes} bytes`, { limit: { name: 'bodyBytes', max: limitBytes } }));
        return;
      }
      chunks.push(chunk);
      idle = setTimeout(() => fail(bodyTimedOut(idleMs)), idleMs);
    });
    stream.once('end', () => {
      clearTimeout(idle);
      resolve(Buffer.concat(chunks, size));
    });
    stream.once('error', fail);
  });
}
