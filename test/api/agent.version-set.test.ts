import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';
import { assertVendorBody, signIn } from './agent-fixtures.ts';
import { createConversation, HELP, ndjsonLines } from './agent-turns.ts';


forEachDriver('agent surface: the version a conversation runs (version_set_info)', (kind) => {
  const ctx = useTestApp(kind);
  let serviceId: string;
  const scope = { customerId: 'acme', profileId: null };
  const start = async (user: string, versionSet?: string) => {
    const token = (await signIn(ctx, ctx.a, user)).id_token;
    const body = { service_id: serviceId, ...(versionSet ? { service_version_set_name: versionSet } : {}) };
    const lines = await ndjsonLines(await createConversation(ctx.app, ctx.a.customerId, token, body));
    const id = lines[0].conversation_id as string;
    const res = await ctx.app.inject({ method: 'GET', url: `/v1/${ctx.a.customerId}/conversation/${id}`, headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.statusCode, 200, res.body);
    // The get is Parley's path: its body is Amigo's ConversationInstance (plus agent_name, agent_pfp).
    await assertVendorBody(res.json(), { component: 'ConversationInstance' });
    return { id, token, info: res.json().version_set_info };
  };

  before(async () => {
    serviceId = (await ctx.core.agents.create(scope, { name: 'Bike shop helper', instructions: 'v1', knowledge: [{ name: 'help.md', content: HELP }] })).id;
    // Version 2 is the edge; release still points at 1.
    await ctx.core.agents.update(scope, serviceId, { instructions: 'v2' });
  });

  it('records the released version by default, and the edge when asked, on get and list', async () => {
    const released = await start('rider-1');
    assert.deepEqual(released.info, {
      name: 'release', agent_version_info: [serviceId, 1], service_hierarchical_state_machine_version_info: [serviceId, 1], llm_model_preferences: {},
    });
    const edge = await start('rider-2', 'edge');
    assert.equal(edge.info.name, 'edge');
    assert.deepEqual(edge.info.agent_version_info, [serviceId, 2]);
    const list = await ctx.app.inject({ method: 'GET', url: `/v1/${ctx.a.customerId}/conversation/?id=${edge.id}`, headers: { authorization: `Bearer ${edge.token}` } });
    assert.deepEqual(list.json().conversations[0].version_set_info, edge.info);
  });

  it('keeps the version a conversation started with after a release', async () => {
    const before = await start('rider-3');
    await ctx.core.agents.release(scope, serviceId, 2);
    const res = await ctx.app.inject({ method: 'GET', url: `/v1/${ctx.a.customerId}/conversation/${before.id}`, headers: { authorization: `Bearer ${before.token}` } });
    assert.deepEqual(res.json().version_set_info.agent_version_info, [serviceId, 1]);
    assert.deepEqual((await start('rider-4')).info.agent_version_info, [serviceId, 2]);
  });
});
