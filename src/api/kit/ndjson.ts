import { StringDecoder } from 'node:string_decoder';
import type { FastifyReply, FastifyRequest } from 'fastify';

/*
 * NDJSON streams both ways: a request body read object by object as it arrives, and a response
 * written line by line as each answer is ready (the voice surface's client streams, the agent
 * surface's turns).
 */

export type StreamPiece = { kind: 'message'; text: string } | { kind: 'error'; message: string };

/**
 * Splits a request body into successive top-level JSON objects as bytes arrive, the way
 * grpc-gateway's JSON decoder reads a client stream: NDJSON (one object a line) and objects
 * spread over several lines (curl -d with a pretty-printed body) both work. Text outside an
 * object is reported up to the end of its line and skipped, and an object over `maxBytes` is
 * reported and skipped, so one bad message never ends the stream.
 */
export class JsonStreamSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private buffer = '';
  /** Scan position inside `buffer` and the state of the object being scanned. */
  private pos = 0;
  private inObject = false;
  private start = 0;
  private depth = 0;
  private inString = false;
  /** Skipping an oversized object (depth tracked) or stray text (to the end of the line). */
  private skipping: 'object' | 'line' | null = null;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer | string): StreamPiece[] {
    this.buffer += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    return this.scan();
  }

  end(): StreamPiece[] {
    this.buffer += this.decoder.end();
    const pieces = this.scan();
    if (this.skipping === 'line') pieces.push({ kind: 'error', message: 'message is not a JSON object' });
    else if (this.inObject && this.skipping === null) pieces.push({ kind: 'error', message: 'the stream ended inside a JSON object' });
    this.buffer = '';
    this.pos = 0;
    return pieces;
  }

  private scan(): StreamPiece[] {
    const pieces: StreamPiece[] = [];
    const b = this.buffer;
    let i = this.pos;
    while (i < b.length) {
      if (this.skipping === 'line') {
        const nl = b.indexOf('\n', i);
        if (nl < 0) {
          i = b.length;
          break;
        }
        pieces.push({ kind: 'error', message: 'message is not a JSON object' });
        this.skipping = null;
        i = nl + 1;
        continue;
      }
      if (!this.inObject) {
        const c = b.charCodeAt(i);
        if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
          i++;
          continue;
        }
        if (c !== 0x7b /* { */) {
          this.skipping = 'line';
          continue;
        }
        this.inObject = true;
        this.start = i;
        this.depth = 0;
        this.inString = false;
      }
      if (this.inString) {
        // Jump to the next quote: base64 audio is long and has no escapes.
        const q = b.indexOf('"', i);
        if (q < 0) {
          i = b.length;
          break;
        }
        let backslashes = 0;
        for (let k = q - 1; k >= 0 && b.charCodeAt(k) === 0x5c; k--) backslashes++;
        i = q + 1;
        if (backslashes % 2 === 0) this.inString = false;
        continue;
      }
      const c = b.charCodeAt(i++);
      if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b) this.depth++;
      else if ((c === 0x7d || c === 0x5d) && --this.depth === 0) {
        if (this.skipping === 'object' || i - this.start > this.maxBytes) {
          pieces.push({ kind: 'error', message: `message exceeds ${this.maxBytes} bytes` });
          this.skipping = null;
        } else {
          pieces.push({ kind: 'message', text: b.slice(this.start, i) });
        }
        this.inObject = false;
      }
    }
    // Keep only the unfinished object; an oversized one is scanned on to its end but not kept.
    if (this.inObject && this.skipping === null && i - this.start > this.maxBytes) this.skipping = 'object';
    const keepFrom = this.inObject && this.skipping === null ? this.start : i;
    this.buffer = b.slice(keepFrom);
    this.pos = i - keepFrom;
    if (this.inObject) this.start = 0;
    return pieces;
  }
}

export interface NdjsonWriter {
  /** Writes one value as a line; a no-op once the client has gone. */
  write(value: unknown): void;
  end(): void;
}

/** Takes over the reply and starts an `application/x-ndjson` response (200 unless told: a create is 201). */
export function ndjsonResponse(request: FastifyRequest, reply: FastifyReply, status = 200): NdjsonWriter {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(status, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store', 'x-request-id': request.id });
  // Lines written in one go (a turn's pieces come out of one chain of promises) leave as one socket
  // write, uncorked once that chain has run: no line waits for I/O or a timer.
  let corked = false;
  const uncork = () => {
    corked = false;
    res.uncork();
  };
  return {
    write: (value) => {
      if (res.destroyed) return;
      if (!corked) {
        corked = true;
        res.cork();
        process.nextTick(uncork);
      }
      res.write(`${JSON.stringify(value)}\n`);
    },
    end: () => res.end(),
  };
}
