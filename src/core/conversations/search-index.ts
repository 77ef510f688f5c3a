import type { Driver } from '../../store/driver.ts';
import { stores } from '../../store/index.ts';

/**
 * Before a keyword search: the words of every message of the customer committed so far, also
 * those the background indexer (jobs/message-words.ts) has not reached yet, so a search finds
 * what was said just before it (migration 027). Nothing is written when the indexer is caught up.
 */
export async function indexWordsBeforeSearch(db: Driver, customerId: string): Promise<void> {
  const awaiting = await stores(db).messageWords.messagesAwaitingWords(customerId);
  if (awaiting.conversations.length === 0) return;
  await db.transaction((tx) => stores(tx).messageWords.indexAwaitingWords(customerId, awaiting));
}
