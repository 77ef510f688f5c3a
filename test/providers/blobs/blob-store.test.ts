import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { ParleyError } from '../../../src/kernel/errors.ts';
import { FsBlobStore, callAudioKey, type BlobStore } from '../../../src/providers/blobs/blob-store.ts';
import { blobStoreFromConfig } from '../../../src/providers/blobs/blob-store-config.ts';
import { S3BlobStore } from '../../../src/providers/blobs/s3-blob-store.ts';
import { startS3Double, type S3Double } from './s3-double.ts';

async function text(store: BlobStore, key: string, range?: { start: number; end: number }): Promise<string> {
  const { body } = await store.get(key, range);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const isCode = (code: string) => (err: unknown) => err instanceof ParleyError && err.code === code;

/** The contract every BlobStore keeps; run against each implementation. */
function blobStoreContract(name: string, open: () => BlobStore) {
  describe(`${name}: BlobStore contract`, () => {
    it('stores a Buffer and a stream, and reports size and content type', async () => {
      const store = open();
      assert.deepEqual((await store.put('a/one.txt', Buffer.from('hello'), 'text/plain')).size, 5);
      const streamed = await store.put('a/two.bin', Readable.from([Buffer.from('0123'), Buffer.from('456789')]), 'application/octet-stream');
      assert.equal(streamed.size, 10);
      assert.equal(await text(store, 'a/one.txt'), 'hello');
      assert.equal(await text(store, 'a/two.bin'), '0123456789');
      assert.deepEqual(await store.stat('a/one.txt'), { size: 5, contentType: 'text/plain' });
      const got = await store.get('a/two.bin');
      assert.equal(got.size, 10);
      assert.equal(got.range, null);
      got.body.resume();
    });

    it('serves inclusive byte ranges, clamps an end past the blob and refuses a start past it', async () => {
      const store = open();
      await store.put('r/digits', Buffer.from('0123456789'), 'text/plain');
      assert.equal(await text(store, 'r/digits', { start: 2, end: 5 }), '2345');
      const tail = await store.get('r/digits', { start: 7, end: 100 });
      assert.deepEqual([tail.size, tail.range], [10, { start: 7, end: 9 }]);
      tail.body.resume();
      assert.equal(await text(store, 'r/digits', { start: 9, end: 9 }), '9');
      await assert.rejects(store.get('r/digits', { start: 10, end: 12 }), isCode('OUT_OF_RANGE'));
    });

    it('replaces a blob whole, deletes it, and answers NOT_FOUND / null for a missing key', async () => {
      const store = open();
      await store.put('d/x', Buffer.from('first'), 'text/plain');
      await store.put('d/x', Buffer.from('second!'), 'text/plain');
      assert.equal(await text(store, 'd/x'), 'second!');
      await store.delete('d/x');
      assert.equal(await store.stat('d/x'), null);
      await assert.rejects(store.get('d/x'), isCode('NOT_FOUND'));
      await store.delete('d/x'); // deleting twice is fine
    });

    it('refuses keys that could escape the store', async () => {
      const store = open();
      for (const key of ['', '../etc/passwd', 'a/../b', '/abs', 'a//b', '.hidden', 'a/.meta/x', 'sp ace']) {
        await assert.rejects(store.put(key, Buffer.from('x'), 'text/plain'), isCode('INVALID_ARGUMENT'), key);
      }
    });

    it('names call recordings by customer and conversation', () => {
      assert.equal(callAudioKey('acme', '0123456789abcdef01234567'), 'audio/acme/0123456789abcdef01234567.wav');
    });
  });
}

describe('filesystem blob store', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'parley-blob-test-'));
  });
  after(async () => rm(root, { recursive: true, force: true }));

  blobStoreContract('FsBlobStore', () => new FsBlobStore(join(root, randomBytes(4).toString('hex'))));

  it('writes through a temp file: a failed stream leaves neither a blob nor a temp file behind', async () => {
    const store = new FsBlobStore(join(root, 'atomic'));
    await store.put('k', Buffer.from('old'), 'text/plain');
    const failing = new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(new Error('client went away'));
      },
    });
    await assert.rejects(store.put('k', failing, 'text/plain'), /client went away/);
    assert.equal(await text(store, 'k'), 'old');
    assert.deepEqual(await readdir(join(root, 'atomic', '.tmp')), []);
  });

  it('returns a file:// URI and lives under <dataDir>/blobs by default', async () => {
    const store = blobStoreFromConfig({ dataDir: join(root, 'data'), memory: false, blobS3: null });
    assert.ok(store instanceof FsBlobStore);
    assert.equal(store.root, join(root, 'data', 'blobs'));
    const { uri } = await store.put('u/v.wav', Buffer.from('RIFF'), 'audio/wav');
    assert.equal(uri, `file://${join(root, 'data', 'blobs', 'u', 'v.wav')}`);
    const memory = blobStoreFromConfig({ dataDir: './unused', memory: true, blobS3: null }) as FsBlobStore;
    assert.ok(memory.root.startsWith(tmpdir()));
  });
});

describe('S3-compatible blob store (against a local S3 double)', () => {
  const creds = { bucket: 'recordings', region: 'eu-central-1', accessKeyId: 'AKIATESTKEY', secretAccessKey: 'secret/with+chars' };
  let s3: S3Double;
  before(async () => {
    s3 = await startS3Double(creds);
  });
  after(async () => s3.close());

  const open = () => new S3BlobStore({ endpoint: s3.endpoint, ...creds });
  blobStoreContract('S3BlobStore', open);

  it('speaks path-style S3: PUT, GET with a Range header, HEAD, DELETE', async () => {
    const store = open();
    s3.requests.length = 0;
    const { uri } = await store.put('audio/acme/c1.wav', Buffer.from('RIFFdata'), 'audio/wav');
    assert.equal(uri, 's3://recordings/audio/acme/c1.wav');
    assert.equal(s3.objects.get('audio/acme/c1.wav')?.contentType, 'audio/wav');
    assert.equal(await text(store, 'audio/acme/c1.wav', { start: 4, end: 7 }), 'data');
    await store.stat('audio/acme/c1.wav');
    await store.delete('audio/acme/c1.wav');
    assert.deepEqual(s3.requests, [
      { method: 'PUT', path: '/recordings/audio/acme/c1.wav', range: undefined },
      { method: 'GET', path: '/recordings/audio/acme/c1.wav', range: 'bytes=4-7' },
      { method: 'HEAD', path: '/recordings/audio/acme/c1.wav', range: undefined },
      { method: 'DELETE', path: '/recordings/audio/acme/c1.wav', range: undefined },
    ]);
  });

  it('streams a large body with a Content-Length (spooled, unsigned payload) and reads it back', async () => {
    const store = open();
    const chunk = randomBytes(64 * 1024);
    const parts = Array.from({ length: 40 }, () => chunk); // 2.5 MB
    const { size } = await store.put('big/blob', Readable.from(parts), 'application/octet-stream');
    assert.equal(size, 40 * chunk.length);
    assert.ok(s3.objects.get('big/blob')!.body.equals(Buffer.concat(parts)));
  });

  it('fails loudly when the credentials are wrong (the double checks the signature)', async () => {
    const wrong = new S3BlobStore({ endpoint: s3.endpoint, ...creds, secretAccessKey: 'not-the-secret' });
    await assert.rejects(wrong.put('x/y', Buffer.from('z'), 'text/plain'), (err: unknown) => err instanceof ParleyError && /403/.test(err.message));
    assert.equal(s3.objects.has('x/y'), false);
  });

  it('is UNAVAILABLE when the store cannot be reached', async () => {
    const gone = new S3BlobStore({ ...creds, endpoint: 'http://127.0.0.1:9' });
    await assert.rejects(gone.stat('a/b'), isCode('UNAVAILABLE'));
  });

  it('is chosen by blobStoreFromConfig when a bucket is configured', () => {
    const store = blobStoreFromConfig({ dataDir: './data', memory: false, blobS3: { endpoint: s3.endpoint, ...creds } });
    assert.ok(store instanceof S3BlobStore);
  });
});
