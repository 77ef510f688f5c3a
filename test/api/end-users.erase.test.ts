import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';
import type { Caller } from '../../src/kernel/types.ts';
import { FsBlobStore } from '../../src/providers/blobs/blob-store.ts';
import { voiceMessageKey } from '../../src/core/interactions/message-source.ts';
import { wireId } from '../../src/api/support/ids.ts';
import { signIn } from './agent-fixtures.ts';
import { assertPieces, createConversation, ndjsonLines } from './agent-turns.ts';
import { agentKey, supportAgent, supportCall, type SupportCall } from './support-fixtures.ts';

const acme: Caller = { customerId: 'acme', keyId: 'test', profileId: null, agentId: null, scopes: ['*'] };
/** What only the person's data holds: none of it may be left anywhere after the erasure. */
const PERSONAL = ['rider-1', 'jane.rider@example.com', 'Zanzibar-7731'];

forEachDriver('erasure of an end user across every surface', (kind) => {
  const blobDir = mkdtempSync(join(tmpdir(), 'parley-erasure-'));
  const blobs = new FsBlobStore(blobDir);
  const ctx = useTestApp(kind, { blobs });
  let support: SupportCall;
  let personId: string;
  /** The person's conversations, one per surface. */
  const theirs: Record<'conversations' | 'agent' | 'support', string> = { conversations: '', agent: '', support: '' };
  let voiceFile: string;
  let othersConversation: string;

  const erase = (user: string, auth = ctx.a.auth, customer = 'acme') =>
    ctx.app.inject({ method: 'POST', url: `/v1/customers/${customer}/endUsers/${encodeURIComponent(user)}:erase`, headers: auth, payload: {} });

  /** Every row of every table of the database, as text, that contains `needle`: table → count. */
  async function rowsEverywhere(needle: string): Promise<Record<string, number>> {
    const tables = await ctx.database.db.query<{ name: string }>(
      `SELECT quote_ident(table_name) AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`);
    const found: Record<string, number> = {};
    for (const { name } of tables) {
      const [row] = await ctx.database.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${name} x WHERE strpos(x::text, $1) > 0`, [needle]);
      if (row.n > 0) found[name] = row.n;
    }
    return found;
  }

  before(async () => {
    const agentId = await supportAgent(ctx);
    support = supportCall(ctx, await agentKey(ctx, agentId));

    // The support desk: the person with their name and address, a conversation, a question answered.
    const created = await support('POST', '/conversations', { conversationUserId: 'rider-1', title: 'Returns' });
    assert.equal(created.statusCode, 201, created.body);
    theirs.support = created.json().aiConversationId;
    personId = (await ctx.database.db.query<{ end_user_id: string }>('SELECT end_user_id FROM conversations WHERE id = $1', [theirs.support]))[0].end_user_id;
    await ctx.database.db.query(`UPDATE end_users SET email = 'jane.rider@example.com' WHERE id = $1`, [personId]);
    const asked = await support('POST', `/conversations/${created.json().id}/messages`, { message: 'My locker code is Zanzibar-7731, can I return my bike?' });
    assert.equal(asked.statusCode, 201, asked.body);

    // The agent surface: the same person signed in by the same id, a conversation and their feedback on it.
    const token = (await signIn(ctx, ctx.a, 'rider-1')).id_token;
    // Another agent: the support desk's conversation is the person's unfinished one with the first.
    const opened = await createConversation(ctx.app, 'acme', token, { service_id: await supportAgent(ctx, 'acme', 'App helper') });
    assert.equal(opened.statusCode, 201, opened.body);
    const agentLines = await ndjsonLines(opened);
    theirs.agent = agentLines[0].conversation_id as string;
    assertPieces(agentLines.slice(1));
    const feedback = await ctx.app.inject({
      method: 'POST', url: `/v1/acme/conversation/${theirs.agent}/feedback/`, headers: { authorization: `Bearer ${token}` }, payload: { comment: 'Thanks' },
    });
    assert.equal(feedback.statusCode, 201, feedback.body);

    // The conversations surface, before conversations named their end user: only the visitor's externalUserId says who.
    const { conversation } = await ctx.core.conversations.start(acme, 'acme', 'default', undefined, { visitor: { externalUserId: 'rider-1' } });
    theirs.conversations = conversation.id;
    voiceFile = join(blobDir, voiceMessageKey('acme', conversation.id, 'm1', 'audio/wav'));
    const voiceKey = voiceMessageKey('acme', conversation.id, 'm1', 'audio/wav');
    await blobs.put(voiceKey, Buffer.from('RIFF Zanzibar-7731'), 'audio/wav');
    await ctx.core.messages.append(acme, { customerId: 'acme', id: conversation.id }, [
      { text: 'Hi, Zanzibar-7731 here', speaker: 'VISITOR' },
      { text: 'hello (spoken)', speaker: 'VISITOR', metadata: { format: 'voice', source: { key: voiceKey, contentType: 'audio/wav' } } },
    ], { requestId: 'append-1' });
    // Its idempotency record (kept 24 h) holds ids only: the check below that nothing holds the person covers it.
    await ctx.core.conversations.setState(acme, { customerId: 'acme', id: conversation.id }, 'CLOSED');
    assert.equal(await ctx.core.insights.analyze('acme', conversation.id, 'job-1', new AbortController().signal), 'analysed');

    // Someone else's conversation, on which the person voted (by Parley id) and left feedback (by their id): the votes go, the rest stays.
    const other = await support('POST', '/conversations', { conversationUserId: 'rider-2' });
    othersConversation = other.json().aiConversationId;
    const reply = await support('POST', `/conversations/${other.json().id}/messages`, { message: 'When are you open?' });
    assert.equal(reply.statusCode, 201, reply.body);
    const answer = reply.json().id as string;
    // The person votes twice: by Parley id in the support surface's UUID form, and by the caller's id for them.
    for (const userId of [wireId(personId), 'rider-1', 'rider-2']) {
      const vote = await support('POST', '/conversation-message-feedbacks', { conversationMessageId: answer, userId, voteType: 'up', question: 'When are you open?' });
      assert.equal(vote.statusCode, 201, vote.body);
    }
    // The agent surface has no route for feedback on another's conversation: this one is written as the store would.
    await ctx.database.db.query(
      `INSERT INTO agent_feedback (customer_id, id, conversation_id, user_id, content) VALUES ('acme', 'f-by-rider-1', $1, 'rider-1', '{"comment":"ok"}')`,
      [othersConversation]);
  });

  it('refuses what it cannot do in the conversations surface\'s error shape, changing nothing', async () => {
    const before = await ctx.snapshot();
    const unknown = await erase('nobody');
    assert.equal(unknown.statusCode, 404, unknown.body);
    const { code, message } = unknown.json() as { code: number; message: string };
    assert.deepEqual({ code, message }, { code: 5, message: 'end user not found' });
    assert.equal((await erase('rider-1', ctx.b.auth)).statusCode, 404, 'another customer\'s key');
    assert.equal((await erase('rider-1', ctx.b.auth, 'globex')).statusCode, 404, 'a person of another customer');
    const narrowed = await erase('rider-1', ctx.aSupport.auth);
    assert.equal(narrowed.statusCode, 403, narrowed.body);
    assert.equal(narrowed.json().code, 7);
    const unauthenticated = await ctx.app.inject({ method: 'POST', url: '/v1/customers/acme/endUsers/rider-1:erase', payload: {} });
    assert.equal(unauthenticated.statusCode, 401);
    const withBody = await ctx.app.inject({ method: 'POST', url: '/v1/customers/acme/endUsers/rider-1:erase', headers: ctx.a.auth, payload: { all: true } });
    assert.equal(withBody.statusCode, 400, withBody.body);
    assert.deepEqual(await ctx.snapshot(), before);
    assert.ok(existsSync(voiceFile));
  });

  it('erases every conversation, message, recording, analysis, feedback and vote of the person, and reports exactly that', async () => {
    const ids = Object.values(theirs).sort();
    const count = async (table: string) => (await ctx.database.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${table} WHERE customer_id = 'acme' AND conversation_id = ANY($1::text[])`, [ids]))[0].n;
    const expected = {
      conversations: 3,
      messages: await count('messages'),
      recordings: 1,
      analyses: await count('analyses'),
      agentFeedback: (await count('agent_feedback')) + 1,
      messageFeedback: (await count('message_feedback')) + 2,
      endUsers: 1,
    };
    assert.ok(expected.messages >= 5 && expected.analyses === 1 && expected.agentFeedback === 2 && expected.messageFeedback === 2, JSON.stringify(expected));
    const othersBefore = await ctx.database.db.query(`SELECT seq, text FROM messages WHERE conversation_id = $1 ORDER BY seq`, [othersConversation]);

    const res = await erase('rider-1');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { endUser: { id: personId, externalUserId: 'rider-1' }, removed: expected, conversationIds: ids });

    assert.equal(existsSync(voiceFile), false, 'the recording is deleted');
    for (const needle of [...PERSONAL, personId]) assert.deepEqual(await rowsEverywhere(needle), {}, `nothing holds ${needle}`);
    // What stays of each conversation: its CONVERSATION_DELETE, ids only.
    const left = await ctx.database.db.query<{ conversation_id: string; type: string; payload: Record<string, unknown> }>(
      `SELECT conversation_id, type, payload FROM events WHERE customer_id = 'acme' AND conversation_id = ANY($1::text[]) ORDER BY conversation_id`, [ids]);
    assert.deepEqual(left.map((e) => e.type), ['CONVERSATION_DELETE', 'CONVERSATION_DELETE', 'CONVERSATION_DELETE']);
    for (const e of left) assert.deepEqual(Object.keys(e.payload).sort(), ['nameId', 'profileId']);

    // The other person keeps their conversation, messages and vote; only the erased person's vote and feedback on it are gone.
    assert.deepEqual(await ctx.database.db.query(`SELECT seq, text FROM messages WHERE conversation_id = $1 ORDER BY seq`, [othersConversation]), othersBefore);
    const votes = await ctx.database.db.query<{ user_id: string }>(`SELECT user_id FROM message_feedback WHERE conversation_id = $1`, [othersConversation]);
    assert.deepEqual(votes.map((v) => v.user_id), ['rider-2']);
    assert.deepEqual(await ctx.database.db.query(`SELECT id FROM agent_feedback WHERE conversation_id = $1`, [othersConversation]), []);
    assert.equal((await ctx.database.db.query(`SELECT 1 FROM end_users WHERE external_id = 'rider-2'`)).length, 1);

    // Erased: a second erasure finds nobody.
    assert.equal((await erase('rider-1')).statusCode, 404);
    assert.equal((await erase(personId)).statusCode, 404);
  });

  it('erases a person the conversations surface only names as its visitor (no end-user record), leaving the others', async () => {
    const start = (visitor: string) => ctx.core.conversations.start(acme, 'acme', 'support', undefined, { visitor: { externalUserId: visitor } });
    const { conversation: visitorOnly } = await start('caller-77');
    const { conversation: someoneElse } = await start('caller-78');
    const res = await erase('caller-77');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), {
      endUser: { externalUserId: 'caller-77' },
      removed: { conversations: 1, messages: 0, recordings: 0, analyses: 0, agentFeedback: 0, messageFeedback: 0, endUsers: 0 },
      conversationIds: [visitorOnly.id],
    });
    assert.equal((await ctx.database.db.query('SELECT 1 FROM conversations WHERE id = $1', [someoneElse.id])).length, 1);
    assert.equal((await erase('caller-77')).statusCode, 404, 'nothing names them any more');
  });

  it('refuses a malformed user with INVALID_ARGUMENT, changing nothing', async () => {
    const before = await ctx.snapshot();
    for (const user of [' ', 'x'.repeat(1025), 'a\u0007b']) {
      const res = await erase(user);
      assert.equal(res.statusCode, 400, `${JSON.stringify(user)}: ${res.body}`);
      assert.equal(res.json().code, 3);
    }
    assert.deepEqual(await ctx.snapshot(), before);
  });

  it('finds the person by Parley id as well, for an end user with nothing but the record', async () => {
    await support('POST', '/conversations', { conversationUserId: 'rider-3' }).then((r) => assert.equal(r.statusCode, 201, r.body));
    const [row] = await ctx.database.db.query<{ id: string }>(`SELECT id FROM end_users WHERE external_id = 'rider-3'`);
    const res = await erase(row.id);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().removed.conversations, 1);
    assert.equal(res.json().removed.endUsers, 1);
  });
});
