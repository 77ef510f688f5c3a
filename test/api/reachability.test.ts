import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';
import { assertError, client } from './ingest-fixtures.ts';
import { processEvent, sessionEvent } from './voice-helpers.ts';

/** Issue 13, "Conversations reachable from every surface". */
forEachDriver('conversations reachable from every surface', (kind) => {
  const ctx = useTestApp(kind);
  const base = '/v1/customers/acme/profiles/default/conversations';
  const ingest = client(ctx, () => ctx.a);
  const start = async (path: string, payload: Record<string, unknown> = {}, auth = ctx.a.auth) => {
    const res = await ctx.app.inject({ method: 'POST', url: path, headers: auth, payload });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };
  const get = (url: string, auth = ctx.a.auth) => ctx.app.inject({ method: 'GET', url, headers: auth });

  it('shows the 24-hex id as uid, and every conversations route takes it beside the client-chosen id', async () => {
    const started = await start(`${base}/call-42:start`, { displayName: 'chosen' });
    assert.equal(started.name, `${base.slice(4)}/call-42`);
    assert.match(started.uid, /^[a-f0-9]{24}$/);
    const byUid = await get(`${base}/${started.uid}`);
    assert.equal(byUid.statusCode, 200, byUid.body);
    assert.deepEqual(byUid.json().conversation, started, 'the same conversation, named by its client-chosen id');

    const posted = await ctx.app.inject({ method: 'POST', url: `${base}/${started.uid}/conversationMessages`, headers: ctx.a.auth, payload: { text: 'hello', speaker: 'VISITOR' } });
    assert.equal(posted.statusCode, 200, posted.body);
    assert.match(posted.json().name, new RegExp(`^${base.slice(4)}/call-42/messages/[a-f0-9]{24}$`), 'names render with the client-chosen id');
    const messageId = posted.json().name.split('/').pop();
    const listed = (await get(`${base}/call-42/conversationMessages`)).json().conversationMessages;
    assert.deepEqual(listed.map((m: { text: string }) => m.text), ['hello']);
    const batch = await get(`${base}/call-42/conversationMessages:batchGet?names=${encodeURIComponent(`${base.slice(4)}/${started.uid}/messages/${messageId}`)}`);
    assert.equal(batch.statusCode, 200, batch.body);
    assert.equal(batch.json().conversationMessages[0].name, posted.json().name);

    const renamed = await ctx.app.inject({ method: 'POST', url: `${base}/${started.uid}:updateDisplayName`, headers: ctx.a.auth, payload: { displayName: 'by uid' } });
    assert.equal(renamed.statusCode, 200, renamed.body);
    assert.equal((await get(`${base}/call-42`)).json().conversation.displayName, 'by uid');
    const batchGet = await get(`${base}:batchGet?names=${encodeURIComponent(`${base.slice(4)}/${started.uid}`)}&names=${encodeURIComponent(started.name)}`);
    assert.equal(batchGet.statusCode, 200, batchGet.body);
    assert.deepEqual(batchGet.json().conversations.map((c: { name: string }) => c.name), [started.name, started.name]);
    const events = await get(`${base}/${started.uid}/events`);
    assert.equal(events.statusCode, 200, events.body);
    assert.ok(events.json().conversationEvents.every((e: { name: string }) => e.name.startsWith(`${started.name}/events/`)));
  });

  it('a start with another conversation\'s 24-hex id returns that conversation instead of taking its id as a name', async () => {
    const first = await start(`${base}/chosen-name:start`, { displayName: 'first' });
    const before = await ctx.snapshot();
    const again = await start(`${base}/${first.uid}:start`, { displayName: 'ignored' });
    assert.deepEqual(again, first);
    assert.deepEqual(await ctx.snapshot(), before);
    const fresh = 'abcdefabcdefabcdefabcdef';
    const named = await start(`${base}/${fresh}:start`, {});
    assert.equal(named.name, `${base.slice(4)}/${fresh}`, 'a 24-hex id that is no conversation\'s is a new name');
  });

  it('keeps the 24-hex id inside its customer and profile', async () => {
    const started = await start(`${base}/scoped-1:start`);
    assert.equal((await get(`${base}/${started.uid}`, ctx.b.auth)).statusCode, 404);
    assert.equal((await get(`/v1/customers/globex/profiles/default/conversations/${started.uid}`, ctx.b.auth)).statusCode, 404);
    assert.equal((await get(`/v1/customers/acme/profiles/support/conversations/${started.uid}`)).statusCode, 404);
    assert.equal((await get(`${base}/${started.uid}`, ctx.aSupport.auth)).statusCode, 404);
    assert.equal((await get(`${base}/${'0'.repeat(24)}`)).statusCode, 404);
  });

  it('reads a conversation with a client-chosen id through the ingest surface, and an ingest id on the conversations surface', async () => {
    const started = await start(`${base}/ingest-visible:start`, {});
    const got = await ingest.get(`/conversations/conv_${started.uid}`);
    assert.equal(got.statusCode, 200, got.body);
    assert.equal(got.json().id, `conv_${started.uid}`);
    const listed = (await ingest.get('/conversations?limit=100&profileId=default')).json().data.find((c: { id: string }) => c.id === `conv_${started.uid}`);
    assert.ok(listed, 'the ingest list shows it');
    const back = await get(`${base}/${listed.id.slice('conv_'.length)}`);
    assert.equal(back.statusCode, 200, back.body);
    assert.equal(back.json().conversation.name, started.name);
  });

  it('lists every profile the key sees on the ingest surface, with a profileId filter', async () => {
    const inSupport = await start('/v1/customers/acme/profiles/support/conversations/support-1:start', {});
    const inDefault = await start(`${base}/default-1:start`, {});
    const ids = async (query: string, who = ingest) => {
      const res = await who.get(`/conversations?limit=100${query}`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json().data.map((c: { id: string }) => c.id) as string[];
    };
    const [supportId, defaultId] = [`conv_${inSupport.uid}`, `conv_${inDefault.uid}`];
    const all = await ids('');
    assert.ok(all.includes(supportId) && all.includes(defaultId), 'both profiles');
    const support = await ids('&profileId=support');
    assert.ok(support.includes(supportId) && !support.includes(defaultId));
    const inDefaultProfile = await ids('&profileId=default');
    assert.ok(inDefaultProfile.includes(defaultId) && !inDefaultProfile.includes(supportId));
    assert.deepEqual([...support, ...inDefaultProfile].sort(), [...all].sort(), 'the two profiles make the whole list');
    assert.deepEqual(await ids('&profileId=nope'), []);
    const total = (await ingest.get('/conversations?profileId=support')).json().pagination.total;
    assert.equal(total, support.length);

    const narrowed = client(ctx, () => ctx.aSupport);
    assert.deepEqual(await ids('', narrowed), support, 'a narrowed key sees its profile only');
    assert.deepEqual(await ids('&profileId=support', narrowed), support);
    assert.deepEqual(await ids('&profileId=default', narrowed), []);
    assert.deepEqual(await ids('', client(ctx, () => ctx.b)), [], 'another customer sees none');

    for (const bad of ['Bad!', '', '-x', 'a'.repeat(64)]) {
      const error = assertError(await ingest.get(`/conversations?profileId=${encodeURIComponent(bad)}`), 400, 'VALIDATION_ERROR', bad);
      assert.ok('profileId' in error.details, bad);
    }
  });

  it('finds a voice call by its platform call id on conversations:fetchByPlatformId', async () => {
    const res = await processEvent(ctx, { sessionEvent: sessionEvent('CALL_START', 'pc-77', '2024-06-01T12:00:00Z') });
    assert.equal(res.statusCode, 200, res.body);
    const fetch = (account: string) => get(`${base}:fetchByPlatformId?platformConversationId=pc-77&platformAccountId=${account}`);
    const found = await fetch('any-account');
    assert.equal(found.statusCode, 200, found.body);
    assert.equal(found.json().conversations.length, 1);
    const call = found.json().conversation;
    assert.equal(call.channel, 'VOICE');
    assert.equal(call.platformInfo.platformConversationId, 'pc-77');

    // A chat logged with the same platform ids sorts beside the call by start time.
    const chat = await start(`${base}/chat-of-pc-77:start`, {
      platformInfo: { platformConversationId: 'pc-77', platformAccountId: 'acct-1' }, startTime: '2024-06-01T13:00:00Z',
    });
    const both = (await fetch('acct-1')).json();
    assert.deepEqual(both.conversations.map((c: { name: string }) => c.name), [call.name, chat.name]);
    assert.equal(both.conversation.name, chat.name);
    assert.deepEqual((await fetch('acct-2')).json().conversations.map((c: { name: string }) => c.name), [call.name]);
    assert.equal((await get(`${base}:fetchByPlatformId?platformConversationId=pc-77&platformAccountId=x`, ctx.b.auth)).statusCode, 404);
    assert.equal((await get(`/v1/customers/acme/profiles/support/conversations:fetchByPlatformId?platformConversationId=pc-77&platformAccountId=x`)).statusCode, 404);
  });
});
