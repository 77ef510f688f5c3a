import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';

const PROFILE = '/v1/customers/{customer}/profiles/{profile}';

forEachDriver('OpenAPI document, docs and health', (kind) => {
  const ctx = useTestApp(kind);

  function assertCustomMethodPaths(paths: Record<string, Record<string, unknown>>, where: string) {
    const names = Object.keys(paths);
    assert.ok(paths[`${PROFILE}/conversations/{conversation}:start`]?.post, `${where}: start with an id, got ${names.join(' ')}`);
    assert.ok(paths[`${PROFILE}/conversations:start`]?.post, `${where}: start without an id`);
    assert.ok(paths[`${PROFILE}/conversations:count`]?.get, `${where}: count`);
    // A verb rendered as a template parameter (`…{conversation}{start}`, `…conversations{count}`)
    // is the bug this guards against: a real parameter always starts a segment.
    assert.deepEqual(names.filter((p) => /[^/]\{/.test(p)), [], `${where}: parameters that do not start a segment`);
    for (const path of names) {
      assert.doesNotMatch(path, /\/:[A-Za-z]/, `${where}: router syntax leaked into ${path}`);
      assert.doesNotMatch(path, /::/, `${where}: escaped colon leaked into ${path}`);
    }
  }

  it('serves custom methods as `…/{conversation}:start` and `…/conversations:count` at /openapi.json', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    const doc = res.json();
    assert.equal(doc.openapi, '3.1.0');
    assertCustomMethodPaths(doc.paths, '/openapi.json');
    const start = doc.paths[`${PROFILE}/conversations/{conversation}:start`].post;
    const pathParams = (start.parameters as { in: string; name: string }[]).filter((p) => p.in === 'path').map((p) => p.name).sort();
    assert.deepEqual(pathParams, ['conversation', 'customer', 'profile'], 'every template parameter is declared, and no verb');
  });

  it('gives the docs UI the same document', async () => {
    const page = await ctx.app.inject({ method: 'GET', url: '/docs' });
    assert.equal(page.statusCode, 200);
    assert.match(page.headers['content-type'] as string, /text\/html/);
    const json = await ctx.app.inject({ method: 'GET', url: '/docs/json' });
    assert.equal(json.statusCode, 200);
    assertCustomMethodPaths(json.json().paths, '/docs/json');
    const direct = await ctx.app.inject({ method: 'GET', url: '/openapi.json' });
    assert.deepEqual(json.json().paths, direct.json().paths);
  });

  it('answers /healthz and /readyz without a key', async () => {
    const health = await ctx.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200);
    assert.deepEqual(health.json(), { status: 'ok' });
    const ready = await ctx.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: 'ready' });
  });

  it('echoes x-request-id when sent and generates one when absent, on success and on error', async () => {
    const sent = await ctx.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'trace-123' } });
    assert.equal(sent.headers['x-request-id'], 'trace-123');
    const generated = await ctx.app.inject({ method: 'GET', url: '/healthz' });
    assert.match(generated.headers['x-request-id'] as string, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const other = await ctx.app.inject({ method: 'GET', url: '/healthz' });
    assert.notEqual(other.headers['x-request-id'], generated.headers['x-request-id']);
    const refused = await ctx.app.inject({
      method: 'POST', url: '/v1/customers/acme/profiles/default/conversations:start', headers: { 'x-request-id': 'trace-401' }, payload: {},
    });
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.headers['x-request-id'], 'trace-401');
    const info = refused.json().details.find((d: { '@type': string }) => d['@type'].endsWith('RequestInfo'));
    assert.equal(info.requestId, 'trace-401');
  });
});
