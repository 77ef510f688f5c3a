import type { Driver } from '../../store/driver.ts';
import { stores } from '../../store/index.ts';
import { invalidArgument, notFound, ParleyError } from '../../kernel/errors.ts';
import { LIMITS } from '../../kernel/limits.ts';
import type { Caller } from '../../kernel/types.ts';
import type { BlobStore } from '../../providers/blobs/blob-store.ts';
import { assertCustomer } from '../tenancy/access.ts';
import { removeConversations } from './remove-conversations.ts';

/** What an erasure removed, by kind, and which conversations. */
export interface ErasureReport {
  /**
   * The person erased: Parley's id (null when Parley kept no end-user record of them: the
   * conversations surface only names them as a visitor) and the caller's id for them.
   */
  endUser: { id: string | null; externalId: string };
  removed: {
    conversations: number;
    messages: number;
    recordings: number;
    analyses: number;
    /** The agent surface's feedback: on the person's conversations, and what the person left on others. */
    agentFeedback: number;
    /** Votes on messages: on the person's conversations, and the ones the person cast on others. */
    messageFeedback: number;
    endUsers: number;
  };
  conversationIds: string[];
}

/**
 * Erasure of one person (an end user) across every surface, in one transaction: every
 * conversation with them (linked by end user, or, for conversations older than that link, naming
 * their external id as the visitor's) with its messages, events, recordings, analyses and
 * feedback; the votes and feedback they cast elsewhere; and their end-user record. What stays is
 * each conversation's CONVERSATION_DELETE, which holds ids only (profile, conversation id and the
 * caller's name for it, the deleting key) and becomes `conversation.deleted` for webhooks; and, for
 * up to 24 h, the idempotency records of requests that named them, which hold ids only (a replay
 * reads the rows as they are now: gone).
 */
export class ErasureService {
  constructor(private readonly db: Driver, private readonly blobs: BlobStore) {}

  /**
   * `reference`: the end user's Parley id, else the caller's id for them (also when only
   * conversations name them as their visitor, or only their votes do). NOT_FOUND when nothing
   * names them. The whole customer is needed: a key narrowed to a profile or an agent cannot see
   * every conversation of the person.
   */
  async erase(caller: Caller, customerId: string, reference: string): Promise<ErasureReport> {
    assertCustomer(caller, customerId, 'end user');
    if (caller.profileId !== null || caller.agentId !== null || caller.endUser) {
      throw new ParleyError('PERMISSION_DENIED', 'erasing an end user needs a key of the whole customer (this key is narrowed to a profile or an agent)');
    }
    const ref = reference.trim();
    if (ref === '' || ref.length > LIMITS.shortString || /\p{Cc}/u.test(ref)) {
      throw invalidArgument('user', `must be 1 to ${LIMITS.shortString} characters without control characters`);
    }
    return this.db.transaction(async (tx) => {
      const s = stores(tx);
      // A person the conversations surface only names (visitor.externalUserId) has no end-user record.
      const person = await s.endUsers.findPerson(customerId, ref);
      const externalId = person?.externalId ?? ref;
      const ids = await s.retention.conversationsOfPerson(customerId, person?.id ?? null, externalId);
      const contents = await s.retention.countConversationContents(customerId, ids);
      const removed = await removeConversations(tx, this.blobs, caller, ids);
      const cast = await s.retention.deleteFeedbackBy(customerId, person?.id ?? null, person ? [person.id, externalId] : [ref]);
      const endUsers = person && (await s.retention.deleteEndUser(customerId, person.id)) ? 1 : 0;
      // Nothing names them: NOT_FOUND, and the transaction (which removed nothing) rolls back.
      if (!person && ids.length === 0 && cast.agentFeedback + cast.messageFeedback === 0) throw notFound('end user');
      return {
        endUser: { id: person?.id ?? null, externalId },
        removed: {
          conversations: removed.conversationIds.length,
          messages: contents.messages,
          recordings: removed.recordings,
          analyses: contents.analyses,
          agentFeedback: contents.agentFeedback + cast.agentFeedback,
          messageFeedback: contents.messageFeedback + cast.messageFeedback,
          endUsers,
        },
        conversationIds: removed.conversationIds,
      };
    });
  }
}
