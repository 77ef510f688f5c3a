import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp, type TestContext } from '../helpers/app.ts';

const base = '/v1/customers/acme/profiles/default/conversations';

async function post(ctx: TestContext, url: string, payload: unknown) {
  return ctx.app.inject({ method: 'POST', url, headers: ctx.a.auth, payload: payload as object });
}

async function get(ctx: TestContext, url: string) {
  return ctx.app.inject({ method: 'GET', url, headers: ctx.a.auth });
}

type WireEvent = { name: string; type: string; actor: string; payload: Record<string, unknown>; associatedMessage: string; createTime: string };

forEachDriver('conversation events', (kind) => {
  const ctx = useTestApp(kind);
  let conv: string;
  let messageName: string;
  let actor: string;
  before(async () => {
    conv = (await post(ctx, `${base}/events-main:start`, {})).json().name;
    const created = await post(ctx, `/v1/${conv}/conversationMessages:batchCreate`, { conversationMessages: [{ text: 'a' }, { text: 'b' }] });
    messageName = created.json().conversationMessages[0].name;
    await post(ctx, `/v1/${conv}/tags`, { tag: 'customers/acme/profiles/default/tags/vip' });
    actor = `apiKeys/${(await ctx.core.apiKeys.authenticate(ctx.a.key)).keyId}`;
  });

  it('lists the log in order, and only the types asked for', async () => {
    const all = await get(ctx, `/v1/${conv}/events`);
    assert.equal(all.statusCode, 200, all.body);
    const events: WireEvent[] = all.json().conversationEvents;
    assert.deepEqual(events.map((e) => e.type), ['CONVERSATION_START', 'MESSAGE_CREATE', 'MESSAGE_CREATE', 'TAG_ADD']);
    assert.deepEqual(events.map((e) => e.name), [0, 1, 2, 3].map((i) => `${conv}/events/${i}`));
    assert.equal(all.json().nextPageToken, '');
    assert.equal(events[1].associatedMessage, messageName);
    assert.equal(events[1].actor, actor);
    assert.deepEqual(events[1].payload, { sequencePosition: 0, speaker: 'ROLE_UNSPECIFIED' });

    const created = await get(ctx, `/v1/${conv}/events?filter.types=MESSAGE_CREATE`);
    assert.deepEqual(created.json().conversationEvents.map((e: WireEvent) => e.name), [`${conv}/events/1`, `${conv}/events/2`]);
    const two = await get(ctx, `/v1/${conv}/events?filter.types=TAG_ADD&filter.types=CONVERSATION_START`);
    assert.deepEqual(two.json().conversationEvents.map((e: WireEvent) => e.type), ['CONVERSATION_START', 'TAG_ADD']);
    const none = await get(ctx, `/v1/${conv}/events?filter.types=USED_KB_SEARCH`);
    assert.deepEqual(none.json(), { conversationEvents: [], nextPageToken: '' });
  });

  it('pages with a filter-bound token', async () => {
    const names: string[] = [];
    let token = '';
    do {
      const res = await get(ctx, `/v1/${conv}/events?pageSize=1&filter.types=MESSAGE_CREATE&filter.types=TAG_ADD${token ? `&pageToken=${token}` : ''}`);
      assert.equal(res.statusCode, 200, res.body);
      assert.ok(res.json().conversationEvents.length <= 1);
      names.push(...res.json().conversationEvents.map((e: WireEvent) => e.name));
      token = res.json().nextPageToken;
    } while (token);
    assert.deepEqual(names, [1, 2, 3].map((i) => `${conv}/events/${i}`));
    const first = await get(ctx, `/v1/${conv}/events?pageSize=1&filter.types=MESSAGE_CREATE`);
    const reused = await get(ctx, `/v1/${conv}/events?pageSize=1&filter.types=TAG_ADD&pageToken=${first.json().nextPageToken}`);
    assert.equal(reused.statusCode, 400, reused.body);
    assert.equal(reused.json().code, 3);
  });

  it('batch-creates client events with their actor, payload and associated message', async () => {
    const res = await post(ctx, `/v1/${conv}/events:batchCreate`, {
      events: [
        { type: 'CALL_REASON_SELECTION', callReason: { reason: 'billing' }, payload: { source: 'ui' } },
        { type: 'USED_SUGGESTION', associatedMessage: messageName },
      ],
      skipAnnotations: true,
    });
    assert.equal(res.statusCode, 200, res.body);
    const events: WireEvent[] = res.json().events;
    assert.deepEqual(events.map((e) => [e.name, e.type, e.actor]), [
      [`${conv}/events/4`, 'CALL_REASON_SELECTION', actor],
      [`${conv}/events/5`, 'USED_SUGGESTION', actor],
    ]);
    assert.deepEqual(events[0].payload, { source: 'ui', callReason: { reason: 'billing' } });
    assert.equal(events[1].associatedMessage, messageName);
    const listed = await get(ctx, `/v1/${conv}/events?filter.types=USED_SUGGESTION`);
    assert.deepEqual(listed.json().conversationEvents, [events[1]]);
  });

  it("refuses Parley's mutation types and bad input, all or nothing, writing nothing", async () => {
    const before = await ctx.snapshot();
    for (const type of ['MESSAGE_CREATE', 'MESSAGE_REDACT', 'TAG_ADD', 'CONVERSATION_END', 'EVENT_TYPE_UNSPECIFIED']) {
      const res = await post(ctx, `/v1/${conv}/events:batchCreate`, { events: [{ type: 'USED_HINT_SUGGESTION' }, { type }] });
      assert.equal(res.statusCode, 400, type);
      assert.equal(res.json().code, 3);
      assert.equal(res.json().details[0].fieldViolations[0].field, 'events[1].type');
    }
    const bad: unknown[] = [
      { events: [{ type: 'NOT_A_TYPE' }] },
      { events: [{ type: 'USED_SUGGESTION', bogus: 1 }] },
      { events: [{ type: 'USED_SUGGESTION' }], extra: true },
      { events: [{ type: 'USED_SUGGESTION', payload: 'text' }] },
      { events: [{ type: 'USED_SUGGESTION', associatedMessage: 'messages/1' }] },
      { events: [{ type: 'USED_SUGGESTION', associatedMessage: `${base.slice(4)}/other/messages/${'a'.repeat(24)}` }] },
      { events: [] },
      { events: Array.from({ length: 501 }, () => ({ type: 'USED_SUGGESTION' })) },
    ];
    for (const payload of bad) {
      const res = await post(ctx, `/v1/${conv}/events:batchCreate`, payload);
      assert.equal(res.statusCode, 400, JSON.stringify(payload).slice(0, 200));
      assert.equal(res.json().code, 3);
    }
    const badFilter = await get(ctx, `/v1/${conv}/events?filter.types=NOPE`);
    assert.equal(badFilter.statusCode, 400);
    const unknownQuery = await get(ctx, `/v1/${conv}/events?filter.kinds=X`);
    assert.equal(unknownQuery.statusCode, 400);
    assert.deepEqual(await ctx.snapshot(), before);
  });

  it('answers NOT_FOUND for an absent conversation and across tenants, writing nothing', async () => {
    const before = await ctx.snapshot();
    const absent = await get(ctx, `${base}/nope/events`);
    assert.equal(absent.statusCode, 404);
    const absentCreate = await post(ctx, `${base}/nope/events:batchCreate`, { events: [{ type: 'USED_SUGGESTION' }] });
    assert.equal(absentCreate.statusCode, 404);
    const other = await ctx.app.inject({ method: 'POST', url: `/v1/${conv}/events:batchCreate`, headers: ctx.b.auth, payload: { events: [{ type: 'USED_SUGGESTION' }] } });
    assert.equal(other.statusCode, 404);
    assert.deepEqual(await ctx.snapshot(), before);
  });
});
