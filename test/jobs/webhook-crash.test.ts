import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { forEachDriver, freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { loadConfig } from '../../src/config.ts';
import { systemCaller } from '../../src/core/tenancy/access.ts';
import { createCore, type Core } from '../../src/core/index.ts';
import type { Driver } from '../../src/store/driver.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openDatabase } from '../../src/store/open.ts';
import { WebhookReceiver } from './webhook-receiver.ts';

/*
 * A Parley process killed with SIGKILL in the middle of a delivery loses nothing: the events are
 * in the log, deliveries and jobs are rows, and a restarted process delivers every event. The
 * restart waits out the killed process's job lock (the webhook queue's 30 s), so this file is slow.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const caller = systemCaller('acme');
const CONVERSATIONS = ['crash-a', 'crash-b', 'crash-c'];

function startParley(env: Record<string, string>): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, ['bin/parley.js', 'serve'], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', PARLEY_JOBS: 'on', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

/** Events for every conversation: created, two appends, close — 4 webhook events each. */
async function makeEvents(core: Core): Promise<void> {
  for (const nameId of CONVERSATIONS) {
    await core.conversations.start(caller, 'acme', 'default', nameId, {});
    const ref = { customerId: 'acme', profileId: 'default', nameId };
    await core.messages.append(caller, ref, [{ text: `hello ${nameId}`, speaker: 'VISITOR' }]);
    await core.messages.append(caller, ref, [{ text: `bye ${nameId}`, speaker: 'AGENT' }]);
    await core.conversations.setState(caller, ref, 'CLOSED');
  }
}

async function until(done: () => boolean | Promise<boolean>, what: string, proc?: { output(): string; exited: Promise<number | null> }): Promise<void> {
  let exited = false;
  void proc?.exited.then(() => (exited = true));
  while (!(await done())) {
    if (exited) assert.fail(`parley exited while waiting for ${what}:\n${proc!.output()}`);
    await sleep(20);
  }
}

function conversationEvents(receiver: WebhookReceiver) {
  return receiver.received.filter((r) => r.json.type !== 'insights.generated');
}

forEachDriver('webhooks survive SIGKILL mid-delivery', (kind) => {
  const receiver = new WebhookReceiver();
  let database: TestDatabase | undefined;
  let dataDir: string | undefined;
  let env: Record<string, string>;
  let secret: string;
  let endpointId: string;

  /** The database as this test process opens it (PGlite: only while no Parley process has it). */
  async function open(): Promise<Driver> {
    if (database) return database.db;
    const db = await openDatabase(loadConfig({}, { dataDir: dataDir! }));
    await migrate(db);
    return db;
  }

  async function close(db: Driver): Promise<void> {
    if (!database) await db.close();
  }

  before(async () => {
    await receiver.start();
    if (kind === 'postgres') {
      database = await freshDatabase('postgres');
      env = { DATABASE_URL: database.url! };
    } else {
      dataDir = await mkdtemp(join(tmpdir(), 'parley-webhook-crash-'));
      env = { PARLEY_DATA_DIR: dataDir, DATABASE_URL: '' };
    }
    const db = await open();
    const core = createCore(db, { webhooks: { allowPrivateNetworks: true } });
    await core.tenancy.createCustomer('acme');
    ({ secret, endpoint: { id: endpointId } } = await core.webhooks.create(caller, { url: receiver.url }));
    await makeEvents(core);
    await close(db);
  });
  after(async () => {
    await receiver.stop();
    await database?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('delivers every event, in order per conversation, after a kill -9 and a restart', async () => {
    receiver.mode = 'stall';
    const first = startParley(env);
    try {
      await until(() => receiver.requests > 0, 'the first delivery to reach the receiver', first);
    } finally {
      first.child.kill('SIGKILL');
      await first.exited;
    }
    assert.equal(receiver.received.length, 0, 'nothing was answered before the kill');

    receiver.mode = 'ok';
    const second = startParley(env);
    try {
      await until(() => new Set(conversationEvents(receiver).map((r) => r.json.id)).size >= CONVERSATIONS.length * 4, 'every event', second);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }

    const wh = new Webhook(secret);
    for (const r of receiver.received) wh.verify(r.body, r.headers as Record<string, string>);
    const byConversation = receiver.byConversation();
    assert.equal(byConversation.size, CONVERSATIONS.length);
    for (const events of byConversation.values()) {
      // At-least-once: the delivery cut off by the kill may arrive twice, with the same id.
      const firstArrivals = events.filter((e, i) => events.findIndex((x) => x.json.id === e.json.id) === i);
      const got = firstArrivals.map((e) =>
        e.json.type === 'conversation.created' ? 'created' : e.json.type === 'conversation.updated' ? (e.json.data.changedFields as string[]).join(',') : e.json.type,
      );
      // Closing starts the analysis, whose insights.generated comes after the close when it is done.
      const expected = ['created', 'messages', 'messages', 'state', 'insights.generated'].slice(0, Math.max(4, got.length));
      assert.deepEqual(got, expected, String(events[0].json.data.name));
    }

    const db = await open();
    try {
      const core = createCore(db);
      const { deliveries, total } = await core.webhooks.listDeliveries(caller, endpointId, { limit: 100, offset: 0 });
      const ofConversations = deliveries.filter((d) => d.eventType !== 'insights.generated');
      assert.ok(total >= CONVERSATIONS.length * 4);
      assert.equal(ofConversations.length, CONVERSATIONS.length * 4);
      assert.ok(ofConversations.every((d) => d.status === 'delivered'), JSON.stringify(ofConversations.map((d) => d.status)));
    } finally {
      await close(db);
    }
  });
});
