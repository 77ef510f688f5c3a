import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';

forEachDriver('UpdateConversation (PATCH with updateMask, AIP-134)', (kind) => {
  const ctx = useTestApp(kind);
  const base = '/v1/customers/acme/profiles/default/conversations';

  async function start(body: object) {
    const res = await ctx.app.inject({ method: 'POST', url: `${base}:start`, headers: ctx.a.auth, payload: body });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  }

  const patch = (name: string, mask: string | undefined, payload: object) =>
    ctx.app.inject({
      method: 'PATCH',
      url: `/v1/${name}${mask === undefined ? '' : `?updateMask=${encodeURIComponent(mask)}`}`,
      headers: ctx.a.auth,
      payload,
    });

  async function lastEvent(name: string) {
    const rows = await ctx.database.db.query<{ type: string; payload: Record<string, unknown> }>(
      `SELECT e.type, e.payload FROM events e JOIN conversations c ON c.customer_id = e.customer_id AND c.id = e.conversation_id
       WHERE c.customer_id = 'acme' AND c.name_id = $1 ORDER BY e.seq DESC LIMIT 1`,
      [name.split('/').pop()],
    );
    return rows[0];
  }

  it('updates only the fields named in the mask and appends CONVERSATION_UPDATE listing them', async () => {
    const original = await start({ displayName: 'one', skill: 'billing', team: 'blue', usecase: 'sales' });
    const res = await patch(original.name, 'displayName, skill', { displayName: 'two', skill: 'refunds', team: 'red', usecase: 'support' });
    assert.equal(res.statusCode, 200, res.body);
    const updated = res.json();
    assert.equal(updated.displayName, 'two');
    assert.equal(updated.skill, 'refunds');
    assert.equal(updated.team, 'blue', 'team is not in the mask');
    assert.equal(updated.usecase, 'sales', 'usecase is not in the mask');
    assert.equal(updated.createTime, original.createTime);
    assert.ok(updated.updateTime >= original.updateTime);
    const got = await ctx.app.inject({ method: 'GET', url: `/v1/${original.name}`, headers: ctx.a.auth });
    assert.deepEqual(got.json().conversation, updated);
    assert.deepEqual(await lastEvent(original.name), { type: 'CONVERSATION_UPDATE', payload: { fields: ['displayName', 'skill'] } });
  });

  it('clears a masked field that the body omits', async () => {
    const original = await start({ displayName: 'one', team: 'blue' });
    const res = await patch(original.name, 'team', { displayName: 'ignored' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().team, '');
    assert.equal(res.json().displayName, 'one');
  });

  it('refuses output-only fields, dedicated fields, unknown fields and an empty mask, writing nothing', async () => {
    const original = await start({ displayName: 'one' });
    const cases: [mask: string | undefined, body: object, pattern: RegExp][] = [
      ['createTime', { createTime: '2020-01-01T00:00:00Z' }, /createTime/],
      ['name', { name: original.name }, /name/],
      ['updateTime', {}, /updateTime/],
      ['endTime', { endTime: '2020-01-01T00:00:00Z' }, /endTime/],
      ['source', { source: 'OPERA_SYNTHETIC' }, /source/],
      ['displayName,messageCount', { displayName: 'x' }, /messageCount/],
      ['bogusField', {}, /bogusField/],
      ['state', { state: 'CLOSED' }, /:updateState/],
      ['sharingState', { sharingState: 'SHARING_STATE_SHARED' }, /:updateSharingState/],
      ['displayName,audioPersistenceState', { displayName: 'x', audioPersistenceState: 'PERSISTED' }, /:updateAudioPersistenceState/],
      ['metadata', {}, /:upsertMetadata/],
      ['', { displayName: 'x' }, /updateMask/],
      [' , ', { displayName: 'x' }, /updateMask/],
      [undefined, { displayName: 'x' }, /updateMask/],
      ['displayName', { displayName: 'x', bogus: 1 }, /bogus/],
      ['displayName', { displayName: 5 }, /displayName/],
      ['languageCode', { languageCode: 'not a language' }, /languageCode/],
      ['displayName', { name: 'customers/acme/profiles/default/conversations/other', displayName: 'x' }, /name/],
    ];
    for (const [mask, body, pattern] of cases) {
      const before = await ctx.snapshot();
      const res = await patch(original.name, mask, body);
      assert.equal(res.statusCode, 400, `mask ${mask}: ${res.body}`);
      assert.equal(res.json().code, 3);
      assert.match(res.json().message, pattern, `mask ${mask}`);
      assert.deepEqual(await ctx.snapshot(), before, `mask ${mask} wrote something`);
    }
    const got = await ctx.app.inject({ method: 'GET', url: `/v1/${original.name}`, headers: ctx.a.auth });
    assert.equal(got.json().conversation.displayName, 'one');
    assert.equal(got.json().conversation.state, 'ACTIVE');
  });

  it('names the dedicated method when state is in the mask', async () => {
    const original = await start({});
    const res = await patch(original.name, 'state', { state: 'ON_HOLD' });
    assert.equal(res.statusCode, 400);
    assert.match(res.json().message, /UpdateConversationState/);
  });

  it('answers 404 for a missing conversation and across tenants', async () => {
    const original = await start({ displayName: 'one' });
    const before = await ctx.snapshot();
    const missing = await patch('customers/acme/profiles/default/conversations/nope', 'displayName', { displayName: 'x' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, 5);
    const other = await ctx.app.inject({
      method: 'PATCH', url: `/v1/${original.name}?updateMask=displayName`, headers: ctx.b.auth, payload: { displayName: 'x' },
    });
    assert.equal(other.statusCode, 404);
    assert.deepEqual(await ctx.snapshot(), before);
  });
});
