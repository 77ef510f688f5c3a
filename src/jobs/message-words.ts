import type { Driver } from '../store/driver.ts';
import { stores } from '../store/index.ts';
import { MESSAGE_WORDS_CURSOR } from '../store/message-words.ts';

/**
 * One step of the background word indexer (migration 027): the words of the messages among the
 * next settled events after its cursor, and the cursor moved past them, in one transaction, so a
 * crash repeats the step. Returns how many events it read; 0 also when another process holds the
 * cursor.
 */
export async function indexMessageWords(db: Driver, limit: number): Promise<number> {
  return db.transaction(async (tx) => {
    const s = stores(tx);
    const cursor = await s.jobs.lockEventCursor(MESSAGE_WORDS_CURSOR);
    if (!cursor) return 0;
    const { end, read } = await s.messageWords.indexSettledMessageWords(cursor, limit);
    if (read > 0) await s.jobs.saveEventCursor(MESSAGE_WORDS_CURSOR, end);
    return read;
  });
}
