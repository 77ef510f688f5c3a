import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';
import { INGEST_LIMITS } from '../../src/core/ingest/limits.ts';
import { assertError, client, createConversation, createPrompt, snapshot } from './ingest-fixtures.ts';

/** Labelled text of exactly `bytes` UTF-8 bytes, in turns of at most `turnBytes` content bytes made of `char`. */
function textOfBytes(bytes: number, char = 'a', turnBytes = 90_000): string {
  const charBytes = Buffer.byteLength(char);
  const lines: string[] = [];
  let used = 0;
  for (;;) {
    const separator = lines.length ? 1 : 0;
    const room = bytes - used - separator - 'User: '.length;
    if (room <= turnBytes) {
      // A remainder smaller than one character is made up with ASCII.
      lines.push(`User: ${char.repeat(Math.floor(room / charBytes))}${'a'.repeat(room % charBytes)}`);
      break;
    }
    lines.push(`User: ${char.repeat(turnBytes / charBytes)}`);
    used += separator + 'User: '.length + turnBytes;
  }
  const text = lines.join('\n');
  assert.equal(Buffer.byteLength(text), bytes);
  return text;
}

const structured = (messages: unknown[]) => JSON.stringify({ messages });

forEachDriver('ingest surface: limits (413 before any write)', (kind) => {
  const ctx = useTestApp(kind);
  const api = client(ctx, () => ctx.a);
  let promptId: string;
  before(async () => {
    promptId = await createPrompt(api);
  });

  async function refused(url: string, payload: unknown, limit: string) {
    const before = await snapshot(ctx);
    const error = assertError(await api.post(url, payload), 413, 'PAYLOAD_TOO_LARGE', limit);
    assert.equal(error.details.limit, limit);
    assert.equal(typeof error.details.max, 'number');
    assert.deepEqual(await snapshot(ctx), before);
    return error;
  }

  it('content: 512,000 UTF-8 bytes is accepted, one byte more is 413', async () => {
    assert.equal(INGEST_LIMITS.contentBytes, 512_000);
    const { id } = await createConversation(api, { promptId, content: textOfBytes(512_000) });
    assert.equal((await api.get(`/conversations/${id}?includeInsights=false`)).json().messages.length, 6);
    const error = await refused('/conversations', { promptId, content: textOfBytes(512_001) }, 'contentBytes');
    assert.match(error.message, /512,000/);
    // Bytes, not characters: 256,000 two-byte characters are 512,000 bytes.
    await createConversation(api, { promptId, content: textOfBytes(512_000, 'é') });
    await refused('/conversations', { promptId, content: `${textOfBytes(512_000, 'é')}a` }, 'contentBytes');
  });

  it('the create body limit lets the largest content through even when JSON escapes every byte', async () => {
    const content = textOfBytes(512_000, '\u0001');
    const body = JSON.stringify({ promptId, content });
    assert.ok(body.length > 6 * 500_000, 'escaped to about 6 bytes a byte');
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/conversations', headers: { ...ctx.a.auth, 'content-type': 'application/json' }, payload: body });
    assert.equal(res.statusCode, 200, res.body.slice(0, 300));
    const before = await snapshot(ctx);
    const huge = await ctx.app.inject({
      method: 'POST', url: '/api/v1/conversations', headers: { ...ctx.a.auth, 'content-type': 'application/json' },
      payload: JSON.stringify({ promptId, content: 'x'.repeat(5 * 1024 * 1024) }),
    });
    assert.equal(assertError(huge, 413, 'PAYLOAD_TOO_LARGE').details.limit, 'bodyBytes');
    assert.deepEqual(await snapshot(ctx), before);
  });

  it('messages: 500 in a structured content is accepted, 501 is 413; the text format counts turns the same way', async () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `m${i}` }));
    const { id } = await createConversation(api, { promptId, content: structured(many(500)) });
    assert.equal((await api.get(`/conversations/${id}?includeInsights=false`)).json().messageCount, 500);
    await refused('/conversations', { promptId, content: structured(many(501)) }, 'messages');
    const turns = (n: number) => Array.from({ length: n }, (_, i) => `User: t${i}`).join('\n');
    await createConversation(api, { promptId, content: turns(500) });
    await refused('/conversations', { promptId, content: turns(501) }, 'messages');
  });

  it('one message: 100,000 UTF-8 bytes is accepted, one byte more is 413 (create and append)', async () => {
    assert.equal(INGEST_LIMITS.messageBytes, 100_000);
    const twoByte = 'é'.repeat(50_000);
    await createConversation(api, { promptId, content: structured([{ role: 'user', content: twoByte }]) });
    const error = await refused('/conversations', { promptId, content: structured([{ role: 'user', content: `${twoByte}a` }]) }, 'messageBytes');
    assert.ok('content.messages[0].content' in error.details);
    await createConversation(api, { promptId, content: `User: ${'b'.repeat(100_000)}` });
    await refused('/conversations', { promptId, content: `User: ${'b'.repeat(100_001)}` }, 'messageBytes');
    const id = (await createConversation(api, { promptId, content: '', status: 'active' })).id;
    assert.equal((await api.post(`/conversations/${id}/messages`, { messages: [{ role: 'user', content: twoByte }] })).statusCode, 200);
    await refused(`/conversations/${id}/messages`, { messages: [{ role: 'user', content: 'ok' }, { role: 'assistant', content: `${twoByte}a` }] }, 'messageBytes');
  });

  it('append: 500 messages a request, and at most 5,000 accumulated', async () => {
    const id = (await createConversation(api, { promptId, content: '', status: 'active' })).id;
    const batch = (n: number, tag: string) => ({ messages: Array.from({ length: n }, (_, i) => ({ role: 'user', content: `${tag}-${i}` })) });
    await refused(`/conversations/${id}/messages`, batch(501, 'x'), 'messages');
    for (let i = 0; i < 10; i++) {
      const res = await api.post(`/conversations/${id}/messages`, batch(500, `b${i}`));
      assert.equal(res.statusCode, 200, res.body.slice(0, 300));
    }
    assert.equal((await api.get(`/conversations/${id}?includeInsights=false`)).json().messageCount, INGEST_LIMITS.conversationMessages);
    await refused(`/conversations/${id}/messages`, batch(1, 'over'), 'conversationMessages');
  });
});
