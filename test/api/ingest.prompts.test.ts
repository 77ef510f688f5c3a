import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';
import { assertError, client, createConversation, createPrompt, snapshot } from './ingest-fixtures.ts';

forEachDriver('ingest surface: prompts (agents)', (kind) => {
  const ctx = useTestApp(kind);
  const api = client(ctx, () => ctx.a);

  it('creates, reads, changes and deletes a prompt', async () => {
    const created = await api.post('/prompts', {
      name: 'Refund agent', content: 'You handle refunds politely.', llmModel: 'gpt-4o', description: 'v1', tags: ['refunds', 'billing'], status: 'draft',
    });
    assert.equal(created.statusCode, 201, created.body);
    const prompt = created.json();
    assert.match(prompt.id, /^prompt_[a-f0-9]{24}$/);
    assert.deepEqual(
      { name: prompt.name, content: prompt.content, llmModel: prompt.llmModel, description: prompt.description, tags: prompt.tags, status: prompt.status },
      { name: 'Refund agent', content: 'You handle refunds politely.', llmModel: 'gpt-4o', description: 'v1', tags: ['refunds', 'billing'], status: 'draft' },
    );
    assert.deepEqual(Object.keys(prompt).sort(), ['content', 'createdAt', 'description', 'id', 'llmModel', 'name', 'status', 'tags', 'updatedAt']);
    assert.deepEqual((await api.get(`/prompts/${prompt.id}`)).json(), prompt);
    const patched = await api.call('PATCH', `/prompts/${prompt.id}`, { status: 'active', content: 'You handle refunds.', tags: [] });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().status, 'active');
    assert.equal(patched.json().content, 'You handle refunds.');
    assert.deepEqual(patched.json().tags, []);
    assert.equal(patched.json().name, 'Refund agent', 'fields not sent are kept');
    assert.ok(Date.parse(patched.json().updatedAt) >= Date.parse(prompt.updatedAt));
    const defaults = (await api.post('/prompts', { name: 'Minimal', content: 'x' })).json();
    assert.equal(defaults.status, 'active');
    assert.equal(defaults.llmModel, '');
    const deleted = await api.call('DELETE', `/prompts/${prompt.id}`);
    assert.deepEqual(deleted.json(), { id: prompt.id, deleted: true });
    assertError(await api.get(`/prompts/${prompt.id}`), 404, 'NOT_FOUND');
    assertError(await api.call('DELETE', `/prompts/${prompt.id}`), 404, 'NOT_FOUND');
  });

  it('lists newest first with the limit/offset envelope and a status filter', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await createPrompt(api, { name: `list-${i}`, status: i === 0 ? 'archived' : 'active' }));
    const page = (await api.get('/prompts?limit=2&offset=0')).json();
    assert.deepEqual(page.data.map((p: { id: string }) => p.id), [ids[3], ids[2]]);
    assert.equal(page.pagination.limit, 2);
    assert.ok(page.pagination.total >= 4);
    const archived = (await api.get('/prompts?status=archived')).json();
    assert.ok(archived.data.some((p: { id: string }) => p.id === ids[0]));
    assert.ok(archived.data.every((p: { status: string }) => p.status === 'archived'));
    const past = (await api.get('/prompts?offset=1000')).json();
    assert.deepEqual(past.data, []);
    assert.equal(past.pagination.total, page.pagination.total);
  });

  it('refuses bad prompts, naming the field, writing nothing', async () => {
    const id = await createPrompt(api);
    const before = await snapshot(ctx);
    const cases: [string, string, unknown, string][] = [
      ['POST', '/prompts', { content: 'x' }, 'name'],
      ['POST', '/prompts', { name: 'x' }, 'content'],
      ['POST', '/prompts', { name: '', content: 'x' }, 'name'],
      ['POST', '/prompts', { name: '   ', content: 'x' }, 'name'],
      ['POST', '/prompts', { name: 'x', content: 'x', status: 'live' }, 'status'],
      ['POST', '/prompts', { name: 'x', content: 'x', tags: 'a' }, 'tags'],
      ['POST', '/prompts', { name: 'x', content: 'x', promptId: 'p' }, 'promptId'],
      ['PATCH', `/prompts/${id}`, {}, 'body'],
      ['PATCH', `/prompts/${id}`, { id: 'prompt_x' }, 'id'],
      ['GET', '/prompts?limit=500', undefined, 'limit'],
      ['GET', '/prompts/123', undefined, 'id'],
    ];
    for (const [method, url, payload, field] of cases) {
      const error = assertError(await api.call(method as 'POST', url, payload), 400, 'VALIDATION_ERROR', `${method} ${url} ${JSON.stringify(payload)}`);
      assert.ok(field in error.details, `${method} ${url} ${JSON.stringify(payload)} → ${JSON.stringify(error)} should name ${field}`);
    }
    assert.deepEqual(await snapshot(ctx), before);
  });

  it('a deleted prompt keeps its conversations and their promptId, and cannot be used for new ones', async () => {
    const id = await createPrompt(api, { name: 'short-lived' });
    const conversation = await createConversation(api, { promptId: id, content: 'User: hi' });
    assert.equal((await api.call('DELETE', `/prompts/${id}`)).statusCode, 200);
    const got = (await api.get(`/conversations/${conversation.id}`)).json();
    assert.equal(got.promptId, id);
    assert.equal((await api.get(`/conversations?promptId=${id}`)).json().pagination.total, 1);
    const error = assertError(await api.post('/conversations', { promptId: id, content: 'User: hi' }), 400, 'VALIDATION_ERROR');
    assert.ok('promptId' in error.details);
  });

  it("a key narrowed to a profile works in that profile only; another customer's prompts do not exist", async () => {
    const mine = await createPrompt(api, { name: 'default-profile prompt' });
    const narrowed = client(ctx, () => ctx.aSupport);
    assertError(await narrowed.get(`/prompts/${mine}`), 404, 'NOT_FOUND');
    const theirs = await createPrompt(narrowed, { name: 'support prompt' });
    assert.ok((await narrowed.get('/prompts')).json().data.every((p: { id: string }) => p.id !== mine));
    const conversation = await createConversation(narrowed, { promptId: theirs, content: 'User: from support' });
    const row = await ctx.database.db.query<{ profile_id: string }>(`SELECT profile_id FROM conversations WHERE id = $1`, [conversation.id.slice(5)]);
    assert.equal(row[0].profile_id, 'support');
    assert.equal((await api.get(`/conversations/${conversation.id}`)).statusCode, 200, 'the whole-customer key reads it by id');
    assert.ok((await api.get('/conversations?limit=100')).json().data.some((c: { id: string }) => c.id === conversation.id), 'the list spans every profile');
    assert.ok((await api.get('/conversations?limit=100&profileId=default')).json().data.every((c: { id: string }) => c.id !== conversation.id), 'profileId keeps one profile');
    const other = client(ctx, () => ctx.b);
    assertError(await other.get(`/prompts/${mine}`), 404, 'NOT_FOUND');
    assertError(await other.call('PATCH', `/prompts/${mine}`, { name: 'stolen' }), 404, 'NOT_FOUND');
    assertError(await other.call('DELETE', `/prompts/${mine}`), 404, 'NOT_FOUND');
    assert.ok((await other.get('/prompts')).json().data.every((p: { id: string }) => p.id !== mine));
    const refused = assertError(await other.post('/conversations', { promptId: mine, content: 'User: hi' }), 400, 'VALIDATION_ERROR');
    assert.ok('promptId' in refused.details);
    assert.equal((await api.get(`/prompts/${mine}`)).json().name, 'default-profile prompt');
  });
});
