import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ParleyError } from '../../src/kernel/errors.ts';
import { FsBlobStore } from '../../src/providers/blobs/blob-store.ts';
import { openRecording } from '../../src/audio/call-recording.ts';
import { readWavChannel } from '../../src/audio/wav.ts';

const isCode = (code: string) => (err: unknown) => err instanceof ParleyError && err.code === code;

async function channelOf(blobs: FsBlobStore, key: string, channel: number) {
  return readWavChannel((await blobs.get(key)).body, channel);
}

describe('call recording spool', () => {
  let root: string;
  let spool: string;
  let blobs: FsBlobStore;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'parley-spool-test-'));
    spool = join(root, 'spool');
    blobs = new FsBlobStore(join(root, 'blobs'));
  });
  after(async () => rm(root, { recursive: true, force: true }));

  it('appends frames per channel, counts seconds, and assembles a padded multi-channel WAV', async () => {
    const rec = await openRecording(spool, { customerId: 'acme', conversationId: 'c1', sampleRateHertz: 8000, channels: 2 });
    await rec.append(0, new Int16Array(8000).fill(1000)); // agent: 1 s
    await rec.append(1, new Int16Array(4000).fill(-2000)); // visitor: 0.5 s
    await rec.appendSilence(1, 250);
    assert.equal(rec.seconds(0), 1);
    assert.equal(rec.seconds(1), 0.75);
    const done = await rec.finish(blobs, 'audio/acme/c1.wav');
    assert.equal(done.uri, `file://${join(root, 'blobs', 'audio', 'acme', 'c1.wav')}`);
    assert.equal(done.durationSeconds, 1);
    assert.equal(done.sizeBytes, 44 + 8000 * 2 * 2);
    const agent = await channelOf(blobs, 'audio/acme/c1.wav', 0);
    const visitor = await channelOf(blobs, 'audio/acme/c1.wav', 1);
    assert.equal(agent.sampleRateHertz, 8000);
    assert.ok(agent.pcm.length === 8000 && agent.pcm.every((s) => s === 1000));
    assert.ok(visitor.pcm.length === 8000);
    assert.ok(visitor.pcm.subarray(0, 4000).every((s) => s === -2000));
    assert.ok(visitor.pcm.subarray(4000).every((s) => s === 0), 'silence and padding are zeros');
    assert.equal(done.analysis.bucketDuration, 0.1);
    assert.deepEqual(done.analysis.agentEnergy, Array(10).fill(0.0305));
    assert.deepEqual(done.analysis.visitorEnergy, [...Array(5).fill(0.061), ...Array(5).fill(0)]);
    await assert.rejects(stat(join(spool, 'acme', 'c1')), /ENOENT/, 'the spool is deleted');
    await assert.rejects(rec.append(0, new Int16Array(1)), isCode('FAILED_PRECONDITION'));
  });

  it('continues a spool after the handle was closed (a reconnecting stream, a restarted process)', async () => {
    const first = await openRecording(spool, { customerId: 'acme', conversationId: 'c2', sampleRateHertz: 16000, channels: 1 });
    await first.append(0, Int16Array.from([1, 2, 3]));
    await first.close();
    const second = await openRecording(spool, { customerId: 'acme', conversationId: 'c2', sampleRateHertz: 16000, channels: 1 });
    assert.equal(second.seconds(0), 3 / 16000);
    await second.append(0, Int16Array.from([4, 5]));
    await second.finish(blobs, 'audio/acme/c2.wav', { roles: ['ROLE_UNSPECIFIED'] });
    assert.deepEqual([...(await channelOf(blobs, 'audio/acme/c2.wav', 0)).pcm], [1, 2, 3, 4, 5]);
  });

  it('shares one spool between handles open at once, and aligns channels', async () => {
    const a = await openRecording(spool, { customerId: 'acme', conversationId: 'c3', sampleRateHertz: 8000, channels: 2 });
    const b = await openRecording(spool, { customerId: 'acme', conversationId: 'c3', sampleRateHertz: 8000, channels: 2 });
    await a.append(0, Int16Array.from([1, 1, 1, 1]));
    assert.equal(b.seconds(0), 4 / 8000);
    await b.alignChannels();
    await b.append(1, Int16Array.from([7]));
    assert.equal(a.seconds(1), 5 / 8000);
    await a.close();
    await b.finish(blobs, 'audio/acme/c3.wav');
    assert.deepEqual([...(await channelOf(blobs, 'audio/acme/c3.wav', 1)).pcm], [0, 0, 0, 0, 7]);
  });

  it('refuses to continue a spool with another format, a bad channel or a bad pause', async () => {
    const rec = await openRecording(spool, { customerId: 'acme', conversationId: 'c4', sampleRateHertz: 8000, channels: 2 });
    await rec.append(0, Int16Array.from([1]));
    await rec.close();
    await assert.rejects(openRecording(spool, { customerId: 'acme', conversationId: 'c4', sampleRateHertz: 16000, channels: 2 }), isCode('FAILED_PRECONDITION'));
    await assert.rejects(openRecording(spool, { customerId: 'acme', conversationId: 'c4', sampleRateHertz: 8000, channels: 1 }), isCode('FAILED_PRECONDITION'));
    const again = await openRecording(spool, { customerId: 'acme', conversationId: 'c4', sampleRateHertz: 8000, channels: 2 });
    await assert.rejects(again.append(2, Int16Array.from([1])), isCode('INVALID_ARGUMENT'));
    await assert.rejects(again.appendSilence('all', -5), isCode('INVALID_ARGUMENT'));
    await assert.rejects(openRecording(spool, { customerId: '../x', conversationId: 'c4', sampleRateHertz: 8000, channels: 2 }), isCode('INVALID_ARGUMENT'));
    await assert.rejects(openRecording(spool, { customerId: 'acme', conversationId: 'c5', sampleRateHertz: 4000, channels: 2 }), isCode('INVALID_ARGUMENT'));
    await again.close();
  });

  it('never overwrites a stored recording with an empty one when a finished call is finished again', async () => {
    const rec = await openRecording(spool, { customerId: 'acme', conversationId: 'c6', sampleRateHertz: 8000, channels: 1 });
    await rec.append(0, Int16Array.from([9, 9]));
    await rec.finish(blobs, 'audio/acme/c6.wav');
    const late = await openRecording(spool, { customerId: 'acme', conversationId: 'c6', sampleRateHertz: 8000, channels: 1 });
    await assert.rejects(late.finish(blobs, 'audio/acme/c6.wav'), isCode('FAILED_PRECONDITION'));
    await assert.rejects(stat(join(spool, 'acme', 'c6')), /ENOENT/, 'no empty spool is left behind');
    assert.deepEqual([...(await channelOf(blobs, 'audio/acme/c6.wav', 0)).pcm], [9, 9]);
  });

  it('keeps every acknowledged frame when the process is killed mid-call (SIGKILL)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'spool-writer.ts'), spool, 'killed'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let acked = 0;
    let buffered = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) acked = Number(line.slice(4));
        if (acked >= 300 && !child.killed) child.kill('SIGKILL');
      });
      child.on('exit', () => resolve());
      child.on('error', reject);
    });
    assert.ok(acked >= 300, `the writer acknowledged ${acked} frames before it was killed`);
    const rec = await openRecording(spool, { customerId: 'acme', conversationId: 'killed', sampleRateHertz: 8000, channels: 2 });
    // Frames alternate channels: channel 1 holds the odd frames, channel 0 the even ones.
    const channel1 = Math.ceil(acked / 2);
    const channel0 = Math.floor(acked / 2);
    assert.ok(rec.seconds(1) * 8000 >= channel1 * 160, `channel 1 kept ${rec.seconds(1) * 8000} samples of ${channel1 * 160} acknowledged`);
    assert.ok(rec.seconds(0) * 8000 >= channel0 * 160);
    await rec.finish(blobs, 'audio/acme/killed.wav');
    const odd = (await channelOf(blobs, 'audio/acme/killed.wav', 1)).pcm;
    for (let i = 0; i < channel1; i++) assert.equal(odd[i * 160], 2 * i + 1, `frame ${2 * i + 1} is in place`);
    assert.deepEqual(await readdir(join(spool, 'acme')).then((d) => d.includes('killed')), false);
  });
});
