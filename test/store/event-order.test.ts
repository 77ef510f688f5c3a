import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useCore } from '../helpers/core.ts';
import { stores } from '../../src/store/index.ts';

/**
 * The log is followed in (transaction, gid) order by the webhook dispatcher and every live stream.
 * Transaction ids are numbers: 98 comes before 102 although '102' < '98' as text (the cursor's form).
 * Three old transactions stand for a dispatch step that spans a power of ten, as every database's
 * transaction counter eventually does.
 */
forEachDriver('the event log in transaction order', (kind) => {
  const ctx = useCore(kind);

  it('reads and ends at events by transaction number, not by its text', async () => {
    const db = ctx.database.db;
    for (const [tx, seq] of [[98, 0], [102, 1], [99, 2]]) {
      await db.query(`INSERT INTO events (customer_id, conversation_id, seq, type, actor, tx) VALUES ('ordered', 'c', $1, 'USED_SUGGESTION', 't', $2::text::xid8)`, [seq, String(tx)]);
    }
    const s = stores(db).jobs;
    const read = await s.committedEventsAfter({ tx: '0', gid: 0 }, 10, { customerId: 'ordered' });
    assert.deepEqual(read.map((e) => e.tx), ['98', '99', '102']);
    const after99 = await s.committedEventsAfter({ tx: '99', gid: read[1].gid }, 10, { customerId: 'ordered' });
    assert.deepEqual(after99.map((e) => e.tx), ['102']);
    // The live end of the whole log: this suite's database holds no other events.
    assert.deepEqual(await db.query(`SELECT count(*)::int AS n FROM events WHERE customer_id <> 'ordered'`), [{ n: 0 }]);
    assert.deepEqual(await s.lastCommittedEvent(), { tx: '102', gid: read[2].gid });
  });
});
