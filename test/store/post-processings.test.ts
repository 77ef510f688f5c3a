import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useCore } from '../helpers/core.ts';
import type { Caller } from '../../src/kernel/types.ts';
import { METRIC_SPEAKERS } from '../../src/core/post-processing/metrics.ts';
import { stores } from '../../src/store/index.ts';

const caller: Caller = { customerId: 'acme', keyId: '000000000000000000000000', profileId: null, agentId: null, scopes: ['*'] };

forEachDriver('store post-processings and conversation metrics', (kind) => {
  const ctx = useCore(kind);

  it('marks a kind done once, keeps metrics in their order, replaces them whole, and removes both with the conversation', async () => {
    const { conversation: c } = await ctx.core.conversations.start(caller, 'acme', 'default', 'measured', {});
    const s = stores(ctx.database.db).postProcessings;
    assert.deepEqual(await s.listCompletedPostProcessings('acme', c.id), []);
    assert.equal(await s.completePostProcessing('acme', c.id, 'compute-metrics', '1'), true);
    assert.equal(await s.completePostProcessing('acme', c.id, 'compute-metrics', '2'), false);
    assert.equal(await s.hasPostProcessing('acme', c.id, 'compute-metrics'), true);
    assert.equal(await s.hasPostProcessing('globex', c.id, 'compute-metrics'), false, 'another customer\'s key');
    const metrics = [{ name: 'zeta', value: 2, unit: 'count' }, { name: 'alpha', value: 0.25, unit: 'ratio' }];
    await s.replaceMetrics('acme', c.id, metrics);
    assert.deepEqual(await s.listMetrics('acme', c.id), metrics);
    await s.replaceMetrics('acme', c.id, [{ name: 'alpha', value: 1, unit: 'ratio' }]);
    assert.deepEqual(await s.listMetrics('acme', c.id), [{ name: 'alpha', value: 1, unit: 'ratio' }]);
    assert.deepEqual(await s.listMetrics('globex', c.id), []);
    await ctx.core.conversations.delete(caller, { customerId: 'acme', id: c.id });
    const left = await ctx.database.db.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM post_processings)::int + (SELECT count(*) FROM conversation_metrics)::int AS n`,
    );
    assert.equal(left[0].n, 0);
  });

  it('refuses a kind Amigo does not name (the table\'s check)', async () => {
    const { conversation: c } = await ctx.core.conversations.start(caller, 'acme', 'default', 'checked', {});
    await assert.rejects(stores(ctx.database.db).postProcessings.completePostProcessing('acme', c.id, 'summarise', null), { code: '23514' });
    assert.deepEqual(await stores(ctx.database.db).postProcessings.listCompletedPostProcessings('acme', c.id), []);
  });

  it('counts messages by speaker and the agent\'s knowledge flag, leaving deleted messages out', async () => {
    const { conversation: c } = await ctx.core.conversations.start(caller, 'acme', 'default', 'counted', {});
    const ref = { customerId: 'acme', id: c.id };
    const [, , , gone] = await ctx.core.messages.append(caller, ref, [
      { text: 'hello', speaker: 'VISITOR' },
      { text: 'Hi!', speaker: 'VIRTUAL_AGENT', metadata: { interactionId: 'i1' } },
      { text: 'Returns take 30 days.', speaker: 'VIRTUAL_AGENT', metadata: { interactionId: 'i2', answeredFromKnowledge: true } },
      { text: 'I don\'t know.', speaker: 'VIRTUAL_AGENT', metadata: { interactionId: 'i3', answeredFromKnowledge: false } },
      { text: 'Sam here.', speaker: 'AGENT' },
    ]);
    assert.deepEqual(await stores(ctx.database.db).postProcessings.countMessages('acme', c.id, METRIC_SPEAKERS), {
      userMessages: 1, agentMessages: 3, humanAgentMessages: 1, interactions: 3, answeredFromKnowledge: 1, notAnsweredFromKnowledge: 1,
    });
    await ctx.core.messages.delete(caller, ref, gone.id);
    assert.deepEqual(await stores(ctx.database.db).postProcessings.countMessages('acme', c.id, METRIC_SPEAKERS), {
      userMessages: 1, agentMessages: 2, humanAgentMessages: 1, interactions: 2, answeredFromKnowledge: 1, notAnsweredFromKnowledge: 0,
    });
  });
});
