import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { Webhook } from 'standardwebhooks';
import { forEachDriver, freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { createCore, type Core } from '../../src/core/index.ts';
import type { Caller } from '../../src/kernel/types.ts';
import { startJobRunner, type JobRunner } from '../../src/jobs/runner.ts';
import { webhookQueue } from '../../src/jobs/webhook-delivery.ts';
import { WebhookReceiver } from './webhook-receiver.ts';

const acme: Caller = { customerId: 'acme', keyId: 'test', profileId: null, agentId: null, scopes: ['*'] };

forEachDriver('webhook conversation.deleted', (kind) => {
  const receiver = new WebhookReceiver();
  let database: TestDatabase;
  let core: Core;
  let runner: JobRunner;

  before(async () => {
    database = await freshDatabase(kind);
    core = createCore(database.db, { webhooks: { allowPrivateNetworks: true } });
    await core.tenancy.createCustomer('acme');
    await receiver.start();
  });
  after(async () => {
    await runner?.stop();
    await receiver.stop();
    await database?.drop();
  });

  it('DeleteConversation reaches a subscribed endpoint as conversation.deleted, with ids only', { timeout: 60_000 }, async () => {
    const { endpoint, secret } = await core.webhooks.create(acme, { url: receiver.url, events: ['conversation.deleted'] });
    assert.deepEqual(endpoint.events, ['conversation.deleted']);
    const { conversation } = await core.conversations.start(acme, 'acme', 'default', 'doomed', { displayName: 'private title' });
    const ref = { customerId: 'acme', id: conversation.id };
    await core.conversations.updateFields(acme, ref, { displayName: 'my card number is 4111-1111-1111-1111' });
    await core.conversations.delete(acme, ref);

    runner = startJobRunner({ core, log: pino({ level: 'silent' }), queues: { webhook: { ...webhookQueue, retry: { ...webhookQueue.retry, baseMs: 2, maxMs: 20 } } }, pollMs: 5 });
    while (receiver.received.length === 0) await sleep(5);
    await runner.drain();

    assert.equal(receiver.received.length, 1, 'only the subscribed type is sent: the creation and the update went with the conversation');
    const [delivery] = receiver.received;
    new Webhook(secret).verify(delivery.body, delivery.headers as Record<string, string>);
    assert.equal(delivery.json.type, 'conversation.deleted');
    assert.deepEqual(delivery.json.data, {
      conversationId: `conv_${conversation.id}`,
      name: 'customers/acme/profiles/default/conversations/doomed',
    });
    assert.doesNotMatch(delivery.body, /4111-1111|private title/);
  });
});
