import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, it } from 'node:test';
import pino from 'pino';
import { Webhook } from 'standardwebhooks';
import { createCore, type Core } from '../../src/core/index.ts';
import type { Caller } from '../../src/kernel/types.ts';
import { QUEUES } from '../../src/jobs/queues.ts';
import { startJobRunner, type JobRunner } from '../../src/jobs/runner.ts';
import { webhookQueue } from '../../src/jobs/webhook-delivery.ts';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';
import { signIn } from '../api/agent-fixtures.ts';
import { createConversation, finish, HELP, interact, ndjsonLines, until } from '../api/agent-turns.ts';
import { WebhookReceiver } from './webhook-receiver.ts';

const acme: Caller = { customerId: 'acme', keyId: 'test', profileId: null, agentId: null, scopes: ['*'] };

/** Amigo's signature, computed here from the wire facts alone: hex HMAC-SHA256(secret, `v1:{timestamp}:{body}`). */
function amigoSignature(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`v1:${timestamp}:${body}`).digest('hex');
}

forEachDriver('webhooks in Amigo\'s format: conversation-post-processing-complete', (kind) => {
  const ctx = useTestApp(kind);
  const amigo = new WebhookReceiver();
  const standard = new WebhookReceiver();
  let core: Core;
  let runner: JobRunner;
  let amigoSecret: string;
  let standardSecret: string;
  let conversationId: string;

  before(async () => {
    core = createCore(ctx.database.db, { webhooks: { allowPrivateNetworks: true } });
    await amigo.start();
    await standard.start();
    // Retries in milliseconds, so the failed first attempt is retried at once.
    const queues = { ...QUEUES, webhook: { ...webhookQueue, retry: { ...webhookQueue.retry, baseMs: 2, maxMs: 20 } } };
    runner = startJobRunner({ core, log: pino({ level: 'silent' }), queues, pollMs: 5 });
    ({ secret: amigoSecret } = await core.webhooks.create(acme, { url: amigo.url, format: 'amigo' }));
    ({ secret: standardSecret } = await core.webhooks.create(acme, { url: standard.url }));
  });
  after(async () => {
    await runner?.stop();
    await amigo.stop();
    await standard.stop();
  });

  it('sends the vendor\'s body with x-amigo-* headers; the idempotent key stays the same on a retry', async () => {
    amigo.mode = 'fail';
    const agent = await ctx.core.agents.create({ customerId: 'acme', profileId: null }, { name: 'Helper', instructions: 'Answer.', knowledge: [{ name: 'help.md', content: HELP }] });
    const token = (await signIn(ctx, ctx.a, 'rider-1')).id_token;
    const created = await ndjsonLines(await createConversation(ctx.app, 'acme', token, { service_id: agent.id }));
    conversationId = created[0].conversation_id as string;
    await ndjsonLines(await interact(ctx.app, 'acme', token, conversationId, { recorded_message: 'Can I return my bike?' }));
    assert.equal((await finish(ctx.app, 'acme', token, conversationId)).statusCode, 204);

    await until(() => amigo.seen.length >= 1, 'the first attempt reaches the receiver');
    amigo.mode = 'ok';
    await until(() => amigo.received.length >= 1, 'a retry is delivered');

    const body = `{"type":"conversation-post-processing-complete","post_processing_type":"compute-metrics","conversation_id":"${conversationId}","org_id":"acme"}`;
    const [delivered] = amigo.received;
    assert.equal(delivered.body, body);
    assert.equal(delivered.headers['content-type'], 'application/json');
    assert.equal(delivered.headers['webhook-signature'], undefined, 'no Standard Webhooks headers');
    const keys = new Set(amigo.seen.map((r) => r.headers['x-amigo-idempotent-key']));
    assert.equal(keys.size, 1, 'one idempotent key over every attempt');
    assert.match(String(delivered.headers['x-amigo-idempotent-key']), /^evt_[a-f0-9]{24}$/);
    assert.ok(amigo.seen.length >= 2, 'failed once, then delivered');
    for (const attempt of amigo.seen) {
      const timestamp = String(attempt.headers['x-amigo-request-timestamp']);
      assert.match(timestamp, /^\d{13}$/, 'milliseconds');
      assert.ok(Math.abs(Number(timestamp) - Date.now()) < 10 * 60_000);
      assert.equal(attempt.headers['x-amigo-request-signature'], amigoSignature(amigoSecret, timestamp, attempt.body));
      assert.equal(attempt.body, body);
    }
    const timestamp = String(delivered.headers['x-amigo-request-timestamp']);
    assert.notEqual(delivered.headers['x-amigo-request-signature'], amigoSignature(standardSecret, timestamp, body), 'keyed with its own endpoint\'s secret');
    assert.notEqual(delivered.headers['x-amigo-request-signature'], amigoSignature(amigoSecret, timestamp, body.replace('acme', 'acmf')));
  });

  it('sends an Amigo endpoint only Amigo\'s events, and a standard endpoint none of them', async () => {
    await until(async () => standard.received.some((r) => r.json.type === 'conversation.updated' && (r.json.data.changedFields as string[]).includes('state')), 'the finish reaches the standard endpoint');
    await runner.drain();
    assert.deepEqual(amigo.received.map((r) => JSON.parse(r.body).type), ['conversation-post-processing-complete']);
    assert.ok(standard.received.length >= 2);
    assert.ok(standard.received.every((r) => r.json.type !== 'conversation-post-processing-complete' && typeof r.json.id === 'string'));
    const wh = new Webhook(standardSecret);
    for (const r of standard.received) assert.deepEqual(wh.verify(r.body, r.headers as Record<string, string>), r.json);
  });
});
