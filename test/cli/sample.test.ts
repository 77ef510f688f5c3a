import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { createCore } from '../../src/core/index.ts';
import type { Caller } from '../../src/kernel/types.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/parley.js');

describe('parley sample [postgres]', () => {
  let database: TestDatabase;
  let dir: string;
  const caller: Caller = { customerId: 'acme', keyId: 'test', profileId: null, agentId: null, scopes: ['*'] };

  before(async () => {
    database = await freshDatabase('postgres');
    dir = mkdtempSync(join(tmpdir(), 'parley-sample-'));
    const core = createCore(database.db);
    await core.tenancy.createCustomer('acme');
    for (let i = 0; i < 30; i++) {
      const { conversation } = await core.conversations.start(caller, 'acme', 'default', `c${i}`, { startTime: new Date(Date.UTC(2024, 0, 1, 0, i)) });
      const ref = { customerId: 'acme', profileId: 'default', nameId: conversation.nameId };
      await core.messages.append(caller, ref, [
        { text: 'You are helpful.', speaker: 'SYSTEM' },
        { text: `hello ${i}`, speaker: 'VISITOR' },
        { text: 'partial', speaker: 'AGENT', state: 'PARTIAL' },
        { text: `hi ${i}`, speaker: 'AGENT' },
        { text: 'bot', speaker: 'VIRTUAL_AGENT' },
        { text: 'whisper', speaker: 'SUPERVISOR' },
      ]);
      const [, , , , , last] = (await core.messages.list(ref, { pageSize: 10, descending: false })).messages;
      await core.messages.append(caller, ref, [{ text: 'to be deleted', speaker: 'VISITOR' }]);
      const deleted = (await core.messages.list(ref, { pageSize: 10, descending: false })).messages.at(-1)!;
      await core.messages.delete(caller, ref, deleted.id);
      assert.equal(last.speaker, 'SUPERVISOR');
    }
  });
  after(async () => {
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const sample = (args: string[]) =>
    run(process.execPath, [BIN, 'sample', '--profile', 'customers/acme/profiles/default', ...args], {
      env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: 'silent' },
    });
  const jsonl = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

  it('writes the openai format: roles mapped, deleted, partial and supervisor turns left out', async () => {
    const out = join(dir, 'openai.jsonl');
    const { stdout, stderr } = await sample(['--ratio', '0.5', '--out', out, '--format', 'openai']);
    const lines = jsonl(out);
    assert.ok(lines.length > 5 && lines.length < 25, `${lines.length} lines`);
    assert.match(stdout, new RegExp(`wrote ${lines.length} conversations`));
    assert.match(stderr, new RegExp(`^sampled ${lines.length} conversations$`, 'm'), 'plain progress lines without a TTY');
    for (const line of lines) {
      assert.deepEqual(Object.keys(line), ['messages']);
      const i = /hello (\d+)/.exec(line.messages[1].content)![1];
      assert.deepEqual(line.messages, [
        { role: 'system', content: 'You are helpful.' },
        { role: 'user', content: `hello ${i}` },
        { role: 'assistant', content: `hi ${i}` },
        { role: 'assistant', content: 'bot' },
      ]);
    }
    const again = join(dir, 'again.jsonl');
    await sample(['--ratio', '0.5', '--out', again]);
    assert.equal(readFileSync(again, 'utf8'), readFileSync(out, 'utf8'), 'openai is the default format; the sample is deterministic');
  });

  it('writes the parley format, the same sample as the HTTP call would give, honouring the window and caps', async () => {
    const out = join(dir, 'parley.jsonl');
    await sample(['--ratio', '1', '--start', '2024-01-01T00:10:00Z', '--end', '2024-01-01T00:20:00Z', '--max-conversations', '4', '--out', out, '--format', 'parley']);
    const lines = jsonl(out);
    assert.equal(lines.length, 4);
    const core = createCore(database.db);
    const expected = await core.sampling.sample(caller, 'acme', 'default', { maxConversationRatio: 1, startTime: '2024-01-01T00:10:00Z', endTime: '2024-01-01T00:20:00Z', maxConversations: '4' });
    assert.deepEqual(lines.map((l) => l.conversation.name.split('/').pop()), expected.conversations.map((c) => c.nameId));
    for (const line of lines) {
      assert.match(line.conversation.name, /^customers\/acme\/profiles\/default\/conversations\/c\d+$/);
      assert.equal(line.messages.length, 7, 'every message, tombstones included');
      assert.equal(line.messages[6].state, 'DELETED');
      assert.equal(line.messages[0].sequencePosition, 0);
    }
  });

  it('fails with a message on bad flags', async () => {
    for (const args of [['--ratio', '2', '--out', join(dir, 'x.jsonl')], ['--ratio', '0.1'], ['--out', join(dir, 'y.jsonl'), '--start', 'yesterday'], ['--out', join(dir, 'z.jsonl'), '--format', 'csv']]) {
      await assert.rejects(sample(args), (err: { code: number; stderr: string }) => err.code === 2 && /parley: /.test(err.stderr), args.join(' '));
    }
  });
});
