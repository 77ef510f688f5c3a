import type { Driver } from '../store/driver.ts';
import { stores } from '../store/index.ts';
import type { CommittedEvent } from '../store/jobs.ts';
import type { DispatchStep, EventBatch, EventReactor } from './types.ts';

export const DISPATCHER_CURSOR = 'dispatcher';

/**
 * One dispatch step: reads the next committed events after the cursor, hands them to the reactors
 * grouped per (transaction, conversation), and moves the cursor, all in one transaction, so a
 * crash repeats the step rather than losing it. Returns how many events it consumed; 0 also when
 * another process holds the cursor.
 */
export async function dispatchEvents(db: Driver, reactors: readonly EventReactor[], limit = 500): Promise<number> {
  return db.transaction(async (tx) => {
    const s = stores(tx);
    const cursor = await s.jobs.lockEventCursor(DISPATCHER_CURSOR);
    if (!cursor) return 0;
    const events = await s.jobs.committedEventsAfter(cursor, limit);
    if (events.length === 0) return 0;
    const loaded = new Map<string, Promise<unknown>>();
    const step: DispatchStep = {
      once<T>(key: string, load: () => Promise<T>): Promise<T> {
        if (!loaded.has(key)) loaded.set(key, load());
        return loaded.get(key) as Promise<T>;
      },
    };
    for (const batch of batches(events)) {
      for (const react of reactors) await react(s, batch, step);
    }
    const last = events[events.length - 1];
    await s.jobs.saveEventCursor(DISPATCHER_CURSOR, { tx: last.tx, gid: last.gid });
    return events.length;
  });
}

function batches(events: readonly CommittedEvent[]): EventBatch[] {
  const out: EventBatch[] = [];
  const byKey = new Map<string, EventBatch>();
  for (const { tx, ...event } of events) {
    const key = `${tx}/${event.customerId}/${event.conversationId}`;
    let batch = byKey.get(key);
    if (!batch) {
      batch = { customerId: event.customerId, conversationId: event.conversationId, events: [] };
      byKey.set(key, batch);
      out.push(batch);
    }
    batch.events.push(event);
  }
  return out;
}
