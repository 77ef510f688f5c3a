import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import pino from 'pino';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';
import { startJobRunner, type JobRunner } from '../../src/jobs/runner.ts';
import { assertError, client, createConversation, createPrompt, drainUntil } from './ingest-fixtures.ts';

forEachDriver('ingest surface: insights after completion (real analysis jobs)', (kind) => {
  const ctx = useTestApp(kind);
  const api = client(ctx, () => ctx.a);
  let runner: JobRunner;
  let promptId: string;
  before(async () => {
    runner = startJobRunner({ core: ctx.core, log: pino({ level: 'silent' }), pollMs: 50 });
    promptId = await createPrompt(api);
  });
  after(async () => {
    await runner?.stop();
  });

  it('a completed conversation gets insights; an abandoned or open one does not', async () => {
    const transcript = 'User: My order arrived broken and I want a refund.\nAssistant: I am sorry! I have issued a full refund to your card.\nUser: Great, thank you so much, that solved it.';
    const abandoned = await createConversation(api, { promptId, content: transcript, status: 'abandoned' });
    const completed = await createConversation(api, { promptId, content: transcript, status: 'completed' });
    const open = await createConversation(api, { promptId, content: transcript, status: 'active' });
    const analysed = async (id: string) => (await api.get(`/conversations/${id}/insights`)).statusCode === 200;
    await drainUntil(runner, () => analysed(completed.id), 'analysis of the completed conversation');
    // Events are dispatched in commit order: the abandoned one, logged first, has had its turn (and was skipped).
    const insights = await api.get(`/conversations/${completed.id}/insights`);
    assert.equal(insights.statusCode, 200, insights.body);
    const body = insights.json();
    assert.equal(body.conversationId, completed.id);
    assert.ok(['positive', 'neutral', 'negative'].includes(body.sentiment));
    assert.ok(body.sentimentScore >= -1 && body.sentimentScore <= 1);
    assert.equal(typeof body.taskCompleted, 'boolean');
    assert.ok(Array.isArray(body.topics));
    assert.ok(body.summary.length > 0);
    assert.ok(Array.isArray(body.issues));
    assert.ok(!Number.isNaN(Date.parse(body.createdAt)));
    const full = (await api.get(`/conversations/${completed.id}`)).json();
    assert.equal(full.hasInsights, true);
    assert.deepEqual(full.insights, body);
    for (const other of [abandoned, open]) assertError(await api.get(`/conversations/${other.id}/insights`), 404, 'NOT_FOUND');
    const listed = (await api.get(`/conversations?promptId=${promptId}&hasInsights=true`)).json();
    assert.deepEqual(listed.data.map((c: { id: string }) => c.id), [completed.id]);
    assert.equal((await api.get(`/conversations?promptId=${promptId}&hasInsights=false`)).json().pagination.total, 2);
    // An append that completes an open conversation triggers its analysis too.
    assert.equal((await api.post(`/conversations/${open.id}/messages`, { messages: [{ role: 'assistant', content: 'Anything else?' }], status: 'completed' })).statusCode, 200);
    await drainUntil(runner, () => analysed(open.id), 'analysis after the completing append');
    // Regenerate replaces them; the route answers before the job runs.
    const regenerate = await api.post(`/conversations/${completed.id}/insights/regenerate`);
    assert.equal(regenerate.statusCode, 202, regenerate.body);
    await runner.drain();
    assert.equal((await api.get(`/conversations/${completed.id}/insights`)).statusCode, 200);
    // Another customer sees none of it.
    const other = client(ctx, () => ctx.b);
    assertError(await other.get(`/conversations/${completed.id}/insights`), 404, 'NOT_FOUND');
    assertError(await other.post(`/conversations/${completed.id}/insights/regenerate`), 404, 'NOT_FOUND');
  });
});
