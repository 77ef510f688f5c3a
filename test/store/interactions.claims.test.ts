import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useCore } from '../helpers/core.ts';
import type { Caller } from '../../src/kernel/types.ts';
import { stores } from '../../src/store/index.ts';

const caller: Caller = { customerId: 'acme', keyId: '000000000000000000000000', profileId: null, agentId: null, scopes: ['*'] };
const A = 'a'.repeat(24);
const B = 'b'.repeat(24);

forEachDriver('store interaction claims (one interaction at a time per conversation)', (kind) => {
  const ctx = useCore(kind);

  it('claims a free conversation once; a held claim refuses others until given back or lapsed; a lapsed holder cannot give back the new claim', async () => {
    const { conversation: c } = await ctx.core.conversations.start(caller, 'acme', 'default', 'claims', {});
    const s = stores(ctx.database.db).interactions;
    assert.equal(await s.claimInteraction('acme', c.id, A, 60), true);
    assert.equal(await s.claimInteraction('acme', c.id, B, 60), false);
    assert.equal(await s.interactionRunning('acme', c.id), true);
    assert.equal(await s.releaseInteraction('acme', c.id, B), false, 'only the holder gives a claim back');
    assert.equal(await s.releaseInteraction('acme', c.id, A), true);
    assert.equal(await s.interactionRunning('acme', c.id), false);
    // A crashed holder: its lease lapses and the next claim takes over; the old holder is fenced off.
    assert.equal(await s.claimInteraction('acme', c.id, A, 60), true);
    await ctx.database.db.query(`UPDATE interaction_claims SET expires_at = now() - interval '1 second' WHERE conversation_id = $1`, [c.id]);
    assert.equal(await s.claimInteraction('acme', c.id, B, 60), true);
    assert.equal(await s.releaseInteraction('acme', c.id, A), false);
    assert.equal(await s.releaseInteraction('acme', c.id, B), true);
  });

  it('claims at once from two handles: exactly one wins', async () => {
    const { conversation: c } = await ctx.core.conversations.start(caller, 'acme', 'default', 'race', {});
    const s = stores(ctx.database.db).interactions;
    const results = await Promise.all([A, B, 'c'.repeat(24), 'd'.repeat(24)].map((id) => s.claimInteraction('acme', c.id, id, 60)));
    assert.equal(results.filter(Boolean).length, 1);
  });
});
