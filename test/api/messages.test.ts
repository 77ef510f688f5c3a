import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { TABLES, useTestApp, type TestContext } from '../helpers/app.ts';

const base = '/v1/customers/acme/profiles/default/conversations';

async function startConversation(ctx: TestContext, id?: string): Promise<string> {
  const res = await ctx.app.inject({ method: 'POST', url: id ? `${base}/${id}:start` : `${base}:start`, headers: ctx.a.auth, payload: {} });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().name as string;
}

async function post(ctx: TestContext, url: string, payload: unknown) {
  return ctx.app.inject({ method: 'POST', url, headers: ctx.a.auth, payload: payload as object });
}

async function get(ctx: TestContext, url: string) {
  return ctx.app.inject({ method: 'GET', url, headers: ctx.a.auth });
}

/** Rows of every core table whose whole row, as text, contains `needle`. */
async function rowsContaining(ctx: TestContext, needle: string): Promise<Record<string, number>> {
  const found: Record<string, number> = {};
  for (const table of TABLES) {
    const rows = await ctx.database.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} x WHERE strpos(x::text, $1) > 0`, [needle]);
    if (rows[0].n > 0) found[table] = rows[0].n;
  }
  return found;
}

forEachDriver('conversation messages', (kind) => {
  const ctx = useTestApp(kind);
  let conv: string;
  before(async () => {
    conv = await startConversation(ctx, 'msgs-main');
  });

  it('refuses a message that says nothing, writing nothing; textHtml or originalEventData alone is content', async () => {
    const conversation = await startConversation(ctx, 'msgs-empty');
    const count = async () => (await ctx.database.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages`))[0].n;
    const before = await count();
    for (const [url, payload, field] of [
      [`/v1/${conversation}/conversationMessages`, { speaker: 'VISITOR' }, 'conversationMessages[0].text'],
      [`/v1/${conversation}/conversationMessages`, { text: ' \n\t', speaker: 'VISITOR' }, 'conversationMessages[0].text'],
      [`/v1/${conversation}/conversationMessages:batchCreate`, { conversationMessages: [{ text: 'fine' }, { text: '' }] }, 'conversationMessages[1].text'],
    ] as const) {
      const res = await post(ctx, url, payload);
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().code, 3);
      assert.equal(res.json().details[0].fieldViolations[0].field, field);
    }
    assert.equal(await count(), before);
    for (const payload of [{ textHtml: '<img alt="map">' }, { originalEventData: { sticker: 'thumbs-up' } }]) {
      const res = await post(ctx, `/v1/${conversation}/conversationMessages`, payload);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().text, '');
    }
  });

  it('creates a message and reads it back by name and in the list', async () => {
    const res = await post(ctx, `/v1/${conv}/conversationMessages`, {
      text: 'hello', speaker: 'VISITOR', audioStartOffset: '1.5s', audioEndOffset: '2s', originalEventData: { raw: 1 },
    });
    assert.equal(res.statusCode, 200, res.body);
    const message = res.json();
    assert.match(message.name, new RegExp(`^${conv}/messages/[a-f0-9]{24}$`));
    assert.equal(message.text, 'hello');
    assert.equal(message.speaker, 'VISITOR');
    assert.equal(message.state, 'FINAL');
    assert.equal(message.sequencePosition, 0);
    assert.equal(message.audioStartOffset, '1.5s');
    assert.equal(message.audioEndOffset, '2s');
    assert.deepEqual(message.originalEventData, { raw: 1 });
    assert.deepEqual(message.redactions, []);
    const got = await get(ctx, `/v1/${message.name}`);
    assert.equal(got.statusCode, 200, got.body);
    assert.deepEqual(got.json(), message);
    const list = await get(ctx, `/v1/${conv}/conversationMessages`);
    assert.equal(list.statusCode, 200);
    assert.deepEqual(list.json(), { conversationMessages: [message], nextPageToken: '' });
  });

  it('refuses unknown fields, wrong types, bad enums and malformed names, writing nothing', async () => {
    const before = await ctx.snapshot();
    for (const payload of [{ text: 'x', bogus: 1 }, { text: 5 }, { text: 'x', speaker: 'ROBOT' }, { text: 'x', state: 'GONE' }, { text: 'x', audioStartOffset: 12 }]) {
      const res = await post(ctx, `/v1/${conv}/conversationMessages`, payload);
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.equal(res.json().code, 3);
      assert.ok(res.json().details[0].fieldViolations[0].field, 'names the field');
    }
    const deleted = await post(ctx, `/v1/${conv}/conversationMessages`, { text: 'x', state: 'DELETED' });
    assert.equal(deleted.statusCode, 400);
    const badName = await get(ctx, `/v1/${conv}/messages/NOT-HEX`);
    assert.equal(badName.statusCode, 400, badName.body);
    assert.equal(badName.json().code, 3);
    const badConv = await post(ctx, `${base}/bad!name/conversationMessages`, { text: 'x' });
    assert.equal(badConv.statusCode, 400, badConv.body);
    const batchBad = await get(ctx, `/v1/${conv}/conversationMessages:batchGet?names=customers/acme/messages/x`);
    assert.equal(batchBad.statusCode, 400);
    assert.equal(batchBad.json().details[0].fieldViolations[0].field, 'names[0]');
    const badOrder = await get(ctx, `/v1/${conv}/conversationMessages?orderBy=createTime`);
    assert.equal(badOrder.statusCode, 400);
    assert.deepEqual(await ctx.snapshot(), before);
  });

  it('refuses the NUL character (which PostgreSQL cannot store) in any string or key, naming the field, writing nothing', async () => {
    const before = await ctx.snapshot();
    const cases: Array<[unknown, string]> = [
      [{ text: 'a\u0000b' }, 'text'],
      [{ text: 'ok', speakerInfo: { nested: { list: ['fine', 'not\u0000fine'] } } }, 'speakerInfo.nested.list[1]'],
      [{ text: 'ok', originalEventData: { 'key\u0000': 1 } }, 'originalEventData.key\u0000'],
    ];
    for (const [payload, field] of cases) {
      const res = await post(ctx, `/v1/${conv}/conversationMessages`, payload);
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().code, 3);
      assert.equal(res.json().details[0].fieldViolations[0].field, field);
      assert.match(res.json().message, /NUL character/);
    }
    const batch = await post(ctx, `/v1/${conv}/conversationMessages:batchCreate`, { conversationMessages: [{ text: 'fine' }, { text: '\u0000' }] });
    assert.equal(batch.statusCode, 400, batch.body);
    assert.equal(batch.json().details[0].fieldViolations[0].field, 'conversationMessages[1].text');
    const query = await get(ctx, `/v1/${conv}/conversationMessages?pageToken=a%00b`);
    assert.equal(query.statusCode, 400, query.body);
    assert.equal(query.json().details[0].fieldViolations[0].field, 'pageToken');
    assert.deepEqual(await ctx.snapshot(), before);
  });

  it('refuses a message on a closed conversation with FAILED_PRECONDITION, writing nothing', async () => {
    const closed = await startConversation(ctx, 'msgs-closed');
    const close = await post(ctx, `/v1/${closed}:close`, {});
    assert.equal(close.statusCode, 200, close.body);
    const before = await ctx.snapshot();
    const res = await post(ctx, `/v1/${closed}/conversationMessages`, { text: 'too late' });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().code, 9);
    const batch = await post(ctx, `/v1/${closed}/conversationMessages:batchCreate`, { conversationMessages: [{ text: 'a' }], requestId: 'late-1' });
    assert.equal(batch.statusCode, 400);
    assert.equal(batch.json().code, 9);
    assert.deepEqual(await ctx.snapshot(), before);
  });

  it('answers NOT_FOUND for an absent conversation or message, and across tenants', async () => {
    const before = await ctx.snapshot();
    const absent = await post(ctx, `${base}/nope/conversationMessages`, { text: 'x' });
    assert.equal(absent.statusCode, 404);
    assert.equal(absent.json().code, 5);
    const noMessage = await get(ctx, `/v1/${conv}/messages/${'0'.repeat(24)}`);
    assert.equal(noMessage.statusCode, 404);
    const other = await ctx.app.inject({ method: 'POST', url: `/v1/${conv}/conversationMessages`, headers: ctx.b.auth, payload: { text: 'x' } });
    assert.equal(other.statusCode, 404);
    const otherList = await ctx.app.inject({ method: 'GET', url: `/v1/${conv}/conversationMessages`, headers: ctx.b.auth });
    assert.equal(otherList.statusCode, 404);
    assert.deepEqual(await ctx.snapshot(), before);
  });

  it('batch-creates with consecutive positions, all or nothing', async () => {
    const c = await startConversation(ctx, 'msgs-batch');
    const ok = await post(ctx, `/v1/${c}/conversationMessages:batchCreate`, {
      conversationMessages: [{ text: 'one', speaker: 'AGENT' }, { text: 'two', speaker: 'VISITOR' }, { text: 'three' }],
    });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json().conversationMessages.map((m: { text: string; sequencePosition: number }) => [m.text, m.sequencePosition]),
      [['one', 0], ['two', 1], ['three', 2]]);
    const before = await ctx.snapshot();
    // The third message is refused by the core (offsets reversed); the first two must not land.
    const bad = await post(ctx, `/v1/${c}/conversationMessages:batchCreate`, {
      conversationMessages: [{ text: 'a' }, { text: 'b' }, { text: 'c', audioStartOffset: '5s', audioEndOffset: '1s' }],
    });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.equal(bad.json().details[0].fieldViolations[0].field, 'conversationMessages[2].audioEndOffset');
    const badSchema = await post(ctx, `/v1/${c}/conversationMessages:batchCreate`, { conversationMessages: [{ text: 'a' }, { text: 'b', nope: true }] });
    assert.equal(badSchema.statusCode, 400);
    const tooMany = await post(ctx, `/v1/${c}/conversationMessages:batchCreate`, {
      conversationMessages: Array.from({ length: 501 }, (_, i) => ({ text: `m${i}` })),
    });
    assert.equal(tooMany.statusCode, 400, tooMany.body);
    assert.equal(tooMany.json().code, 3);
    const empty = await post(ctx, `/v1/${c}/conversationMessages:batchCreate`, { conversationMessages: [] });
    assert.equal(empty.statusCode, 400);
    assert.deepEqual(await ctx.snapshot(), before);
    const list = await get(ctx, `/v1/${c}/conversationMessages`);
    assert.equal(list.json().conversationMessages.length, 3);
  });

  it('accepts a batch of exactly 500', async () => {
    const c = await startConversation(ctx, 'msgs-500');
    const res = await post(ctx, `/v1/${c}/conversationMessages:batchCreate`, { conversationMessages: Array.from({ length: 500 }, (_, i) => ({ text: `m${i}` })) });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().conversationMessages.at(-1).sequencePosition, 499);
  });

  it('replays a requestId with the same messages and writes nothing; a different body is ALREADY_EXISTS', async () => {
    const c = await startConversation(ctx, 'msgs-idem');
    const body = { conversationMessages: [{ text: 'x', speaker: 'AGENT' }, { text: 'y' }], requestId: 'req-1' };
    const first = await post(ctx, `/v1/${c}/conversationMessages:batchCreate`, body);
    assert.equal(first.statusCode, 200, first.body);
    const before = await ctx.snapshot();
    const again = await post(ctx, `/v1/${c}/conversationMessages:batchCreate`, body);
    assert.equal(again.statusCode, 200, again.body);
    assert.deepEqual(again.json(), first.json());
    assert.deepEqual(await ctx.snapshot(), before);
    const different = await post(ctx, `/v1/${c}/conversationMessages:batchCreate`, { ...body, conversationMessages: [{ text: 'z' }] });
    assert.equal(different.statusCode, 409, different.body);
    assert.equal(different.json().code, 6);
    assert.deepEqual(await ctx.snapshot(), before);

    const single = await post(ctx, `/v1/${c}/conversationMessages`, { text: 'solo', requestId: 'req-2' });
    assert.equal(single.statusCode, 200);
    const afterSingle = await ctx.snapshot();
    const singleAgain = await post(ctx, `/v1/${c}/conversationMessages`, { text: 'solo', requestId: 'req-2' });
    assert.deepEqual(singleAgain.json(), single.json());
    const singleOther = await post(ctx, `/v1/${c}/conversationMessages`, { text: 'other', requestId: 'req-2' });
    assert.equal(singleOther.statusCode, 409);
    assert.deepEqual(await ctx.snapshot(), afterSingle);
    const list = await get(ctx, `/v1/${c}/conversationMessages`);
    assert.deepEqual(list.json().conversationMessages.map((m: { text: string }) => m.text), ['x', 'y', 'solo']);
  });

  it('gives 50 parallel appends 50 distinct gapless positions', async () => {
    const c = await startConversation(ctx, 'msgs-parallel');
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => post(ctx, `/v1/${c}/conversationMessages`, { text: `p${i}` })));
    for (const res of results) assert.equal(res.statusCode, 200, res.body);
    const positions = results.map((res) => res.json().sequencePosition as number).sort((x, y) => x - y);
    assert.deepEqual(positions, Array.from({ length: 50 }, (_, i) => i));
    const list = await get(ctx, `/v1/${c}/conversationMessages?pageSize=1000`);
    assert.equal(list.json().conversationMessages.length, 50);
    assert.equal(new Set(list.json().conversationMessages.map((m: { text: string }) => m.text)).size, 50);
  });

  for (const orderBy of ['sequencePosition', 'sequencePosition desc']) {
    it(`pages by keyset (${orderBy}) with no duplicates while messages are appended`, async () => {
      const c = await startConversation(ctx, `msgs-page-${orderBy.replace(' ', '-')}`);
      await post(ctx, `/v1/${c}/conversationMessages:batchCreate`, { conversationMessages: Array.from({ length: 7 }, (_, i) => ({ text: `m${i}` })) });
      const seen: number[] = [];
      let token = '';
      let appended = 0;
      do {
        const res = await get(ctx, `/v1/${c}/conversationMessages?pageSize=3&orderBy=${encodeURIComponent(orderBy)}${token ? `&pageToken=${token}` : ''}`);
        assert.equal(res.statusCode, 200, res.body);
        const page = res.json();
        assert.ok(page.conversationMessages.length <= 3);
        seen.push(...page.conversationMessages.map((m: { sequencePosition: number }) => m.sequencePosition));
        token = page.nextPageToken;
        const added = await post(ctx, `/v1/${c}/conversationMessages`, { text: `late${appended++}` });
        assert.equal(added.statusCode, 200);
      } while (token);
      assert.equal(new Set(seen).size, seen.length, 'no duplicates');
      if (orderBy === 'sequencePosition') {
        // Ascending pages follow the appends made meanwhile, in order, to the end.
        assert.deepEqual(seen, Array.from({ length: seen.length }, (_, i) => i));
        assert.ok(seen.length >= 7);
      } else {
        // Descending pages start at the newest message of the first page and reach 0.
        assert.deepEqual(seen, Array.from({ length: 7 }, (_, i) => 6 - i));
      }
    });
  }

  it('refuses a page token reused with another orderBy', async () => {
    await post(ctx, `/v1/${conv}/conversationMessages`, { text: 'second' });
    const first = await get(ctx, `/v1/${conv}/conversationMessages?pageSize=1`);
    const token = first.json().nextPageToken;
    assert.ok(token);
    const res = await get(ctx, `/v1/${conv}/conversationMessages?pageSize=1&orderBy=sequencePosition%20desc&pageToken=${token}`);
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().code, 3);
    const garbage = await get(ctx, `/v1/${conv}/conversationMessages?pageToken=garbage`);
    assert.equal(garbage.statusCode, 400);
  });

  it('batch-gets in request order; a missing name fails the call', async () => {
    const c = await startConversation(ctx, 'msgs-batchget');
    const created = (await post(ctx, `/v1/${c}/conversationMessages:batchCreate`, { conversationMessages: [{ text: 'a' }, { text: 'b' }, { text: 'c' }] })).json().conversationMessages;
    const names = [created[2].name, created[0].name, created[1].name];
    const res = await get(ctx, `/v1/${c}/conversationMessages:batchGet?${names.map((n) => `names=${encodeURIComponent(n)}`).join('&')}`);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().conversationMessages.map((m: { text: string }) => m.text), ['c', 'a', 'b']);
    const one = await get(ctx, `/v1/${c}/conversationMessages:batchGet?names=${encodeURIComponent(created[1].name)}`);
    assert.deepEqual(one.json().conversationMessages.map((m: { text: string }) => m.text), ['b']);
    const missing = await get(ctx, `/v1/${c}/conversationMessages:batchGet?names=${encodeURIComponent(created[0].name)}&names=${encodeURIComponent(`${c}/messages/${'f'.repeat(24)}`)}`);
    assert.equal(missing.statusCode, 404);
    const foreign = await get(ctx, `/v1/${c}/conversationMessages:batchGet?names=${encodeURIComponent(`${conv}/messages/${'f'.repeat(24)}`)}`);
    assert.equal(foreign.statusCode, 400);
  });

  it('redacts a UTF-8 byte range with one * per character, keeping the original nowhere', async () => {
    const c = await startConversation(ctx, 'msgs-redact');
    const secret = '4111-1111-1111-1111';
    const text = `Grüße 👋 card ${secret} ok`;
    const created = (await post(ctx, `/v1/${c}/conversationMessages`, {
      text, textHtml: `<p>Grüße 👋 card <b>${secret}</b> ok</p>`, originalEventData: { raw: text, nested: [{ body: secret }] },
    })).json();
    // "Grüße 👋 card " is 13 characters but 18 bytes: ü and ß take 2 bytes, 👋 takes 4.
    const start = Buffer.byteLength('Grüße 👋 card ');
    assert.equal(start, 18);
    const redacted = await post(ctx, `/v1/${created.name}:redact`, { startIndex: start, endIndex: start + secret.length });
    assert.equal(redacted.statusCode, 200, redacted.body);
    const message = redacted.json().conversationMessage;
    assert.equal(message.text, `Grüße 👋 card ${'*'.repeat(secret.length)} ok`);
    assert.equal(message.textHtml, `<p>Grüße 👋 card <b>${'*'.repeat(secret.length)}</b> ok</p>`);
    assert.deepEqual(message.originalEventData, { raw: message.text, nested: [{ body: '*'.repeat(secret.length) }] });
    assert.deepEqual(await rowsContaining(ctx, secret), {});
    // A fragment of the number too; not a bare '4111', which a timestamp's microseconds or a hex id can contain.
    assert.deepEqual(await rowsContaining(ctx, '4111-1111'), {});

    // The multibyte greeting itself: 7 characters (👋 is one) in 12 bytes become 7 stars.
    const again = await post(ctx, `/v1/${created.name}:redact`, { startIndex: 0, endIndex: Buffer.byteLength('Grüße 👋') });
    assert.equal(again.statusCode, 200, again.body);
    assert.equal(again.json().conversationMessage.text, `******* card ${'*'.repeat(secret.length)} ok`);
    assert.deepEqual(await rowsContaining(ctx, 'Grüße'), {});
    assert.deepEqual(await rowsContaining(ctx, '👋'), {});

    const caller = await ctx.core.apiKeys.authenticate(ctx.a.key);
    const redactions = again.json().conversationMessage.redactions;
    assert.equal(redactions.length, 2);
    assert.deepEqual({ ...redactions[0], redactTime: undefined }, { startIndex: 18, endIndex: 37, redactor: `apiKeys/${caller.keyId}`, redactTime: undefined });
    assert.ok(!Number.isNaN(Date.parse(redactions[0].redactTime)));
    const events = await get(ctx, `/v1/${c}/events?filter.types=MESSAGE_REDACT`);
    assert.equal(events.statusCode, 200, events.body);
    const logged = events.json().conversationEvents;
    assert.equal(logged.length, 2);
    assert.equal(logged[0].type, 'MESSAGE_REDACT');
    assert.equal(logged[0].actor, `apiKeys/${caller.keyId}`);
    assert.equal(logged[0].associatedMessage, created.name);
    assert.deepEqual(logged[0].payload, { startIndex: 18, endIndex: 37 });
    assert.deepEqual(logged[1].payload, { startIndex: 0, endIndex: 12 });
    const got = await get(ctx, `/v1/${created.name}`);
    assert.equal(got.json().text, again.json().conversationMessage.text);
  });

  it('refuses a redaction range off UTF-8 boundaries, past the end or empty, writing nothing', async () => {
    const c = await startConversation(ctx, 'msgs-redact-bad');
    const created = (await post(ctx, `/v1/${c}/conversationMessages`, { text: 'Grüße 👋' })).json();
    const before = await ctx.snapshot();
    // Byte 3 is inside ü (bytes 2..3); byte 10 is inside 👋 (bytes 8..11); the text is 12 bytes.
    assert.equal(Buffer.byteLength('Grüße 👋'), 12);
    for (const range of [{ startIndex: 3, endIndex: 5 }, { startIndex: 0, endIndex: 10 }, { startIndex: 9, endIndex: 12 }, { startIndex: 0, endIndex: 13 },
      { startIndex: 4, endIndex: 4 }, { startIndex: -1, endIndex: 2 }, { startIndex: '0', endIndex: 2 }, { startIndex: 0, endIndex: 2, extra: 1 }]) {
      const res = await post(ctx, `/v1/${created.name}:redact`, range);
      assert.equal(res.statusCode, 400, JSON.stringify(range));
      assert.equal(res.json().code, 3);
    }
    assert.deepEqual(await ctx.snapshot(), before);
    const got = await get(ctx, `/v1/${created.name}`);
    assert.equal(got.json().text, 'Grüße 👋');
    assert.deepEqual(got.json().redactions, []);
  });

  it('deletes a message to a tombstone with a MESSAGE_DELETE event', async () => {
    const c = await startConversation(ctx, 'msgs-delete');
    const created = (await post(ctx, `/v1/${c}/conversationMessages`, { text: 'forget me', textHtml: '<i>forget me</i>', originalEventData: { t: 'forget me' } })).json();
    const res = await ctx.app.inject({ method: 'DELETE', url: `/v1/${created.name}`, headers: ctx.a.auth });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), {});
    const got = (await get(ctx, `/v1/${created.name}`)).json();
    assert.equal(got.state, 'DELETED');
    assert.equal(got.text, '');
    assert.equal(got.textHtml, '');
    assert.deepEqual(got.originalEventData, {});
    assert.equal(got.sequencePosition, 0);
    assert.deepEqual(await rowsContaining(ctx, 'forget me'), {});
    const events = (await get(ctx, `/v1/${c}/events?filter.types=MESSAGE_DELETE`)).json().conversationEvents;
    assert.equal(events.length, 1);
    assert.equal(events[0].associatedMessage, created.name);
    assert.deepEqual(events[0].payload, { sequencePosition: 0 });
    const before = await ctx.snapshot();
    const twice = await ctx.app.inject({ method: 'DELETE', url: `/v1/${created.name}`, headers: ctx.a.auth });
    assert.equal(twice.statusCode, 200);
    const redact = await post(ctx, `/v1/${created.name}:redact`, { startIndex: 0, endIndex: 1 });
    assert.equal(redact.statusCode, 400);
    assert.equal(redact.json().code, 9);
    const absent = await ctx.app.inject({ method: 'DELETE', url: `/v1/${c}/messages/${'0'.repeat(24)}`, headers: ctx.a.auth });
    assert.equal(absent.statusCode, 404);
    assert.deepEqual(await ctx.snapshot(), before);
  });
});
