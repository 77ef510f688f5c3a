import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { buildApp } from '../../src/api/http.ts';
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

  it('writes the openai format: roles mapped, deleted and partial turns left out', async () => {
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
        { role: 'assistant', content: 'whisper' },
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

describe('parley sample --format openai on conversations written through every surface [postgres]', () => {
  let database: TestDatabase;
  let dir: string;
  const caller: Caller = { customerId: 'acme', keyId: 'test', profileId: null, agentId: null, scopes: ['*'] };

  before(async () => {
    database = await freshDatabase('postgres');
    dir = mkdtempSync(join(tmpdir(), 'parley-sample-surfaces-'));
    const core = createCore(database.db, { keyCacheSeconds: 0 });
    const app = await buildApp({ core, logger: pino({ level: 'silent' }) });
    await core.tenancy.createCustomer('acme');
    const headers = { authorization: `Bearer ${(await core.apiKeys.create({ customerId: 'acme' })).secret}` };
    const send = async (method: 'POST', url: string, payload: object) => {
      const res = await app.inject({ method, url, headers, payload });
      assert.ok(res.statusCode < 300, `${url}: ${res.statusCode} ${res.body}`);
      return res.json();
    };
    try {
      // The conversations surface: the vendor's participant roles, and a message sent without a speaker.
      const conversations = '/v1/customers/acme/profiles/default/conversations';
      await send('POST', `${conversations}/chat-1:start`, {
        channel: 'CHAT', participants: [{ role: 'VISITOR', externalUserId: 'v-1' }, { role: 'AGENT', user: 'customers/acme/users/alice' }],
      });
      await send('POST', `${conversations}/chat-1/conversationMessages:batchCreate`, {
        conversationMessages: [
          { text: 'My parcel never arrived.', speaker: 'VISITOR' },
          { text: 'Sorry to hear that, let me look.', speaker: 'AGENT' },
          { text: 'Agent Alice joined the chat' },
          { text: 'Offer a reship.', speaker: 'SUPERVISOR' },
        ],
      });
      // Started and never spoken in: nothing to carry.
      await send('POST', `${conversations}/chat-empty:start`, { channel: 'CHAT' });
      // The ingest surface: user, assistant (calling a tool), tool and system turns.
      const prompt = await send('POST', '/api/v1/prompts', { name: 'Weather bot', content: 'Answer weather questions.' });
      await send('POST', '/api/v1/conversations', {
        promptId: prompt.id,
        content: JSON.stringify({ messages: [
          { role: 'system', content: 'You answer weather questions.' },
          { role: 'user', content: 'Weather in Bern?' },
          { role: 'assistant', content: 'Checking.', toolCalls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Bern"}' } }] },
          { role: 'tool', content: '{"sky":"sunny"}' },
          { role: 'assistant', content: 'Sunny in Bern.' },
        ] }),
      });
      // The voice surface: a MIXED call's transcript has no speaker, a SEPARATE call's the channel's role.
      const voice = '/v1/voicecallsession/customers/acme/profiles/default/sessionEvent:process';
      for (const call of ['call-mixed', 'call-separate']) {
        for (const eventType of ['CALL_START', 'CALL_END']) await send('POST', voice, { sessionEvent: { eventType, platformCallId: call } });
      }
      const ids = await database.db.query<{ id: string; platform_conversation_id: string }>(
        `SELECT id, platform_conversation_id FROM conversations WHERE customer_id = 'acme' AND channel = 'VOICE'`,
      );
      const idOf = (call: string) => ids.find((r) => r.platform_conversation_id === call)!.id;
      await core.transcripts.appendTranscript(caller, idOf('call-mixed'), 'test', [
        { channel: 0, role: 'ROLE_UNSPECIFIED', text: 'Thanks for calling.', start: 0.5, end: 1.5 },
        { channel: 0, role: 'ROLE_UNSPECIFIED', text: 'Hi, my card is blocked.', start: 2, end: 3 },
      ]);
      await core.transcripts.appendTranscript(caller, idOf('call-separate'), 'test', [
        { channel: 0, role: 'AGENT', text: 'Thanks for calling.', start: 0.5, end: 1.5 },
        { channel: 1, role: 'VISITOR', text: 'My card is blocked.', start: 2, end: 3 },
      ]);
    } finally {
      await app.close();
    }
  });
  after(async () => {
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('carries every spoken message under its chat role, and writes no line for a conversation without one', async () => {
    const out = join(dir, 'openai.jsonl');
    const { stdout } = await run(process.execPath, [BIN, 'sample', '--profile', 'customers/acme/profiles/default', '--ratio', '1', '--out', out, '--format', 'openai'], {
      env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: 'silent' },
    });
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { messages: { role: string; content: string }[] });
    assert.match(stdout, /wrote 4 conversations/);
    assert.equal(lines.length, 4, JSON.stringify(lines));
    const byFirst = new Map(lines.map((l) => [l.messages[0]?.content ?? '', l.messages]));
    assert.deepEqual(byFirst.get('My parcel never arrived.'), [
      { role: 'user', content: 'My parcel never arrived.' },
      { role: 'assistant', content: 'Sorry to hear that, let me look.' },
      { role: 'system', content: 'Agent Alice joined the chat' },
      { role: 'assistant', content: 'Offer a reship.' },
    ]);
    assert.deepEqual(byFirst.get('You answer weather questions.'), [
      { role: 'system', content: 'You answer weather questions.' },
      { role: 'user', content: 'Weather in Bern?' },
      { role: 'assistant', content: 'Checking.' },
      { role: 'tool', content: '{"sky":"sunny"}' },
      { role: 'assistant', content: 'Sunny in Bern.' },
    ]);
    const calls = lines.filter((l) => l.messages[0].content === 'Thanks for calling.').map((l) => l.messages.map((m) => `${m.role}: ${m.content}`));
    assert.deepEqual(calls.sort(), [
      ['assistant: Thanks for calling.', 'user: My card is blocked.'],
      ['system: Thanks for calling.', 'system: Hi, my card is blocked.'],
    ]);
  });
});
