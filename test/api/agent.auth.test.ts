import assert from 'node:assert/strict';
import { it } from 'node:test';
import { SignJWT } from 'jose';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';
import { agentClient, assertDetail, assertVendorBody, keyIdOf, signIn } from './agent-fixtures.ts';

const SIGN_IN = '/user/signin_with_api_key';
const endUsers = async (db: { query<T>(sql: string): Promise<T[]> }) => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM end_users'))[0].n;

forEachDriver('agent surface: sign-in and credentials', (kind) => {
  const ctx = useTestApp(kind);
  const post = (org: string, headers: Record<string, string>, extra: { payload?: string } = {}) =>
    ctx.app.inject({ method: 'POST', url: `/v1/${org}${SIGN_IN}`, headers, ...extra });
  const headersOf = (key: string, userId = 'user-1') => ({ 'x-api-key': key, 'x-api-key-id': keyIdOf(key), 'x-user-id': userId });

  it('signs an end user in with the key, its id and the user id, as the SDK sends it (content-length 0, no content-type)', async () => {
    const res = await post(ctx.a.customerId, { ...headersOf(ctx.a.key, 'alice'), 'content-length': '0', 'x-org-id': 'ignored', 'x-mongo-cluster-name': 'ignored' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    const body = res.json();
    await assertVendorBody(body, { path: '/v1/{organization}/user/signin_with_api_key', method: 'post', status: 200 });
    assert.deepEqual(Object.keys(body).sort(), ['expires_at', 'id_token']);
    assert.match(body.id_token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const ttl = Date.parse(body.expires_at) - Date.now();
    assert.ok(ttl > 50 * 60_000 && ttl <= 3600_000, `expires in about an hour, not ${ttl} ms`);
    const usersAfterFirst = await endUsers(ctx.database.db);
    // The same user again is the same end user; a JSON content-type with an empty body is fine too.
    const again = await post(ctx.a.customerId, { ...headersOf(ctx.a.key, 'alice'), 'content-type': 'application/json' });
    assert.equal(again.statusCode, 200, again.body);
    assert.equal(await endUsers(ctx.database.db), usersAfterFirst);
    await signIn(ctx, ctx.a, 'bob');
    assert.equal(await endUsers(ctx.database.db), usersAfterFirst + 1);
  });

  it('refuses a mismatched key id, a bad key, a revoked key and another organization\'s key with 401, creating no user', async () => {
    const before = await endUsers(ctx.database.db);
    const other = await ctx.core.apiKeys.create({ customerId: ctx.a.customerId });
    const cases: [string, string, Record<string, string>][] = [
      ['mismatched key id', ctx.a.customerId, { ...headersOf(ctx.a.key), 'x-api-key-id': other.id }],
      ['malformed key id', ctx.a.customerId, { ...headersOf(ctx.a.key), 'x-api-key-id': 'nope' }],
      ['bad key', ctx.a.customerId, { ...headersOf(ctx.a.key), 'x-api-key': `${ctx.a.key.slice(0, -4)}AAAA` }],
      ['not a key', ctx.a.customerId, { ...headersOf(ctx.a.key), 'x-api-key': 'hello' }],
      ['another organization\'s key', ctx.a.customerId, headersOf(ctx.b.key)],
      ['an organization that does not exist', 'initech', headersOf(ctx.a.key)],
    ];
    for (const [label, org, headers] of cases) assertDetail(await post(org, headers), 401, label);
    await ctx.core.apiKeys.revoke(ctx.a.customerId, other.id);
    assertDetail(await post(ctx.a.customerId, { 'x-api-key': other.secret, 'x-api-key-id': other.id, 'x-user-id': 'u' }), 401, 'revoked key');
    assert.equal(await endUsers(ctx.database.db), before);
  });

  it('answers a missing header or a bad user id with 422 naming it', async () => {
    for (const header of ['x-api-key', 'x-api-key-id', 'x-user-id']) {
      const headers: Record<string, string> = headersOf(ctx.a.key);
      delete headers[header];
      assert.match(assertDetail(await post(ctx.a.customerId, headers), 422, header), new RegExp(header));
    }
    assert.match(assertDetail(await post(ctx.a.customerId, headersOf(ctx.a.key, '')), 422), /x-user-id/);
    assert.match(assertDetail(await post(ctx.a.customerId, headersOf(ctx.a.key, 'x'.repeat(1025))), 422), /x-user-id/);
  });

  it('accepts the token and the Parley key as the bearer afterwards, and nothing else', async () => {
    const { id_token } = await signIn(ctx, ctx.a, 'carol');
    for (const bearer of [id_token, ctx.a.key]) {
      const res = await agentClient(ctx, () => ctx.a, () => bearer).get('/conversation/');
      assert.equal(res.statusCode, 200, res.body);
    }
    const tampered = `${id_token.slice(0, -3)}${id_token.endsWith('A') ? 'B' : 'A'}AA`;
    for (const bearer of [tampered, 'not-a-token', `${id_token}x`]) {
      assertDetail(await agentClient(ctx, () => ctx.a, () => bearer).get('/conversation/'), 401, bearer);
    }
    const none = await ctx.app.inject({ method: 'GET', url: `/v1/${ctx.a.customerId}/conversation/` });
    assertDetail(none, 401, 'no credentials');
  });

  it('refuses an expired token, a token signed with another secret and a token whose key was revoked', async () => {
    const key = await ctx.core.apiKeys.create({ customerId: ctx.a.customerId });
    const tenant = { ...ctx.a, key: key.secret };
    const { id_token } = await signIn(ctx, tenant, 'dave');
    const api = (bearer: string) => agentClient(ctx, () => ctx.a, () => bearer).get('/conversation/');
    assert.equal((await api(id_token)).statusCode, 200);
    const secret = (await ctx.database.db.query<{ secret: string }>('SELECT secret FROM signing_secrets'))[0].secret;
    const claims = { org: ctx.a.customerId, key: key.id, uid: '0'.repeat(24) };
    const signed = (secretText: string, exp: number) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer('parley')
      .setSubject('dave').setIssuedAt(exp - 3600).setExpirationTime(exp).sign(new TextEncoder().encode(secretText));
    const now = Math.floor(Date.now() / 1000);
    assert.equal((await api(await signed(secret, now + 60))).statusCode, 200, 'a token Parley\'s secret signed is good');
    assert.match(assertDetail(await api(await signed(secret, now - 5)), 401, 'expired'), /expired/);
    assertDetail(await api(await signed(`${secret}-other`, now + 60)), 401, 'other secret');
    await ctx.core.apiKeys.revoke(ctx.a.customerId, key.id);
    assertDetail(await api(id_token), 401, 'revoked key');
  });

  it('answers another organization\'s paths with 404 for a valid token or key', async () => {
    const { id_token } = await signIn(ctx, ctx.a, 'erin');
    for (const bearer of [id_token, ctx.a.key]) {
      const res = await agentClient(ctx, () => ctx.b, () => bearer).get('/conversation/');
      assert.match(assertDetail(res, 404), /organization globex not found/);
    }
  });

  it('refuses customer ids that are other surfaces\' first path segments under /v1', async () => {
    for (const id of ['customers', 'voicecallsession', 'conversations']) {
      await assert.rejects(ctx.core.tenancy.createCustomer(id), (err: Error & { code?: string }) => err.code === 'INVALID_ARGUMENT' && err.message.includes(id));
    }
    await ctx.core.tenancy.createCustomer('customers-2');
  });
});
