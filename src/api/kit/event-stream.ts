import type { FastifyReply, FastifyRequest } from 'fastify';

/*
 * A long-lived response of frames, as Server-Sent Events (`text/event-stream`, the default) or
 * NDJSON (`Accept: application/x-ndjson`): heartbeats on an idle stream so proxies keep it, and a
 * consumer that stops reading is ended with a last frame rather than buffered without bound.
 */

export type StreamFormat = 'sse' | 'ndjson';

/** NDJSON when asked for, else SSE (what EventSource and `curl -N` expect). */
export function streamFormat(request: FastifyRequest): StreamFormat {
  return /application\/x-ndjson/i.test(request.headers.accept ?? '') ? 'ndjson' : 'sse';
}

export interface StreamFrame {
  /** SSE `id:` (what EventSource sends back as Last-Event-ID); NDJSON carries it inside `data`. */
  id?: string;
  /** SSE `event:`; absent for ordinary frames so EventSource's onmessage gets them. */
  event?: string;
  data: object;
}

export interface EventStreamOptions {
  heartbeatMs: number;
  /** Bytes waiting for the consumer past which `overflowing` turns true. */
  maxBufferBytes: number;
  /** The consumer went away (or the stream was ended): release what feeds it. */
  onClose(): void;
}

export interface EventStreamWriter {
  /**
   * Writes frames, several to a socket write. `bounded`: stops once the consumer is past the bound
   * (checked after each write of at most CHUNK_BYTES), so one stalled consumer holds at most the bound
   * and a chunk. Returns how many frames were written; none once the stream has ended.
   */
  write(frames: readonly StreamFrame[], options?: { bounded?: boolean }): number;
  /** More is waiting for the consumer than the bound allows. */
  readonly overflowing: boolean;
  /** Resolves once the consumer has taken what was waiting (or has gone). */
  room(): Promise<void>;
  /** Writes a last frame and ends the stream; a consumer that never reads it is cut off after a grace period. */
  finish(last: StreamFrame): void;
}

/** Frames are joined into socket writes of about this size. */
const CHUNK_BYTES = 16 * 1024;

/** A consumer that stopped reading is cut off this long after its last frame was written. */
const FINISH_GRACE_MS = 10_000;

function render(format: StreamFormat, frame: StreamFrame): string {
  if (format === 'ndjson') return `${JSON.stringify(frame.data)}\n`;
  return `${frame.id === undefined ? '' : `id: ${frame.id}\n`}${frame.event ? `event: ${frame.event}\n` : ''}data: ${JSON.stringify(frame.data)}\n\n`;
}

/** Takes over the reply and starts the stream: status 200 and its headers go out at once. */
export function openEventStream(request: FastifyRequest, reply: FastifyReply, format: StreamFormat, options: EventStreamOptions): EventStreamWriter {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': format === 'sse' ? 'text/event-stream; charset=utf-8' : 'application/x-ndjson',
    'cache-control': 'no-store',
    // nginx buffers responses unless told not to; a buffered stream is not live.
    'x-accel-buffering': 'no',
    'x-request-id': request.id,
    // A stream ends only when it is done with (or when the server shuts down): its connection is not
    // kept for another request, so a closing server does not wait out the keep-alive timeout on it.
    connection: 'close',
  });
  res.flushHeaders();
  // Frames are small and must leave at once.
  res.socket?.setNoDelay(true);
  let ended = false;
  const heartbeat = setInterval(() => {
    if (!ended) res.write(format === 'sse' ? ': heartbeat\n\n' : '{"type":"heartbeat"}\n');
  }, options.heartbeatMs);
  let graceTimer: NodeJS.Timeout | undefined;
  res.on('close', () => {
    ended = true;
    clearInterval(heartbeat);
    clearTimeout(graceTimer);
    options.onClose();
  });
  return {
    write(frames, { bounded = false } = {}) {
      if (ended || res.destroyed) return 0;
      let chunk = '';
      for (let i = 0; i < frames.length; i++) {
        chunk += render(format, frames[i]);
        if (chunk.length < CHUNK_BYTES && i < frames.length - 1) continue;
        res.write(chunk);
        chunk = '';
        if (bounded && res.writableLength > options.maxBufferBytes) return i + 1;
      }
      return frames.length;
    },
    get overflowing() {
      return res.writableLength > options.maxBufferBytes;
    },
    room() {
      if (ended || !res.writableNeedDrain) return Promise.resolve();
      return new Promise((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    },
    finish(last) {
      if (ended) return;
      ended = true;
      clearInterval(heartbeat);
      res.end(render(format, last));
      graceTimer = setTimeout(() => res.destroy(), FINISH_GRACE_MS);
    },
  };
}
