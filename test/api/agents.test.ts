import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp, type TestContext, type TestTenant } from '../helpers/app.ts';

const base = '/v1/customers/acme/profiles/default/agents';
const FAQ = `# Shipping
Orders ship within two business days from our Basel warehouse.

# Payment
We accept Visa, Mastercard and TWINT. Invoices are payable within 30 days.`;

const AGENT_TABLES = ['agents', 'agent_versions', 'knowledge_documents', 'knowledge_chunks'];

async function counts(ctx: TestContext): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const table of AGENT_TABLES) result[table] = (await ctx.database.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;
  return result;
}

function call(ctx: TestContext, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, who: TestTenant = ctx.a) {
  return ctx.app.inject({ method, url, headers: who.auth, ...(payload === undefined ? {} : { payload: payload as object }) });
}

forEachDriver('conversations surface: agents, versions, knowledge', (kind) => {
  const ctx = useTestApp(kind);
  let agent: { name: string; version: number; releasedVersion: number };

  before(async () => {
    const res = await call(ctx, 'POST', base, {
      displayName: 'Shop helper', instructions: 'Answer shipping and payment questions.',
      modelSettings: { model: 'gpt-4o-mini', temperature: 0.3 }, states: [{ name: 'greet', objective: 'Welcome', action: 'Say hello' }],
    });
    assert.equal(res.statusCode, 200, res.body);
    agent = res.json();
  });

  it('creates an agent as version 1, released, and reads it back', async () => {
    assert.match(agent.name, /^customers\/acme\/profiles\/default\/agents\/[a-f0-9]{24}$/);
    assert.deepEqual({ ...agent, name: undefined, createTime: undefined, updateTime: undefined }, {
      name: undefined, createTime: undefined, updateTime: undefined, displayName: 'Shop helper', description: '',
      instructions: 'Answer shipping and payment questions.', modelSettings: { model: 'gpt-4o-mini', temperature: 0.3 },
      states: [{ name: 'greet', objective: 'Welcome', action: 'Say hello' }], version: 1, releasedVersion: 1,
    });
    assert.deepEqual((await call(ctx, 'GET', `/v1/${agent.name}`)).json(), agent);
    const list = (await call(ctx, 'GET', base)).json();
    assert.deepEqual(list.agents.map((a: { name: string }) => a.name), [agent.name]);
    assert.equal(list.nextPageToken, '');
  });

  it('a change is a new version; release moves the release set; versions are listed newest first', async () => {
    const patched = await call(ctx, 'PATCH', `/v1/${agent.name}?updateMask=instructions`, { instructions: 'Be brief.', displayName: 'ignored' });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().instructions, 'Be brief.');
    assert.equal(patched.json().displayName, 'Shop helper', 'only the masked field changes');
    assert.equal(patched.json().version, 2);
    assert.equal(patched.json().releasedVersion, 1);

    const doc = await call(ctx, 'POST', `/v1/${agent.name}/knowledge`, { displayName: 'faq.md', content: FAQ });
    assert.equal(doc.statusCode, 200, doc.body);
    assert.equal(doc.json().agentVersion, 3);
    assert.equal(doc.json().passageCount, 2);
    assert.match(doc.json().name, new RegExp(`^${agent.name}/knowledge/[a-f0-9]{24}$`));

    const search = (q: string, set = '') => call(ctx, 'GET', `/v1/${agent.name}/knowledge:search?query=${encodeURIComponent(q)}${set}`);
    assert.deepEqual((await search('How fast do you ship?')).json(), { passages: [] }, 'release (v1) has no knowledge yet');
    const edge = (await search('How fast do you ship?', '&versionSet=edge')).json();
    assert.equal(edge.passages[0].heading, 'Shipping');
    assert.match(edge.passages[0].text, /two business days/);

    const released = await call(ctx, 'POST', `/v1/${agent.name}:release`, {});
    assert.equal(released.statusCode, 200, released.body);
    assert.equal(released.json().releasedVersion, 3);
    assert.match((await search('Which cards do you accept?')).json().passages[0].text, /Visa, Mastercard/);
    assert.equal((await call(ctx, 'POST', `/v1/${agent.name}:release`, { version: 1 })).json().releasedVersion, 1);

    const versions = (await call(ctx, 'GET', `/v1/${agent.name}/versions?pageSize=2`)).json();
    assert.deepEqual(versions.agentVersions.map((v: { version: number }) => v.version), [3, 2]);
    assert.deepEqual(versions.agentVersions[0].knowledgeDocuments, [doc.json().name]);
    assert.equal(versions.agentVersions[1].instructions, 'Be brief.');
    const rest = (await call(ctx, 'GET', `/v1/${agent.name}/versions?pageSize=2&pageToken=${versions.nextPageToken}`)).json();
    assert.deepEqual(rest.agentVersions.map((v: { version: number; instructions: string }) => [v.version, v.instructions]), [[1, 'Answer shipping and payment questions.']]);

    const docs = (await call(ctx, 'GET', `/v1/${agent.name}/knowledge`)).json().knowledgeDocuments;
    assert.deepEqual(docs.map((d: { displayName: string; content?: string }) => [d.displayName, d.content]), [['faq.md', undefined]]);
    assert.equal((await call(ctx, 'GET', doc.json().name.replace(/^/, '/v1/'))).json().content, FAQ);
    assert.deepEqual((await call(ctx, 'GET', `/v1/${agent.name}/knowledge?version=1`)).json().knowledgeDocuments, []);

    const deleted = await call(ctx, 'DELETE', `/v1/${doc.json().name}`);
    assert.equal(deleted.statusCode, 200, deleted.body);
    assert.equal((await call(ctx, 'GET', `/v1/${agent.name}`)).json().version, 4);
    assert.equal((await call(ctx, 'GET', `/v1/${doc.json().name}`)).statusCode, 404);
  });

  it('an ingest prompt PATCH is a change too: a new version, the prompt wire unchanged', async () => {
    const id = agent.name.split('/').pop()!;
    const before = (await call(ctx, 'GET', `/v1/${agent.name}`)).json().version;
    const res = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/prompts/prompt_${id}`, headers: ctx.a.auth, payload: { content: 'From ingest.' } });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(Object.keys(res.json()).sort(), ['content', 'createdAt', 'description', 'id', 'llmModel', 'name', 'status', 'tags', 'updatedAt']);
    const after = (await call(ctx, 'GET', `/v1/${agent.name}`)).json();
    assert.equal(after.version, before + 1);
    assert.equal(after.instructions, 'From ingest.');
  });

  it('bad input is INVALID_ARGUMENT in google.rpc.Status form and changes nothing', async () => {
    const before = await counts(ctx);
    const bad: [string, string, string, unknown][] = [
      ['no displayName', 'POST', base, { instructions: 'x' }],
      ['empty displayName', 'POST', base, { displayName: '' }],
      ['unknown field', 'POST', base, { displayName: 'x', colour: 'red' }],
      ['temperature', 'POST', base, { displayName: 'x', modelSettings: { temperature: 5 } }],
      ['duplicate states', 'PATCH', `/v1/${agent.name}`, { states: [{ name: 'a' }, { name: 'a' }] }],
      ['unknown mask field', 'PATCH', `/v1/${agent.name}?updateMask=colour`, { displayName: 'x' }],
      ['empty patch', 'PATCH', `/v1/${agent.name}`, {}],
      ['other name', 'PATCH', `/v1/${agent.name}`, { name: 'customers/acme/profiles/default/agents/000000000000000000000000', displayName: 'x' }],
      ['release beyond the edge', 'POST', `/v1/${agent.name}:release`, { version: 99 }],
      ['empty document', 'POST', `/v1/${agent.name}/knowledge`, { displayName: 'a.md', content: '' }],
      ['pdf', 'POST', `/v1/${agent.name}/knowledge`, { displayName: 'a.pdf', content: 'x', mediaType: 'application/pdf' }],
      ['both version and set', 'GET', `/v1/${agent.name}/knowledge:search?query=x&version=1&versionSet=edge`, undefined],
      ['no query', 'GET', `/v1/${agent.name}/knowledge:search`, undefined],
      ['bad agent id', 'GET', `${base}/not-an-id`, undefined],
      ['forged page token', 'GET', `${base}?pageToken=abc`, undefined],
    ];
    for (const [what, method, url, payload] of bad) {
      const res = await call(ctx, method as 'GET', url, payload);
      assert.equal(res.statusCode, 400, `${what}: ${res.body}`);
      assert.equal(res.json().code, 3, what);
      assert.equal(typeof res.json().message, 'string');
    }
    assert.deepEqual(await counts(ctx), before);
  });

  it("another customer's or a narrowed key's invisible profile is NOT_FOUND", async () => {
    const before = await counts(ctx);
    const globexPath = `/v1/${agent.name.replace('customers/acme', 'customers/globex')}`;
    const hidden: [string, string, string, unknown, TestTenant][] = [
      ['other customer, own path', 'GET', `/v1/${agent.name}`, undefined, ctx.b],
      ['other customer, patch', 'PATCH', `/v1/${agent.name}`, { displayName: 'stolen' }, ctx.b],
      ['other customer, list', 'GET', base, undefined, ctx.b],
      ['other customer, create', 'POST', base, { displayName: 'x' }, ctx.b],
      ['under its own customer', 'GET', globexPath, undefined, ctx.b],
      ['narrowed key, other profile', 'GET', `/v1/${agent.name}`, undefined, ctx.aSupport],
      ['narrowed key, knowledge', 'POST', `/v1/${agent.name}/knowledge`, { displayName: 'a.md', content: 'x' }, ctx.aSupport],
      ['narrowed key, release', 'POST', `/v1/${agent.name}:release`, {}, ctx.aSupport],
      ['narrowed key, delete', 'DELETE', `/v1/${agent.name}`, undefined, ctx.aSupport],
      ['wrong profile in path', 'GET', `/v1/${agent.name.replace('/default/', '/support/')}`, undefined, ctx.a],
    ];
    for (const [what, method, url, payload, who] of hidden) {
      const res = await call(ctx, method as 'GET', url, payload, who);
      assert.equal(res.statusCode, 404, `${what}: ${res.body}`);
      assert.equal(res.json().code, 5, what);
    }
    assert.deepEqual(await counts(ctx), before);
    // The narrowed key works in its own profile.
    const own = await call(ctx, 'POST', '/v1/customers/acme/profiles/support/agents', { displayName: 'Support bot' }, ctx.aSupport);
    assert.equal(own.statusCode, 200, own.body);
    assert.deepEqual((await call(ctx, 'GET', '/v1/customers/acme/profiles/support/agents', undefined, ctx.aSupport)).json().agents.map((a: { name: string }) => a.name), [own.json().name]);
  });

  it('deletes an agent with its versions and knowledge', async () => {
    const created = (await call(ctx, 'POST', base, { displayName: 'Temporary' })).json();
    await call(ctx, 'POST', `/v1/${created.name}/knowledge`, { displayName: 't.txt', content: 'temporary', mediaType: 'text/plain' });
    const res = await call(ctx, 'DELETE', `/v1/${created.name}`);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), {});
    assert.equal((await call(ctx, 'GET', `/v1/${created.name}`)).statusCode, 404);
    const id = created.name.split('/').pop();
    const left = await ctx.database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM agent_versions WHERE agent_id = $1', [id]);
    assert.equal(left[0].n, 0);
  });
});
