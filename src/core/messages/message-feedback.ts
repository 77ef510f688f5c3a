import type { Driver } from '../../store/driver.ts';
import { stores } from '../../store/index.ts';
import type { MessageFeedbackRow, VoteType } from '../../store/message-feedback.ts';
import { invalidArgument, notFound } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import type { Caller } from '../../kernel/types.ts';
import { actorOf } from '../tenancy/access.ts';

export type { MessageFeedbackRow, VoteType };

/** The longest question, answer or comment a vote carries [Parley: raia names none]. */
export const MAX_VOTE_TEXT = 32_000;

export interface VoteInput {
  messageId: string;
  /** Who votes, stored as given; one vote per voter and message. */
  userId: string;
  /** The end user `userId` names in Parley's id form, when it does: their email goes with the vote. */
  voterEndUserId?: string;
  voteType: VoteType;
  question: string;
  answer?: string;
  comment?: string;
}

function checkText(field: string, value: string | undefined): string | null {
  if (value === undefined) return null;
  if (value.length > MAX_VOTE_TEXT) throw invalidArgument(field, `at most ${MAX_VOTE_TEXT} characters`);
  return value;
}

/**
 * Votes on single messages (raia's conversation message feedback): up or down, with the question,
 * the answer and a comment. Whoever sees the message's conversation may vote; a message outside
 * the caller's customer, profile or agent is NOT_FOUND, and so is a deleted one. A voter's second vote on a message replaces
 * the first. Each vote is one transaction with its FEEDBACK event on the conversation (a
 * `conversation.updated` naming `feedback`), as the agent surface's feedback is.
 */
export class MessageFeedbackService {
  constructor(private readonly db: Driver) {}

  /** Creates or replaces the voter's vote on the message; `created` says which. */
  async vote(caller: Caller, input: VoteInput): Promise<MessageFeedbackRow & { created: boolean }> {
    if (input.voteType !== 'up' && input.voteType !== 'down') throw invalidArgument('voteType', 'must be up or down');
    if (input.userId.trim() === '') throw invalidArgument('userId', 'must not be empty');
    const texts = { question: checkText('question', input.question), answer: checkText('answer', input.answer), comment: checkText('comment', input.comment) };
    return this.db.transaction(async (tx) => {
      const s = stores(tx);
      const message = await s.messageFeedback.findVotableMessage(caller.customerId, input.messageId, caller);
      if (!message) throw notFound('conversation message');
      const saved = await s.messageFeedback.upsertMessageFeedback(caller.customerId, {
        id: newId(), conversationId: message.conversationId, messageId: message.messageId, userId: input.userId,
        voteType: input.voteType, ...texts, voterEndUserIds: input.voterEndUserId ? [input.voterEndUserId] : [],
      });
      const payload = { feedback: saved.id, change: saved.created ? 'created' : 'updated', messageId: message.messageId, voteType: saved.voteType };
      await s.events.appendEvents(caller.customerId, message.conversationId, actorOf(caller), [{ type: 'FEEDBACK', associatedMessage: message.messageId, payload }]);
      return saved;
    });
  }

  /**
   * The votes on these conversations' messages (only these messages' when given), oldest first.
   * The caller has read the conversations already; the customer scope keeps every other out.
   */
  listFor(caller: Caller, conversationIds: readonly string[], messageIds?: readonly string[]): Promise<MessageFeedbackRow[]> {
    return stores(this.db).messageFeedback.listMessageFeedback(caller.customerId, conversationIds, messageIds);
  }
}
