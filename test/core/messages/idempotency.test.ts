import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDriver } from '../../helpers/db.ts';
import { useCore } from '../../helpers/core.ts';
import { idempotent, ingestKeyWording, REQUEST_ID, type IdempotencyKey } from '../../../src/core/messages/idempotency.ts';
import { ParleyError } from '../../../src/kernel/errors.ts';
import { stores } from '../../../src/store/index.ts';

forEachDriver('core idempotency: claim, replay, conflict', (kind) => {
  const ctx = useCore(kind);
  const run = (key: IdempotencyKey, answer: string) => ctx.database.db.transaction((tx) =>
    idempotent(stores(tx), 'acme', key, async () => ({ result: answer, record: { answer } }), async (first) => `replay of ${first.answer}`));

  it('runs the first request, replays its record for the same body, and refuses another body', async () => {
    const key = { scope: 'test:a', key: 'k1', requestHash: 'h1', wording: REQUEST_ID };
    assert.equal(await run(key, 'first'), 'first');
    assert.equal(await run(key, 'second'), 'replay of first');
    await assert.rejects(run({ ...key, requestHash: 'h2' }, 'third'), (err: ParleyError) => {
      assert.equal(err.code, 'ALREADY_EXISTS');
      assert.equal(err.message, 'requestId "k1" was already used with a different request');
      return true;
    });
    assert.equal(await run({ ...key, scope: 'test:b' }, 'other scope'), 'other scope');
  });

  it('words a conflict by the field the ingest surface took the key from', async () => {
    for (const field of ['idempotencyKey', 'Idempotency-Key']) {
      const key = { scope: `test:${field}`, key: 'k', requestHash: 'h1', wording: ingestKeyWording(field) };
      await run(key, 'first');
      await assert.rejects(run({ ...key, requestHash: 'h2' }, 'x'), (err: ParleyError) => {
        assert.equal(err.code, 'ALREADY_EXISTS');
        assert.equal(err.message, `${field} was already used with a different request body`);
        assert.deepEqual(err.details.fieldViolations, [{ field, description: 'already used with a different request body' }]);
        return true;
      });
    }
  });

  it('a failed first request leaves the key free', async () => {
    const key = { scope: 'test:fail', key: 'k', requestHash: 'h', wording: REQUEST_ID };
    await assert.rejects(ctx.database.db.transaction((tx) => idempotent(stores(tx), 'acme', key, async () => { throw new Error('boom'); }, async () => 'never')));
    assert.equal(await run(key, 'retried'), 'retried');
  });

  it('without a key, just runs', async () => {
    assert.equal(await ctx.database.db.transaction((tx) => idempotent(stores(tx), 'acme', undefined, async () => ({ result: 1, record: null }), async () => 2)), 1);
  });
});
