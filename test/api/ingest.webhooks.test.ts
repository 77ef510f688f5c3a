import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';
import { assertError, client } from './ingest-fixtures.ts';

const HOOK_URL = 'https://93.184.215.14/parley-hook';

forEachDriver('ingest surface: webhook endpoints', (kind) => {
  const ctx = useTestApp(kind);
  const api = client(ctx, () => ctx.a);

  it('registers an endpoint (201, secret shown once), lists, reads, changes, and removes it', async () => {
    const created = await api.post('/webhooks', { url: HOOK_URL, events: ['conversation.created', 'insights.generated'], description: 'CRM sync' });
    assert.equal(created.statusCode, 201, created.body);
    const { secret, ...endpoint } = created.json();
    assert.match(secret, /^whsec_[A-Za-z0-9+/=]+$/);
    assert.match(endpoint.id, /^[a-f0-9]{24}$/);
    assert.deepEqual(
      { url: endpoint.url, events: endpoint.events, description: endpoint.description, enabled: endpoint.enabled },
      { url: HOOK_URL, events: ['conversation.created', 'insights.generated'], description: 'CRM sync', enabled: true },
    );
    const got = (await api.get(`/webhooks/${endpoint.id}`)).json();
    assert.deepEqual(got, endpoint);
    assert.equal('secret' in got, false, 'the secret is shown once');
    const listed = (await api.get('/webhooks')).json();
    assert.deepEqual(listed.data.map((e: { id: string }) => e.id), [endpoint.id]);
    assert.ok(!JSON.stringify(listed).includes(secret));
    const disabled = await api.call('PATCH', `/webhooks/${endpoint.id}`, { enabled: false, events: ['conversation.updated'] });
    assert.equal(disabled.statusCode, 200, disabled.body);
    assert.equal(disabled.json().enabled, false);
    assert.deepEqual(disabled.json().events, ['conversation.updated']);
    const enabled = (await api.call('PATCH', `/webhooks/${endpoint.id}`, { enabled: true })).json();
    assert.equal(enabled.enabled, true);
    assert.equal(enabled.disabledReason, '');
    const deliveries = await api.get(`/webhooks/${endpoint.id}/deliveries?limit=10`);
    assert.equal(deliveries.statusCode, 200, deliveries.body);
    assert.deepEqual(deliveries.json(), { data: [], pagination: { total: 0, limit: 10, offset: 0 } });
    assert.deepEqual((await api.call('DELETE', `/webhooks/${endpoint.id}`)).json(), { id: endpoint.id, deleted: true });
    assertError(await api.get(`/webhooks/${endpoint.id}`), 404, 'NOT_FOUND');
  });

  it('refuses private URLs, unknown events and unknown fields with VALIDATION_ERROR; other tenants get 404; narrowed keys 403', async () => {
    for (const [payload, field] of [
      [{ url: 'http://127.0.0.1:8080/hook' }, 'url'],
      [{ url: 'not a url' }, 'url'],
      [{ url: HOOK_URL, events: ['conversation.archived'] }, 'events'],
      [{ url: HOOK_URL, secret: 'mine' }, 'secret'],
      [{}, 'url'],
    ] as const) {
      const error = assertError(await api.post('/webhooks', payload), 400, 'VALIDATION_ERROR', JSON.stringify(payload));
      assert.ok(Object.keys(error.details).some((k) => k.startsWith(field)), `${JSON.stringify(payload)} → ${JSON.stringify(error)}`);
    }
    assert.deepEqual((await api.get('/webhooks')).json().data, []);
    const id = (await api.post('/webhooks', { url: HOOK_URL })).json().id;
    const other = client(ctx, () => ctx.b);
    assertError(await other.get(`/webhooks/${id}`), 404, 'NOT_FOUND');
    assertError(await other.call('DELETE', `/webhooks/${id}`), 404, 'NOT_FOUND');
    assertError(await client(ctx, () => ctx.aSupport).get('/webhooks'), 403, 'FORBIDDEN');
    assertError(await api.get('/webhooks/nope'), 400, 'VALIDATION_ERROR');
  });
});
