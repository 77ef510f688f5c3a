import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ParleyError, invalidArgument, notFound } from '../../kernel/errors.ts';

/** Inclusive byte range, as in HTTP `Range: bytes=start-end`. */
export interface BlobRange {
  start: number;
  end: number;
}

export interface BlobStat {
  size: number;
  contentType: string;
}

export interface BlobBody {
  body: Readable;
  /** The whole blob's size, also when a range was asked for. */
  size: number;
  contentType: string;
  /** The bytes `body` holds; null when it is the whole blob. */
  range: BlobRange | null;
}

/**
 * Where call recordings (and later, other large bytes) live. Keys are relative paths of
 * `[A-Za-z0-9][A-Za-z0-9._=-]*` segments separated by `/`. A put is atomic: a reader sees the old
 * blob or the whole new one, never a torn one. `get` of a missing key is NOT_FOUND; a range that
 * starts past the end is OUT_OF_RANGE (an end past the end is clamped, as HTTP does).
 */
export interface BlobStore {
  put(key: string, body: Buffer | Readable, contentType: string): Promise<{ uri: string; size: number }>;
  get(key: string, range?: BlobRange): Promise<BlobBody>;
  stat(key: string): Promise<BlobStat | null>;
  delete(key: string): Promise<void>;
}

const KEY_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._=-]*$/;

export function assertBlobKey(key: string): void {
  if (key.length === 0 || key.length > 1024 || !key.split('/').every((s) => KEY_SEGMENT.test(s))) {
    throw invalidArgument('key', `invalid blob key "${key}"`);
  }
}

/** The blob key of a call's recording. */
export function callAudioKey(customerId: string, conversationId: string): string {
  return `audio/${customerId}/${conversationId}.wav`;
}

/** Clamps a requested range to a blob of `size` bytes (HTTP semantics). */
export function clampRange(range: BlobRange | undefined, size: number): BlobRange | null {
  if (!range) return null;
  if (!Number.isInteger(range.start) || !Number.isInteger(range.end) || range.start < 0 || range.end < range.start) {
    throw invalidArgument('range', `invalid byte range ${range.start}-${range.end}`);
  }
  if (range.start >= size) throw new ParleyError('OUT_OF_RANGE', `range starts at ${range.start}, blob has ${size} bytes`);
  return { start: range.start, end: Math.min(range.end, size - 1) };
}

/**
 * Blobs as files under `root`: `<root>/<key>` holds the bytes, `<root>/.meta/<key>` the content
 * type, `<root>/.tmp/` the writes in flight (temp file, fsync, rename: atomic on one filesystem).
 * Key segments cannot start with `.`, so the two bookkeeping trees never collide with a key.
 */
export class FsBlobStore implements BlobStore {
  constructor(readonly root: string) {}

  async put(key: string, body: Buffer | Readable, contentType: string): Promise<{ uri: string; size: number }> {
    assertBlobKey(key);
    const path = join(this.root, key);
    const tmpDir = join(this.root, '.tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, `${randomBytes(8).toString('hex')}.part`);
    try {
      await pipeline(Buffer.isBuffer(body) ? Readable.from([body]) : body, createWriteStream(tmp));
      // fsync before rename: a finished recording must survive a power loss, not only a crash.
      const handle = await open(tmp, 'r');
      const size = (await handle.stat()).size;
      await handle.sync();
      await handle.close();
      const metaPath = join(this.root, '.meta', key);
      await mkdir(dirname(metaPath), { recursive: true });
      await writeFile(metaPath, contentType);
      await mkdir(dirname(path), { recursive: true });
      await rename(tmp, path);
      return { uri: `file://${path}`, size };
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async get(key: string, range?: BlobRange): Promise<BlobBody> {
    const info = await this.stat(key);
    if (!info) throw notFound('blob');
    const clamped = clampRange(range, info.size);
    const path = join(this.root, key);
    const body = clamped ? createReadStream(path, { start: clamped.start, end: clamped.end }) : createReadStream(path);
    return { body, size: info.size, contentType: info.contentType, range: clamped };
  }

  async stat(key: string): Promise<BlobStat | null> {
    assertBlobKey(key);
    try {
      const s = await stat(join(this.root, key));
      if (!s.isFile()) return null;
      const contentType = await readFile(join(this.root, '.meta', key), 'utf8').catch(() => 'application/octet-stream');
      return { size: s.size, contentType };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    assertBlobKey(key);
    await rm(join(this.root, key), { force: true });
    await rm(join(this.root, '.meta', key), { force: true });
  }
}
