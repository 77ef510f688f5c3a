import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';

type Json = Record<string, unknown>;
const INTROSPECT = '/v1/customers/-/apiKeys:introspect';
const KEYS = '/v1/customers/acme/apiKeys';
const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

forEachDriver('console API: the presented key, profiles and API keys', (kind) => {
  const ctx = useTestApp(kind);
  let agentId: string;
  let otherAgentId: string;
  let agentKey: string;

  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, headers: Json, payload?: object) =>
    ctx.app.inject({ method, url, headers: headers as Record<string, string>, ...(payload === undefined ? {} : { payload }) });
  const keyRows = async () => (await ctx.database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM api_keys'))[0].n;
  const revokedRows = async () => (await ctx.database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM api_keys WHERE revoke_time IS NOT NULL'))[0].n;

  async function create(headers: Json, body: object): Promise<Json & { secret: string; name: string }> {
    const res = await call('POST', KEYS, headers, body);
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  }

  async function refused(res: { statusCode: number; json(): Json; body: string }, status: number, code: number, field?: string) {
    assert.equal(res.statusCode, status, res.body);
    const body = res.json() as { code: number; message: string; details: { fieldViolations?: { field: string }[] }[] };
    assert.equal(body.code, code, res.body);
    if (field) assert.ok(body.details.some((d) => d.fieldViolations?.some((v) => v.field === field)), `${field} named: ${res.body}`);
  }

  /** Every key of the list, page by page. */
  async function listAll(headers: Json, pageSize: number): Promise<Json[]> {
    const all: Json[] = [];
    let token = '';
    do {
      const res = await call('GET', `${KEYS}?pageSize=${pageSize}${token ? `&pageToken=${token}` : ''}`, headers);
      assert.equal(res.statusCode, 200, res.body);
      all.push(...res.json().apiKeys);
      token = res.json().nextPageToken;
    } while (token);
    return all;
  }

  before(async () => {
    const everywhere = { customerId: 'acme', profileId: null };
    agentId = (await ctx.core.agents.create(everywhere, { name: 'Desk agent' })).id;
    otherAgentId = (await ctx.core.agents.create({ customerId: 'acme', profileId: 'support' }, { name: 'Support agent' })).id;
    agentKey = (await ctx.core.apiKeys.create({ customerId: 'acme', agentId, displayName: 'desk' })).secret;
  });

  it('introspects the presented key: its customer, narrowing, scopes and name; 401 without one', async () => {
    const full = (await call('GET', INTROSPECT, ctx.a.auth)).json();
    assert.match(full.name, /^customers\/acme\/apiKeys\/[a-f0-9]{24}$/);
    assert.deepEqual({ ...full, name: undefined }, { name: undefined, customer: 'customers/acme', profile: '', agent: '', scopes: ['*'], displayName: '' });
    assert.equal(ctx.a.key.split('_')[1], full.name.split('/').pop(), 'the name is the key id');
    const narrowed = (await call('GET', INTROSPECT, ctx.aSupport.auth)).json();
    assert.equal(narrowed.profile, 'customers/acme/profiles/support');
    const agent = (await call('GET', INTROSPECT, bearer(agentKey))).json();
    assert.deepEqual([agent.profile, agent.agent, agent.displayName], ['customers/acme/profiles/default', `customers/acme/profiles/default/agents/${agentId}`, 'desk']);
    assert.equal((await call('GET', INTROSPECT, ctx.b.auth)).json().customer, 'customers/globex');
    await refused(await call('GET', INTROSPECT, {}), 401, 16);
    await refused(await call('GET', INTROSPECT, bearer('pk_000000000000000000000000_nope')), 401, 16);
  });

  it('lists the profiles a key sees: all for a full key, its own for a narrowed one; another customer is NOT_FOUND', async () => {
    const names = async (headers: Json) => ((await call('GET', '/v1/customers/acme/profiles', headers)).json().profiles as Json[]).map((p) => p.name);
    assert.deepEqual(await names(ctx.a.auth), ['customers/acme/profiles/default', 'customers/acme/profiles/support']);
    assert.deepEqual(await names(ctx.aSupport.auth), ['customers/acme/profiles/support']);
    assert.deepEqual(await names(bearer(agentKey)), ['customers/acme/profiles/default']);
    const support = ((await call('GET', '/v1/customers/acme/profiles', ctx.a.auth)).json().profiles as Json[])[1];
    assert.deepEqual(support, { name: 'customers/acme/profiles/support', displayName: '', supportedLanguages: ['en-US', 'de-CH'], defaultLanguage: 'en-US' });
    await refused(await call('GET', '/v1/customers/acme/profiles', ctx.b.auth), 404, 5);
  });

  it('creates a key with the asked scopes, shown once, which works as narrowed and scoped', async () => {
    const created = await create(ctx.a.auth, { displayName: 'reader', scopes: ['Conversation:GetConversation', 'Conversation:GetConversation'] });
    assert.match(created.secret, /^pk_[a-f0-9]{24}_/);
    assert.deepEqual(created.scopes, ['Conversation:GetConversation']);
    assert.deepEqual([created.profile, created.agent, created.displayName, created.revokeTime], ['', '', 'reader', undefined]);
    const reader = bearer(created.secret);
    const started = await call('POST', '/v1/customers/acme/profiles/default/conversations/for-reader:start', ctx.a.auth, {});
    assert.equal(started.statusCode, 200, started.body);
    assert.equal((await call('GET', '/v1/customers/acme/profiles/default/conversations/for-reader', reader)).statusCode, 200);
    await refused(await call('POST', '/v1/customers/acme/profiles/default/conversations', reader, {}), 403, 7);
    const listed = await listAll(ctx.a.auth, 1000);
    assert.equal(listed.filter((k) => k.name === created.name).length, 1);
    assert.ok(listed.every((k) => !('secret' in k)), 'a list never shows a secret');

    const narrowed = await create(ctx.a.auth, { displayName: 'support only', profile: 'customers/acme/profiles/support' });
    assert.deepEqual([narrowed.profile, narrowed.scopes], ['customers/acme/profiles/support', ['*']]);
    await refused(await call('GET', '/v1/customers/acme/profiles/default/conversations/for-reader', bearer(narrowed.secret)), 404, 5);
    const forAgent = await create(ctx.a.auth, { displayName: 'agent', agent: `customers/acme/profiles/support/agents/${otherAgentId}` });
    assert.deepEqual([forAgent.profile, forAgent.agent], ['customers/acme/profiles/support', `customers/acme/profiles/support/agents/${otherAgentId}`]);
  });

  it('a narrowed key makes keys inside its narrowing only, by default its own; a wider one is refused and nothing is written', async () => {
    const own = await create(ctx.aSupport.auth, { displayName: 'from support' });
    assert.equal(own.profile, 'customers/acme/profiles/support');
    const before = await keyRows();
    await refused(await call('POST', KEYS, ctx.aSupport.auth, { displayName: 'x', profile: 'customers/acme/profiles/default' }), 404, 5);
    await refused(await call('POST', KEYS, ctx.aSupport.auth, { displayName: 'x', agent: agentId }), 404, 5);
    await refused(await call('POST', KEYS, bearer(agentKey), { displayName: 'x', agent: otherAgentId }), 404, 5);
    await refused(await call('POST', '/v1/customers/acme/apiKeys', ctx.b.auth, { displayName: 'x' }), 404, 5);
    assert.equal(await keyRows(), before);
    const fromAgent = await create(bearer(agentKey), { displayName: 'agent child' });
    assert.equal(fromAgent.agent, `customers/acme/profiles/default/agents/${agentId}`);
  });

  it('a key with Parley:ManageKeys grants only scopes it holds; a key without it is PERMISSION_DENIED', async () => {
    const manager = bearer((await create(ctx.a.auth, { displayName: 'manager', scopes: ['Parley:ManageKeys', 'Conversation:GetConversation'] })).secret);
    const child = await create(manager, { displayName: 'child' });
    assert.deepEqual(child.scopes, ['Parley:ManageKeys', 'Conversation:GetConversation']);
    assert.deepEqual((await create(manager, { displayName: 'narrower', scopes: ['Conversation:GetConversation'] })).scopes, ['Conversation:GetConversation']);
    const before = await keyRows();
    await refused(await call('POST', KEYS, manager, { displayName: 'wider', scopes: ['*'] }), 403, 7);
    await refused(await call('POST', KEYS, manager, { displayName: 'wider', scopes: ['Conversation:ListConversations'] }), 403, 7);
    const reader = bearer((await create(ctx.a.auth, { displayName: 'no manager', scopes: ['Conversation:GetConversation'] })).secret);
    await refused(await call('GET', KEYS, reader), 403, 7);
    await refused(await call('POST', KEYS, reader, { displayName: 'x', scopes: ['Conversation:GetConversation'] }), 403, 7);
    // The manager cannot revoke a key with scopes it lacks, although it sees it.
    const full = await create(ctx.a.auth, { displayName: 'full' });
    await refused(await call('DELETE', `/v1/${full.name}`, manager), 403, 7);
    assert.equal((await call('GET', INTROSPECT, bearer(full.secret))).statusCode, 200);
    assert.equal(await keyRows(), before + 2);
  });

  it('refuses bad input with INVALID_ARGUMENT naming the field, and writes nothing', async () => {
    const before = await keyRows();
    const cases: [object, string][] = [
      [{ displayName: 'x', scopes: [] }, 'scopes'],
      [{ displayName: 'x', scopes: ['read everything'] }, 'scopes[0]'],
      [{ displayName: '   ' }, 'displayName'],
      [{ displayName: 'x', profile: 'support' }, 'profile'],
      [{ displayName: 'x', profile: 'customers/globex/profiles/default' }, 'profile'],
      [{ displayName: 'x', agent: 'customers/acme/profiles/default/agents/nope' }, 'agent'],
      [{ displayName: 'x', agent: agentId, profile: 'customers/acme/profiles/support' }, 'agent'],
      [{ displayName: 'x', unknown: 1 }, ''],
      [{}, ''],
    ];
    for (const [body, field] of cases) await refused(await call('POST', KEYS, ctx.a.auth, body), 400, 3, field || undefined);
    // An agent named under a profile it is not in does not exist there.
    await refused(await call('POST', KEYS, ctx.a.auth, { displayName: 'x', agent: `customers/acme/profiles/support/agents/${agentId}` }), 404, 5);
    await refused(await call('POST', KEYS, ctx.a.auth, { displayName: 'x', profile: 'customers/acme/profiles/nope' }), 404, 5);
    await refused(await call('DELETE', `${KEYS}/not-a-key`, ctx.a.auth), 400, 3);
    await refused(await call('GET', `${KEYS}?pageToken=forged`, ctx.a.auth), 400, 3, 'pageToken');
    assert.equal(await keyRows(), before);
  });

  it('revokes a key inside the narrowing (idempotent); outside it, or another customer\'s, is NOT_FOUND', async () => {
    const victim = await create(ctx.a.auth, { displayName: 'to revoke' });
    const revokedBefore = await revokedRows();
    await refused(await call('DELETE', `/v1/${victim.name}`, ctx.aSupport.auth), 404, 5);
    await refused(await call('DELETE', `/v1/customers/globex/apiKeys/${victim.name.split('/').pop()}`, ctx.b.auth), 404, 5);
    await refused(await call('DELETE', `/v1/${victim.name}`, ctx.b.auth), 404, 5);
    assert.equal(await revokedRows(), revokedBefore);
    assert.equal((await call('GET', INTROSPECT, bearer(victim.secret))).statusCode, 200);

    const res = await call('DELETE', `/v1/${victim.name}`, ctx.a.auth);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), {});
    await refused(await call('GET', INTROSPECT, bearer(victim.secret)), 401, 16);
    const listed = (await listAll(ctx.a.auth, 1000)).find((k) => k.name === victim.name)!;
    assert.match(String(listed.revokeTime), /^\d{4}-/);
    assert.equal((await call('DELETE', `/v1/${victim.name}`, ctx.a.auth)).statusCode, 200);
    assert.equal((await listAll(ctx.a.auth, 1000)).find((k) => k.name === victim.name)!.revokeTime, listed.revokeTime, 'the first revocation time stays');

    const supportKey = await create(ctx.a.auth, { displayName: 'support key', profile: 'customers/acme/profiles/support' });
    assert.equal((await call('DELETE', `/v1/${supportKey.name}`, ctx.aSupport.auth)).statusCode, 200);
  });

  it('lists newest first in keyset pages, each key once; a narrowed key sees only the keys of its narrowing', async () => {
    const all = await listAll(ctx.a.auth, 1000);
    const paged = await listAll(ctx.a.auth, 2);
    assert.deepEqual(paged.map((k) => k.name), all.map((k) => k.name));
    const times = all.map((k) => Date.parse(String(k.createTime)));
    assert.deepEqual(times, [...times].sort((x, y) => y - x));
    assert.ok(all.some((k) => k.profile === '') && all.some((k) => k.profile === 'customers/acme/profiles/support'));
    const support = await listAll(ctx.aSupport.auth, 1000);
    assert.ok(support.length > 0);
    assert.ok(support.every((k) => k.profile === 'customers/acme/profiles/support'), JSON.stringify(support));
    const agent = await listAll(bearer(agentKey), 1000);
    assert.ok(agent.length >= 2);
    assert.ok(agent.every((k) => k.agent === `customers/acme/profiles/default/agents/${agentId}`));
    await refused(await call('GET', KEYS, ctx.b.auth), 404, 5);
  });
});
