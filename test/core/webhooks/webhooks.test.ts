import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachDriver, freshDatabase, type TestDatabase } from '../../helpers/db.ts';
import { createCore, type Core } from '../../../src/core/index.ts';
import { ParleyError } from '../../../src/kernel/errors.ts';
import { WEBHOOK_LIMITS } from '../../../src/core/webhooks/webhooks.ts';
import type { Caller } from '../../../src/kernel/types.ts';

const acme: Caller = { customerId: 'acme', keyId: 'k1', profileId: null, agentId: null, scopes: ['*'] };
const globex: Caller = { customerId: 'globex', keyId: 'k2', profileId: null, agentId: null, scopes: ['*'] };
const acmeSupport: Caller = { ...acme, keyId: 'k3', profileId: 'support' };
const acmeAgent: Caller = { ...acme, keyId: 'k4', agentId: 'a1' };

async function rowCounts(db: TestDatabase): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ['webhook_endpoints', 'webhook_deliveries', 'webhook_attempts', 'jobs']) {
    counts[table] = (await db.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;
  }
  return counts;
}

async function expectError(promise: Promise<unknown>, code: ParleyError['code'], field?: string): Promise<ParleyError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ParleyError, String(err));
    assert.equal(err.code, code, err.message);
    if (field) assert.equal(err.details.fieldViolations?.[0].field, field, err.message);
    return err;
  }
  assert.fail(`expected ${code}`);
}

forEachDriver('webhook endpoints (core)', (kind) => {
  let database: TestDatabase;
  let core: Core;
  let strict: Core;
  before(async () => {
    database = await freshDatabase(kind);
    core = createCore(database.db, { webhooks: { allowPrivateNetworks: true } });
    strict = createCore(database.db);
    await core.tenancy.createCustomer('acme');
    await core.tenancy.createProfile('acme', 'support', {});
    await core.tenancy.createCustomer('globex');
  });
  after(async () => database?.drop());

  it('registers an endpoint and returns a Standard Webhooks secret once', async () => {
    const { endpoint, secret } = await core.webhooks.create(acme, {
      url: 'http://127.0.0.1:9/hooks', events: ['conversation.created', 'insights.generated', 'conversation.created'], description: 'ops',
    });
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{32}$/);
    assert.equal(Buffer.from(secret.slice(6), 'base64').length, 24);
    assert.match(endpoint.id, /^[a-f0-9]{24}$/);
    assert.deepEqual(endpoint.events, ['conversation.created', 'insights.generated'], 'duplicates collapse');
    assert.equal(endpoint.enabled, true);
    assert.equal(endpoint.disabledReason, '');
    assert.equal(endpoint.failingSince, null);
    assert.ok(!('secret' in endpoint), 'the endpoint never carries its secret');
    const got = await core.webhooks.get(acme, endpoint.id);
    assert.deepEqual(got, endpoint);
    assert.ok(!JSON.stringify(await core.webhooks.list(acme)).includes(secret.slice(6)), 'list does not reveal the secret');
    const other = await core.webhooks.create(acme, { url: 'https://93.184.216.34/x' });
    assert.notEqual(other.secret, secret);
    assert.deepEqual(other.endpoint.events, [], 'omitted events = every event');
    assert.equal(other.endpoint.description, '');
  });

  it('lists, updates and removes; another customer sees NOT_FOUND', async () => {
    const { endpoint } = await core.webhooks.create(acme, { url: 'http://127.0.0.1:9/a', events: [], description: 'x' });
    assert.ok((await core.webhooks.list(acme)).some((e) => e.id === endpoint.id));
    assert.ok(!(await core.webhooks.list(globex)).some((e) => e.id === endpoint.id));
    await expectError(core.webhooks.get(globex, endpoint.id), 'NOT_FOUND');
    await expectError(core.webhooks.update(globex, endpoint.id, { description: 'mine' }), 'NOT_FOUND');
    await expectError(core.webhooks.remove(globex, endpoint.id), 'NOT_FOUND');
    await expectError(core.webhooks.listDeliveries(globex, endpoint.id, { limit: 10, offset: 0 }), 'NOT_FOUND');
    await expectError(core.webhooks.get(acme, 'not-an-id'), 'NOT_FOUND');

    const updated = await core.webhooks.update(acme, endpoint.id, { url: 'http://127.0.0.1:9/b', events: ['conversation.updated'], description: 'y' });
    assert.equal(updated.url, 'http://127.0.0.1:9/b');
    assert.deepEqual(updated.events, ['conversation.updated']);
    assert.equal(updated.description, 'y');
    assert.ok(updated.updateTime >= endpoint.updateTime);
    const disabled = await core.webhooks.update(acme, endpoint.id, { enabled: false });
    assert.equal(disabled.enabled, false);
    assert.equal(disabled.disabledReason, 'disabled by a caller');
    const enabled = await core.webhooks.update(acme, endpoint.id, { enabled: true });
    assert.equal(enabled.enabled, true);
    assert.equal(enabled.disabledReason, '');

    await core.webhooks.remove(acme, endpoint.id);
    await expectError(core.webhooks.get(acme, endpoint.id), 'NOT_FOUND');
    await expectError(core.webhooks.remove(acme, endpoint.id), 'NOT_FOUND');
  });

  it('refuses bad input with the field named, writing nothing', async () => {
    const before = await rowCounts(database);
    await expectError(core.webhooks.create(acme, { url: 'ftp://example.com/' }), 'INVALID_ARGUMENT', 'url');
    await expectError(core.webhooks.create(acme, { url: '' }), 'INVALID_ARGUMENT', 'url');
    await expectError(core.webhooks.create(acme, { url: 'http://127.0.0.1/', events: ['conversation.archived'] }), 'INVALID_ARGUMENT', 'events[0]');
    await expectError(core.webhooks.create(acme, { url: 'http://127.0.0.1/', description: 'd'.repeat(1025) }), 'INVALID_ARGUMENT', 'description');
    for (const url of ['http://127.0.0.1/', 'http://10.1.1.1/', 'http://169.254.169.254/', 'http://[::1]/', 'http://[fc00::5]/', 'http://localhost:8080/']) {
      await expectError(strict.webhooks.create(acme, { url }), 'INVALID_ARGUMENT', 'url');
    }
    const { endpoint } = await strict.webhooks.create(acme, { url: 'https://93.184.216.34/ok' });
    const afterCreate = await rowCounts(database);
    await expectError(strict.webhooks.update(acme, endpoint.id, { url: 'http://192.168.0.10/' }), 'INVALID_ARGUMENT', 'url');
    await expectError(strict.webhooks.update(acme, endpoint.id, { events: ['nope'] }), 'INVALID_ARGUMENT', 'events[0]');
    assert.equal((await core.webhooks.get(acme, endpoint.id)).url, 'https://93.184.216.34/ok');
    assert.deepEqual(await rowCounts(database), afterCreate);
    await core.webhooks.remove(acme, endpoint.id);
    assert.deepEqual(await rowCounts(database), before);
  });

  it('requires a key that is not narrowed to a profile or agent', async () => {
    const before = await rowCounts(database);
    for (const caller of [acmeSupport, acmeAgent]) {
      await expectError(core.webhooks.create(caller, { url: 'http://127.0.0.1/' }), 'PERMISSION_DENIED');
      await expectError(core.webhooks.list(caller), 'PERMISSION_DENIED');
    }
    assert.deepEqual(await rowCounts(database), before);
  });

  it('validates the delivery page and caps endpoints per customer', async () => {
    const { endpoint } = await core.webhooks.create(globex, { url: 'http://127.0.0.1:9/' });
    assert.deepEqual(await core.webhooks.listDeliveries(globex, endpoint.id, { limit: 20, offset: 0 }), { deliveries: [], total: 0 });
    await expectError(core.webhooks.listDeliveries(globex, endpoint.id, { limit: 0, offset: 0 }), 'INVALID_ARGUMENT', 'limit');
    await expectError(core.webhooks.listDeliveries(globex, endpoint.id, { limit: 101, offset: 0 }), 'INVALID_ARGUMENT', 'limit');
    await expectError(core.webhooks.listDeliveries(globex, endpoint.id, { limit: 10, offset: -1 }), 'INVALID_ARGUMENT', 'offset');
    const existing = (await core.webhooks.list(globex)).length;
    for (let i = existing; i < WEBHOOK_LIMITS.endpointsPerCustomer; i++) await core.webhooks.create(globex, { url: `http://127.0.0.1:9/${i}` });
    const err = await expectError(core.webhooks.create(globex, { url: 'http://127.0.0.1:9/one-too-many' }), 'RESOURCE_EXHAUSTED');
    assert.deepEqual(err.details.limit, { name: 'webhookEndpoints', max: WEBHOOK_LIMITS.endpointsPerCustomer });
    assert.equal((await core.webhooks.list(globex)).length, WEBHOOK_LIMITS.endpointsPerCustomer);
  });
});
