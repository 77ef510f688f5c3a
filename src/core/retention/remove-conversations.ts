import type { Queryable } from '../../store/driver.ts';
import { stores } from '../../store/index.ts';
import type { Caller } from '../../kernel/types.ts';
import { callAudioKey, type BlobStore } from '../../providers/blobs/blob-store.ts';
import { remove } from '../conversations/lifecycle.ts';

/** What removing conversations took away besides their rows. */
export interface Removed {
  /** The conversations removed (a conversation gone already is skipped). */
  conversationIds: string[];
  /** Recordings deleted from the blob store: call recordings and the agent surface's voice messages. */
  recordings: number;
}

/**
 * Removes conversations completely inside the caller's transaction: each locked, then through the
 * lifecycle's `remove` (its CONVERSATION_DELETE, ids only, is the one row that stays, and becomes
 * `conversation.deleted` for webhooks), its webhook deliveries (their bodies hold what it said),
 * and its recordings. The rest goes by the database's cascades: messages, events, analyses,
 * feedback, calls, interactions, post-processing and metrics.
 *
 * Recordings are deleted before the transaction commits: should the commit fail, the conversation
 * is still there to be removed again (deleting a missing blob is a no-op), whereas deleting after
 * the commit could leave a recording that nothing names any more.
 */
export async function removeConversations(
  tx: Queryable, blobs: BlobStore, caller: Caller, conversationIds: readonly string[],
): Promise<Removed> {
  const s = stores(tx);
  const removed: string[] = [];
  const keys: string[] = [];
  for (const id of conversationIds) {
    const current = await s.conversations.getConversation({ customerId: caller.customerId, id }, { forUpdate: true });
    if (!current) continue;
    keys.push(...(await s.retention.voiceRecordingKeys(caller.customerId, [id])));
    if ((await s.retention.conversationsWithCalls(caller.customerId, [id])).length > 0) keys.push(callAudioKey(caller.customerId, id));
    await s.retention.deleteWebhookDeliveriesOf(caller.customerId, [id]);
    await remove(s, caller, current);
    removed.push(id);
  }
  let recordings = 0;
  for (const key of keys) {
    if (!(await blobs.stat(key))) continue;
    await blobs.delete(key);
    recordings++;
  }
  return { conversationIds: removed, recordings };
}
