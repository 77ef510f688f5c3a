import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { buildApp, type App } from '../../src/api/http.ts';
import { createCore } from '../../src/core/index.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { builtConsole } from './harness.ts';

/** How Fastify serves the built console (src/api/console.ts), without a browser. */
async function appWith(consoleDir: string): Promise<{ app: App; database: TestDatabase }> {
  const database = await freshDatabase('pglite');
  const app = await buildApp({ core: createCore(database.db), logger: pino({ level: 'silent' }), consoleDir });
  await app.ready();
  return { app, database };
}

describe('the console served at /console', () => {
  let app: App;
  let database: TestDatabase;
  before(async () => ({ app, database } = await appWith(await builtConsole())));
  after(async () => {
    await app?.close();
    await database?.drop();
  });

  it('redirects /console to /console/, keeping the query', async () => {
    const res = await app.inject({ url: '/console?profile=support' });
    assert.equal(res.statusCode, 301);
    assert.equal(res.headers.location, '/console/?profile=support');
  });

  it('answers index.html for the app and every client route, revalidated on each load, with a CSP', async () => {
    for (const url of ['/console/', '/console/conversations', '/console/conversations/default/6b1040e39b8f657634a3c197', '/console/sign-in?next=%2Fkeys']) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 200, url);
      assert.match(String(res.headers['content-type']), /^text\/html/, url);
      assert.equal(res.headers['cache-control'], 'no-cache', url);
      assert.match(String(res.headers['content-security-policy']), /default-src 'self'/, url);
      assert.match(res.body, /<script type="module" crossorigin src="\/console\/assets\/index-[\w-]+\.js">/, url);
    }
  });

  it('serves the hashed assets for a year, and a missing asset is a 404, not the app', async () => {
    const index = (await app.inject({ url: '/console/' })).body;
    const assets = [...index.matchAll(/\/console\/assets\/[\w.-]+\.(?:js|css)/g)].map((m) => m[0]);
    assert.ok(assets.some((a) => a.endsWith('.js')) && assets.some((a) => a.endsWith('.css')), index);
    for (const url of assets) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable', url);
      assert.match(String(res.headers['content-type']), url.endsWith('.js') ? /javascript/ : /text\/css/, url);
    }
    const missing = await app.inject({ url: '/console/assets/index-gone.js' });
    assert.equal(missing.statusCode, 404);
    assert.doesNotMatch(missing.body, /<html/);
  });

  it('needs no key to load, and stays out of the OpenAPI documents', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
    assert.deepEqual(Object.keys(doc.paths).filter((p) => p.startsWith('/console')), []);
  });
});

describe('the console not built', () => {
  let app: App;
  let database: TestDatabase;
  let empty: string;
  before(async () => {
    empty = await mkdtemp(join(tmpdir(), 'parley-console-none-'));
    ({ app, database } = await appWith(empty));
  });
  after(async () => {
    await app?.close();
    await database?.drop();
    await rm(empty, { recursive: true, force: true });
  });

  it('says how to build it (503), and the API is unaffected', async () => {
    const res = await app.inject({ url: '/console/conversations' });
    assert.equal(res.statusCode, 503);
    assert.match(res.body, /npm run build/);
    assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200);
  });
});
