import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { request } from 'undici';
import { ParleyError, notFound } from '../../kernel/errors.ts';
import type { BlobBody, BlobRange, BlobStat, BlobStore } from './blob-store.ts';
import { assertBlobKey } from './blob-store.ts';
import { EMPTY_SHA256, UNSIGNED_PAYLOAD, sha256Hex, signRequest, uriEncode, type SigV4Credentials } from './sigv4.ts';

export interface S3BlobStoreOptions {
  /** `https://s3.<region>.amazonaws.com`, `http://minio:9000`, … Requests are path-style: `<endpoint>/<bucket>/<key>`. */
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * An S3-compatible bucket over plain HTTP calls (PUT, GET with Range, HEAD, DELETE) signed with
 * SigV4. Path-style addressing, because MinIO, R2 and Ceph all take it and it needs no DNS per
 * bucket. Objects are single PUTs: a WAV is at most 4 GB, under S3's 5 GB single-PUT limit.
 */
export class S3BlobStore implements BlobStore {
  private readonly creds: SigV4Credentials;
  private readonly base: string;

  constructor(private readonly options: S3BlobStoreOptions) {
    this.creds = { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey, region: options.region, service: 's3' };
    this.base = options.endpoint.replace(/\/+$/, '');
  }

  private url(key: string): URL {
    return new URL(`${this.base}/${uriEncode(this.options.bucket, false)}/${uriEncode(key, true)}`);
  }

  private async send(method: string, key: string, headers: Record<string, string>, payloadHash: string, body?: Buffer | Readable) {
    const url = this.url(key);
    const signed = signRequest({ method, url, headers, payloadHash }, this.creds);
    try {
      return await request(url, { method: method as 'GET', headers: signed, body });
    } catch (cause) {
      throw new ParleyError('UNAVAILABLE', `blob store ${this.base} unreachable: ${(cause as Error).message}`, {}, { cause });
    }
  }

  async put(key: string, body: Buffer | Readable, contentType: string): Promise<{ uri: string; size: number }> {
    assertBlobKey(key);
    if (Buffer.isBuffer(body)) return this.putBuffer(key, body, contentType);
    // S3 wants Content-Length up front and a stream's length is unknown: spool it to a temp file
    // (a 60-minute call must not be held in memory), then stream the file.
    const dir = await mkdtemp(join(tmpdir(), 'parley-s3-'));
    const file = join(dir, randomBytes(4).toString('hex'));
    try {
      await pipeline(body, createWriteStream(file));
      const size = (await stat(file)).size;
      const headers = { 'content-type': contentType, 'content-length': String(size) };
      const res = await this.send('PUT', key, headers, UNSIGNED_PAYLOAD, createReadStream(file));
      await this.expectOk(res, 'PUT', key);
      return { uri: `s3://${this.options.bucket}/${key}`, size };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async putBuffer(key: string, body: Buffer, contentType: string) {
    const headers = { 'content-type': contentType, 'content-length': String(body.length) };
    const res = await this.send('PUT', key, headers, sha256Hex(body), body);
    await this.expectOk(res, 'PUT', key);
    return { uri: `s3://${this.options.bucket}/${key}`, size: body.length };
  }

  async get(key: string, range?: BlobRange): Promise<BlobBody> {
    assertBlobKey(key);
    if (range && (!Number.isInteger(range.start) || !Number.isInteger(range.end) || range.start < 0 || range.end < range.start)) {
      throw new ParleyError('INVALID_ARGUMENT', `range: invalid byte range ${range.start}-${range.end}`);
    }
    const headers: Record<string, string> = range ? { range: `bytes=${range.start}-${range.end}` } : {};
    const res = await this.send('GET', key, headers, EMPTY_SHA256);
    if (res.statusCode === 404) {
      await res.body.dump();
      throw notFound('blob');
    }
    if (res.statusCode === 416) {
      await res.body.dump();
      throw new ParleyError('OUT_OF_RANGE', `range starts past the end of blob ${key}`);
    }
    await this.expectOk(res, 'GET', key, true);
    const contentType = String(res.headers['content-type'] ?? 'application/octet-stream');
    if (res.statusCode === 206) {
      const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(res.headers['content-range'] ?? ''));
      if (!m) throw new ParleyError('INTERNAL', `blob store answered 206 without a usable Content-Range for ${key}`);
      return { body: res.body, size: Number(m[3]), contentType, range: { start: Number(m[1]), end: Number(m[2]) } };
    }
    // A 200 to a ranged request: the store ignored Range (allowed by HTTP). Skip to the range here.
    const size = Number(res.headers['content-length']);
    if (range) return { body: sliceStream(res.body, range.start, Math.min(range.end, size - 1)), size, contentType, range: { start: range.start, end: Math.min(range.end, size - 1) } };
    return { body: res.body, size, contentType, range: null };
  }

  async stat(key: string): Promise<BlobStat | null> {
    assertBlobKey(key);
    const res = await this.send('HEAD', key, {}, EMPTY_SHA256);
    await res.body.dump();
    if (res.statusCode === 404) return null;
    await this.expectOk(res, 'HEAD', key);
    return { size: Number(res.headers['content-length']), contentType: String(res.headers['content-type'] ?? 'application/octet-stream') };
  }

  async delete(key: string): Promise<void> {
    assertBlobKey(key);
    const res = await this.send('DELETE', key, {}, EMPTY_SHA256);
    // S3 answers 204 also for a missing key; some stores answer 404. Both mean "gone".
    if (res.statusCode === 404) {
      await res.body.dump();
      return;
    }
    await this.expectOk(res, 'DELETE', key);
  }

  private async expectOk(res: Awaited<ReturnType<typeof request>>, method: string, key: string, keepBody = false): Promise<void> {
    if (res.statusCode >= 200 && res.statusCode < 300) {
      if (!keepBody) await res.body.dump();
      return;
    }
    const text = (await res.body.text()).slice(0, 500);
    const code = res.statusCode >= 500 ? 'UNAVAILABLE' : 'INTERNAL';
    throw new ParleyError(code, `blob store ${method} ${key} failed: HTTP ${res.statusCode} ${text}`);
  }
}

function sliceStream(source: Readable, start: number, end: number): Readable {
  let offset = 0;
  return Readable.from((async function* () {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      const from = Math.max(0, start - offset);
      const to = Math.min(chunk.length, end + 1 - offset);
      if (to > from) yield chunk.subarray(from, to);
      offset += chunk.length;
      if (offset > end) break;
    }
  })());
}
