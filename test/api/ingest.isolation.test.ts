import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import pino from 'pino';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp, type TestContext, type TestTenant } from '../helpers/app.ts';
import { startJobRunner } from '../../src/jobs/runner.ts';
import { client, createConversation, createPrompt, drainUntil, snapshot } from './ingest-fixtures.ts';

/** What one route needs: acme's conversation, prompt and webhook endpoint (wire ids). */
interface Fixture {
  conversation: string;
  prompt: string;
  webhook: string;
}

interface RouteCase {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** The path as the OpenAPI document lists it. */
  path: string;
  query?: string;
  body?: (f: Fixture) => object;
  /**
   * What another customer (and acme's key narrowed to profile `support`) gets: 404 for a resource
   * of acme's; `own` for collection routes, which act on the caller's own collection only; 400 for
   * create, where acme's prompt id is simply not a prompt of the caller's.
   */
  foreign: 404 | 400 | 'own';
  /** Webhook endpoints belong to the whole customer: a key narrowed to a profile is refused (403). */
  narrowed?: 403;
}

// A public address literal: no DNS lookup, and the SSRF guard accepts it.
const HOOK_URL = 'https://93.184.215.14/parley-hook';

/** EVERY route of the ingest surface. The coverage test fails when a route is added without an entry. */
const ROUTES: RouteCase[] = [
  // routes/conversations.ts
  { method: 'POST', path: '/api/v1/conversations', body: (f) => ({ promptId: f.prompt, content: 'User: new' }), foreign: 400 },
  { method: 'POST', path: '/api/v1/conversations/{id}/messages', body: () => ({ messages: [{ role: 'user', content: 'more' }] }), foreign: 404 },
  { method: 'GET', path: '/api/v1/conversations', foreign: 'own' },
  { method: 'GET', path: '/api/v1/conversations/{id}', foreign: 404 },
  { method: 'GET', path: '/api/v1/conversations/{id}/insights', foreign: 404 },
  { method: 'POST', path: '/api/v1/conversations/{id}/insights/regenerate', foreign: 404 },
  // routes/prompts.ts
  { method: 'GET', path: '/api/v1/prompts', foreign: 'own' },
  { method: 'POST', path: '/api/v1/prompts', body: () => ({ name: 'theirs', content: 'x' }), foreign: 'own' },
  { method: 'GET', path: '/api/v1/prompts/{id}', foreign: 404 },
  { method: 'PATCH', path: '/api/v1/prompts/{id}', body: () => ({ name: 'renamed' }), foreign: 404 },
  { method: 'DELETE', path: '/api/v1/prompts/{id}', foreign: 404 },
  // routes/webhooks.ts
  { method: 'GET', path: '/api/v1/webhooks', foreign: 'own', narrowed: 403 },
  { method: 'POST', path: '/api/v1/webhooks', body: () => ({ url: HOOK_URL, events: ['conversation.created'] }), foreign: 'own', narrowed: 403 },
  { method: 'GET', path: '/api/v1/webhooks/{id}', foreign: 404, narrowed: 403 },
  { method: 'PATCH', path: '/api/v1/webhooks/{id}', body: () => ({ description: 'changed', enabled: false }), foreign: 404, narrowed: 403 },
  { method: 'DELETE', path: '/api/v1/webhooks/{id}', foreign: 404, narrowed: 403 },
  { method: 'GET', path: '/api/v1/webhooks/{id}/deliveries', foreign: 404, narrowed: 403 },
];

const routeKey = (method: string, path: string) => `${method.toUpperCase()} ${path}`;

function url(route: RouteCase, f: Fixture): string {
  const id = route.path.includes('/prompts/') ? f.prompt : route.path.includes('/webhooks/') ? f.webhook : f.conversation;
  return `${route.path.replace('{id}', id)}${route.query ? `?${route.query}` : ''}`;
}

const send = (ctx: TestContext, tenant: TestTenant, route: RouteCase, f: Fixture) =>
  ctx.app.inject({ method: route.method, url: url(route, f), headers: tenant.auth, ...(route.body ? { payload: route.body(f) } : {}) });

forEachDriver('tenant and profile isolation on every route of the ingest surface', (kind) => {
  const ctx = useTestApp(kind);
  const api = client(ctx, () => ctx.a);
  /** A completed conversation with insights: the insights route needs one to succeed for acme. */
  let analysed: string;

  before(async () => {
    const runner = startJobRunner({ core: ctx.core, log: pino({ level: 'silent' }), pollMs: 50 });
    analysed = (await createConversation(api, { promptId: await createPrompt(api), content: 'User: my parcel is late\nAssistant: it arrives tomorrow' })).id;
    await drainUntil(runner, async () => (await api.get(`/conversations/${analysed}/insights`)).statusCode === 200, 'analysis of the fixture');
    await runner.stop();
  });

  async function fixture(): Promise<Fixture> {
    const prompt = await createPrompt(api, { name: 'secret prompt name' });
    const { id } = await createConversation(api, { promptId: prompt, content: 'User: secret text', status: 'active' });
    const hook = await api.post('/webhooks', { url: HOOK_URL, description: 'secret hook' });
    assert.equal(hook.statusCode, 201, hook.body);
    return { conversation: id, prompt, webhook: hook.json().id };
  }

  it('the route table covers exactly the /api/v1 routes the OpenAPI document lists', async () => {
    const res = await ctx.app.inject({ url: '/openapi.json' });
    const paths = res.json().paths as Record<string, Record<string, unknown>>;
    const listed = Object.entries(paths)
      .filter(([path]) => path.startsWith('/api/v1/'))
      .flatMap(([path, ops]) => Object.keys(ops).filter((m) => m !== 'parameters').map((m) => routeKey(m, path)))
      .sort();
    const table = ROUTES.map((r) => routeKey(r.method, r.path)).sort();
    assert.equal(new Set(table).size, table.length, 'an entry appears twice');
    assert.deepEqual(table, listed, 'every route of the surface needs an isolation entry (and every entry a route)');
  });

  for (const [who, pick, narrowed] of [['customer B (globex)', (c: TestContext) => c.b, false], ["acme's key narrowed to profile support", (c: TestContext) => c.aSupport, true]] as const) {
    it(`${who} cannot see or change acme's conversations, prompts and webhooks on any route`, async () => {
      const f = await fixture();
      const before = await snapshot(ctx);
      const conversation = (await api.get(`/conversations/${f.conversation}`)).json();
      for (const route of ROUTES) {
        const res = await send(ctx, pick(ctx), route, f);
        const label = `${route.method} ${url(route, f)}`;
        const expected = narrowed && route.narrowed ? route.narrowed : route.foreign;
        if (expected === 'own') {
          assert.ok(res.statusCode === 200 || res.statusCode === 201, `${label}: ${res.body}`);
        } else {
          assert.equal(res.statusCode, expected, `${label}: ${res.body}`);
          assert.equal(res.json().error.code, { 400: 'VALIDATION_ERROR', 403: 'FORBIDDEN', 404: 'NOT_FOUND' }[expected], label);
        }
        assert.doesNotMatch(res.body, /secret text|secret prompt name|secret hook/, `${label} leaks data`);
        for (const id of Object.values(f)) assert.ok(!res.body.includes(id.replace(/^[a-z]+_/, '')), `${label} leaks ${id}`);
      }
      const after = await snapshot(ctx);
      // The collection creates ('own') added the caller's own prompt (an agent and its first
      // version; and, for B, a webhook); nothing else changed.
      assert.deepEqual({ ...after, agents: before.agents, agent_versions: before.agent_versions }, before);
      assert.equal(after.agents, before.agents + 1);
      assert.equal(after.agent_versions, before.agent_versions + 1);
      assert.deepEqual((await api.get(`/conversations/${f.conversation}`)).json(), conversation, "acme's conversation is unchanged");
      assert.equal((await api.get(`/prompts/${f.prompt}`)).json().name, 'secret prompt name');
      assert.equal((await api.get(`/webhooks/${f.webhook}`)).json().description, 'secret hook');
    });
  }

  // The control: the same requests succeed with acme's own key, so a refusal above is isolation,
  // not a wrong URL or body.
  it("every entry succeeds with acme's own full key", async () => {
    for (const route of ROUTES) {
      const f = await fixture();
      if (route.path.endsWith('/insights')) f.conversation = analysed;
      const res = await send(ctx, ctx.a, route, f);
      assert.ok(res.statusCode >= 200 && res.statusCode < 300, `${route.method} ${url(route, f)}: ${res.statusCode} ${res.body}`);
    }
  });
});
