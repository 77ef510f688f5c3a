import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, it } from 'node:test';
import pino from 'pino';
import { forEachDriver, freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { buildApp, type App } from '../../src/api/http.ts';
import { createCore } from '../../src/core/index.ts';
import { assertError } from './ingest-fixtures.ts';

const LIMIT = 3;

forEachDriver('ingest surface: per-key rate limit shared by every server process', (kind) => {
  let database: TestDatabase;
  let apps: App[];
  before(async () => {
    database = await freshDatabase(kind);
    // Two apps on one database stand for two server processes: the count must be shared.
    apps = await Promise.all([0, 1].map(() => buildApp({
      core: createCore(database.db, { keyCacheSeconds: 0, ingestRateLimitPerMinute: LIMIT }), logger: pino({ level: 'silent' }),
    })));
    await apps[0].ready();
    await apps[1].ready();
    await createCore(database.db).tenancy.createCustomer('acme');
  });
  after(async () => {
    for (const app of apps ?? []) await app.close();
    await database?.drop();
  });

  const newKey = async () => `Bearer ${(await createCore(database.db).apiKeys.create({ customerId: 'acme' })).secret}`;
  const get = (app: App, authorization: string) => app.inject({ method: 'GET', url: '/api/v1/prompts', headers: { authorization } });

  it(`allows ${LIMIT} requests a minute per key across processes, then answers 429 with Retry-After and RateLimit headers`, async () => {
    let key = await newKey();
    let first = await get(apps[0], key);
    // Fixed one-minute windows: start again in the next window when this one is about to end.
    if (Number(first.headers['ratelimit-reset']) < 10) {
      await sleep((Number(first.headers['ratelimit-reset']) + 1) * 1000);
      key = await newKey();
      first = await get(apps[0], key);
    }
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.headers['ratelimit-limit'], String(LIMIT));
    assert.equal(first.headers['ratelimit-remaining'], String(LIMIT - 1));
    const second = await get(apps[1], key);
    assert.equal(second.statusCode, 200);
    assert.equal(second.headers['ratelimit-remaining'], String(LIMIT - 2), 'the other process sees the first request');
    const third = await get(apps[0], key);
    assert.equal(third.headers['ratelimit-remaining'], '0');
    const limited = await get(apps[1], key);
    const error = assertError(limited, 429, 'RATE_LIMITED');
    assert.match(error.message, /3 requests a minute/);
    const retryAfter = Number(limited.headers['retry-after']);
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${limited.headers['retry-after']}`);
    assert.equal(error.details.retryAfterSeconds, retryAfter);
    assert.equal(limited.headers['ratelimit-limit'], String(LIMIT));
    assert.equal(limited.headers['ratelimit-remaining'], '0');
    assert.ok(Number(limited.headers['ratelimit-reset']) >= 1);
    // A write over the limit writes nothing.
    const before = await database.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM agents`);
    const write = await apps[0].inject({ method: 'POST', url: '/api/v1/prompts', headers: { authorization: key }, payload: { name: 'x', content: 'y' } });
    assertError(write, 429, 'RATE_LIMITED');
    assert.deepEqual(await database.db.query(`SELECT count(*)::int AS n FROM agents`), before);
    // The limit is per key: another key of the same customer is not limited.
    assert.equal((await get(apps[0], await newKey())).statusCode, 200);
    // Authentication comes first: a bad key is 401, never 429.
    assertError(await get(apps[0], 'Bearer pk_bad'), 401, 'UNAUTHORIZED');
    assertError(await apps[0].inject({ method: 'GET', url: '/api/v1/prompts' }), 401, 'UNAUTHORIZED');
    // Other surfaces are not counted against this one.
    const cresta = await apps[0].inject({ method: 'GET', url: '/v1/customers/acme/profiles/default/conversations:count', headers: { authorization: key } });
    assert.equal(cresta.statusCode, 200, cresta.body);
  });
});
