import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';
import { assertError, client } from './ingest-fixtures.ts';

const HOOK_URL = 'https://93.184.215.14/parley-hook';

forEachDriver('ingest surface: a webhook endpoint\'s format (standard or amigo)', (kind) => {
  const ctx = useTestApp(kind);
  const api = client(ctx, () => ctx.a);
  const stored = () => ctx.database.db.query<Record<string, unknown>>(`SELECT id, format, events FROM webhook_endpoints ORDER BY create_time, id`);

  it('is standard by default; amigo on request, with Amigo\'s event names', async () => {
    const plain = await api.post('/webhooks', { url: HOOK_URL });
    assert.equal(plain.statusCode, 201, plain.body);
    assert.equal(plain.json().format, 'standard');
    const amigo = await api.post('/webhooks', { url: HOOK_URL, format: 'amigo', events: ['conversation-post-processing-complete'] });
    assert.equal(amigo.statusCode, 201, amigo.body);
    assert.deepEqual([amigo.json().format, amigo.json().events], ['amigo', ['conversation-post-processing-complete']]);
    assert.equal((await api.get(`/webhooks/${amigo.json().id}`)).json().format, 'amigo');
    assert.deepEqual((await api.get('/webhooks')).json().data.map((e: { format: string }) => e.format), ['standard', 'amigo']);
  });

  it('refuses an unknown format, and events of the other format, storing nothing', async () => {
    const before = await stored();
    for (const [payload, field] of [
      [{ url: HOOK_URL, format: 'svix' }, 'format'],
      [{ url: HOOK_URL, format: '' }, 'format'],
      [{ url: HOOK_URL, format: 'amigo', events: ['conversation.created'] }, 'events'],
      [{ url: HOOK_URL, events: ['conversation-post-processing-complete'] }, 'events'],
    ] as const) {
      const error = assertError(await api.post('/webhooks', payload), 400, 'VALIDATION_ERROR', JSON.stringify(payload));
      assert.ok(Object.keys(error.details).some((k) => k.startsWith(field)), `${JSON.stringify(payload)} → ${JSON.stringify(error)}`);
    }
    assert.deepEqual(await stored(), before);
  });

  it('changes the format with events of the new format; refuses a change that would leave the old events, changing nothing', async () => {
    const created = await api.post('/webhooks', { url: HOOK_URL, events: ['conversation.created'] });
    const id = created.json().id as string;
    const before = await stored();
    assertError(await api.call('PATCH', `/webhooks/${id}`, { format: 'bogus' }), 400, 'VALIDATION_ERROR');
    const error = assertError(await api.call('PATCH', `/webhooks/${id}`, { format: 'amigo' }), 400, 'VALIDATION_ERROR');
    assert.ok(Object.keys(error.details).some((k) => k.startsWith('events')), JSON.stringify(error));
    assertError(await api.call('PATCH', `/webhooks/${id}`, { events: ['conversation-post-processing-complete'] }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(await stored(), before);
    const changed = await api.call('PATCH', `/webhooks/${id}`, { format: 'amigo', events: [] });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.deepEqual([changed.json().format, changed.json().events], ['amigo', []]);
    const back = await api.call('PATCH', `/webhooks/${id}`, { format: 'standard' });
    assert.equal(back.statusCode, 200, back.body);
    assert.equal(back.json().format, 'standard');
  });
});
