import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';

forEachDriver('UpsertConversationMetadata and the metadata filter', (kind) => {
  const ctx = useTestApp(kind);
  const base = '/v1/customers/acme/profiles/default/conversations';
  const upsert = (id: string, payload: Record<string, unknown>, auth = ctx.a.auth) =>
    ctx.app.inject({ method: 'POST', url: `${base}/${id}:upsertMetadata`, headers: auth, payload });
  const get = async (id: string) => (await ctx.app.inject({ method: 'GET', url: `${base}/${id}`, headers: ctx.a.auth })).json().conversation;

  it('adds new keys, replaces given keys, keeps absent keys; dotted keys are stored flat', async () => {
    await ctx.app.inject({ method: 'POST', url: `${base}/meta-1:start`, headers: ctx.a.auth, payload: {} });
    let res = await upsert('meta-1', { metadataValues: { tier: { values: ['gold'] }, topics: { values: ['billing', 'refund'] } }, source: 'crm' });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), {});
    res = await upsert('meta-1', { metadataValues: { topics: { values: ['shipping'] }, 'builtin.visitor.geo.country': { values: ['CH'] } } });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual((await get('meta-1')).metadata, {
      tier: { values: ['gold'] },
      topics: { values: ['shipping'] },
      'builtin.visitor.geo.country': { values: ['CH'] },
    });
  });

  it('appends one CONVERSATION_METADATA event per call holding only that call\'s values', async () => {
    const conversation = await get('meta-1');
    const rows = await ctx.database.db.query<{ payload: Record<string, unknown> }>(
      `SELECT e.payload FROM events e JOIN conversations c ON c.customer_id = e.customer_id AND c.id = e.conversation_id
        WHERE c.name_id = 'meta-1' AND e.type = 'CONVERSATION_METADATA' ORDER BY e.seq`,
    );
    assert.ok(conversation);
    assert.deepEqual(rows.map((r) => r.payload), [
      { metadataValues: { tier: { values: ['gold'] }, topics: { values: ['billing', 'refund'] } }, source: 'crm' },
      { metadataValues: { topics: { values: ['shipping'] }, 'builtin.visitor.geo.country': { values: ['CH'] } }, source: '' },
    ]);
  });

  it('refuses bad bodies and unknown conversations, writing nothing', async () => {
    const before = await ctx.snapshot();
    for (const payload of [{}, { metadataValues: {} }, { metadataValues: { k: ['bare array'] } }, { metadataValues: { k: { values: [1] } } }, { metadataValues: { k: { values: [] } }, extra: 1 }]) {
      const res = await upsert('meta-1', payload);
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
    }
    assert.equal((await upsert('meta-missing', { metadataValues: { k: { values: ['v'] } } })).statusCode, 404);
    assert.equal((await upsert('meta-1', { metadataValues: { k: { values: ['v'] } } }, ctx.b.auth)).statusCode, 404);
    assert.deepEqual(await ctx.snapshot(), before);
  });

  it('enforces the per-conversation key limit across upserts', async () => {
    await ctx.app.inject({ method: 'POST', url: `${base}/meta-many:start`, headers: ctx.a.auth, payload: {} });
    const keys = (from: number, n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${from + i}`, { values: ['v'] }]));
    assert.equal((await upsert('meta-many', { metadataValues: keys(0, 200) })).statusCode, 200);
    const before = await ctx.snapshot();
    const res = await upsert('meta-many', { metadataValues: keys(200, 57) });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(await ctx.snapshot(), before);
    assert.equal((await upsert('meta-many', { metadataValues: keys(150, 106) })).statusCode, 200);
  });

  it('ListConversations filters on metadata: values of a key are OR, keys are AND', async () => {
    for (const [id, metadata] of [
      ['mf-ch-gold', { 'builtin.visitor.geo.country': { values: ['CH'] }, tier: { values: ['gold'] } }],
      ['mf-de-gold', { 'builtin.visitor.geo.country': { values: ['DE'] }, tier: { values: ['gold'] } }],
      ['mf-fr-silver', { 'builtin.visitor.geo.country': { values: ['FR', 'CH'] }, tier: { values: ['silver'] } }],
    ] as const) {
      await ctx.app.inject({ method: 'POST', url: `${base.replace('default', 'support')}/${id}:start`, headers: ctx.a.auth, payload: {} });
      const res = await ctx.app.inject({ method: 'POST', url: `${base.replace('default', 'support')}/${id}:upsertMetadata`, headers: ctx.a.auth, payload: { metadataValues: metadata } });
      assert.equal(res.statusCode, 200, res.body);
    }
    const list = async (metadata: Record<string, string[]>) => {
      const res = await ctx.app.inject({ method: 'POST', url: base.replace('default', 'support'), headers: ctx.a.auth, payload: { filter: { metadata }, orderBy: 'startTime' } });
      assert.equal(res.statusCode, 200, res.body);
      return res.json().conversations.map((c: { name: string }) => c.name.split('/').pop()).sort();
    };
    assert.deepEqual(await list({ 'builtin.visitor.geo.country': ['CH'] }), ['mf-ch-gold', 'mf-fr-silver']);
    assert.deepEqual(await list({ 'builtin.visitor.geo.country': ['DE', 'FR'] }), ['mf-de-gold', 'mf-fr-silver']);
    assert.deepEqual(await list({ 'builtin.visitor.geo.country': ['CH'], tier: ['gold'] }), ['mf-ch-gold']);
    assert.deepEqual(await list({ tier: ['bronze'] }), []);
    assert.deepEqual(await list({ builtin: ['CH'] }), [], 'a dotted key is not nested');

    const count = async (query: string) => {
      const res = await ctx.app.inject({ method: 'GET', url: `${base.replace('default', 'support')}:count?${query}`, headers: ctx.a.auth });
      assert.equal(res.statusCode, 200, res.body);
      return res.json().count;
    };
    assert.equal(await count('filter.metadata.builtin.visitor.geo.country=CH'), '2');
    assert.equal(await count('filter.metadata.builtin.visitor.geo.country=CH&filter.metadata.tier=gold'), '1');
    assert.equal(await count('filter.metadata.builtin.visitor.geo.country=DE&filter.metadata.builtin.visitor.geo.country=FR'), '2');
    assert.equal(await count('filter.metadata.tier=bronze'), '0');
  });
});
