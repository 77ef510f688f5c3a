import assert from 'node:assert/strict';
import { it } from 'node:test';
import { coalescedNotifier } from '../../src/store/post-commit-notify.ts';

/** A send that completes when the test says so. */
function controlledSend() {
  const sent: string[] = [];
  const pending: (() => void)[] = [];
  const send = (channel: string) => {
    sent.push(channel);
    return new Promise<void>((resolve) => pending.push(resolve));
  };
  const finishOne = async () => {
    pending.shift()!();
    // Let the notifier's finally() run.
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { sent, pending, send, finishOne };
}

it('coalesces the commits that land while a NOTIFY is on its way into exactly one more', async () => {
  const s = controlledSend();
  const notify = coalescedNotifier(s.send);
  notify('events');
  for (let i = 0; i < 50; i++) notify('events');
  assert.deepEqual(s.sent, ['events']);
  await s.finishOne();
  // One more, sent after the first finished: it stands for the 50 commits that came meanwhile.
  assert.deepEqual(s.sent, ['events', 'events']);
  await s.finishOne();
  assert.equal(s.pending.length, 0);
  notify('events');
  assert.equal(s.sent.length, 3, 'an idle notifier sends at once');
  await s.finishOne();
});

it('keeps channels apart, and a failed NOTIFY does not stop the next', async () => {
  const sent: string[] = [];
  const notify = coalescedNotifier(async (channel) => {
    sent.push(channel);
    throw new Error('connection lost');
  });
  notify('a');
  notify('b');
  assert.deepEqual(sent, ['a', 'b']);
  await new Promise((resolve) => setImmediate(resolve));
  notify('a');
  assert.deepEqual(sent, ['a', 'b', 'a']);
});
