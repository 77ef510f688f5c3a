import type { Driver, Queryable } from '../../store/driver.ts';
import { stores } from '../../store/index.ts';
import type { AgentFeedback, FeedbackSortField } from '../../store/agent-feedback.ts';
import { invalidArgument, notFound, ParleyError } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import type { Caller } from '../../kernel/types.ts';
import { actorOf } from '../tenancy/access.ts';
import { page, type FilteredListService, type OffsetPage, type OffsetResult } from '../conversations/filtered-list.ts';

export type { AgentFeedback, FeedbackSortField };

/** A comment's length bound: a paragraph or a few, never a document. */
export const MAX_FEEDBACK_COMMENT = 10_000;

/** The one kind of interaction feedback Parley keeps: a comment a reviewer can resolve [seed]. */
export const INTERACTION_COMMENT = 'interaction_comment';

export interface FeedbackInput {
  comment: string;
  /** Interaction comments only. */
  resolved?: boolean;
}

export interface FeedbackListQuery {
  onInteractions: boolean;
  conversationIds?: string[];
  interactionIds?: string[];
  order: { field: FeedbackSortField; descending: boolean }[];
}

/** Where a feedback sits: a conversation, and one of its interactions or none (the conversation's own). */
export interface FeedbackTarget {
  conversationId: string;
  interactionId: string | null;
}

function checkComment(comment: string): string {
  const trimmed = comment.trim();
  if (trimmed === '') throw invalidArgument('comment', 'must not be empty');
  if (trimmed.length > MAX_FEEDBACK_COMMENT) throw invalidArgument('comment', `at most ${MAX_FEEDBACK_COMMENT} characters`);
  return trimmed;
}

/**
 * Feedback on the agent surface's conversations and interactions (Amigo's, seed 002). Whoever sees
 * the conversation may give, change and remove feedback on it; another customer's, or one outside
 * the key's profile or agent, is NOT_FOUND. A resolved interaction comment keeps its comment (ABORTED).
 * Each change is one transaction with its FEEDBACK event (a `conversation.updated` naming `feedback`).
 */
export class FeedbackService {
  constructor(private readonly db: Driver, private readonly lists: FilteredListService) {}

  /** The target as the caller may reach it: a visible conversation, and an interaction it had. */
  private async reach(caller: Caller, target: FeedbackTarget): Promise<void> {
    await this.lists.get(caller, target.conversationId);
    if (target.interactionId !== null
      && !(await stores(this.db).agentFeedback.hasInteraction(caller.customerId, target.conversationId, target.interactionId))) {
      throw notFound('interaction');
    }
  }

  async create(caller: Caller, target: FeedbackTarget, input: FeedbackInput): Promise<AgentFeedback> {
    const comment = checkComment(input.comment);
    if (target.interactionId === null && input.resolved !== undefined) throw invalidArgument('resolved', 'only on interaction feedback');
    await this.reach(caller, target);
    const content = target.interactionId === null ? { comment } : { type: INTERACTION_COMMENT, comment, resolved: input.resolved ?? false };
    return this.db.transaction(async (tx) => {
      const created = await stores(tx).agentFeedback.insertFeedback(caller.customerId, {
        id: newId(), ...target, userId: caller.endUser?.externalId ?? '', content,
      });
      await this.record(tx, caller, target, created.id, 'created');
      return created;
    });
  }

  private async record(tx: Queryable, caller: Caller, target: FeedbackTarget, id: string, change: 'created' | 'updated' | 'deleted'): Promise<void> {
    const payload = { feedback: id, change, ...(target.interactionId === null ? {} : { interactionId: target.interactionId }) };
    await stores(tx).events.appendEvents(caller.customerId, target.conversationId, actorOf(caller), [{ type: 'FEEDBACK', payload }]);
  }

  /** Changes a feedback's comment or resolution; ABORTED when a resolved interaction comment would change its comment. */
  async update(caller: Caller, target: FeedbackTarget, id: string, changes: Partial<FeedbackInput>): Promise<void> {
    const comment = changes.comment === undefined ? undefined : checkComment(changes.comment);
    if (target.interactionId === null && changes.resolved !== undefined) throw invalidArgument('resolved', 'only on interaction feedback');
    if (comment === undefined && changes.resolved === undefined) throw invalidArgument('body', 'nothing to change: give comment or resolved');
    await this.reach(caller, target);
    await this.db.transaction(async (tx) => {
      const s = stores(tx).agentFeedback;
      const current = await s.getFeedback(caller.customerId, target.conversationId, target.interactionId, id, { forUpdate: true });
      if (!current) throw notFound('feedback');
      if (current.content.resolved === true && comment !== undefined && comment !== current.content.comment) {
        throw new ParleyError('ABORTED', 'the feedback is resolved: its comment cannot change');
      }
      await s.updateFeedbackContent(caller.customerId, id, {
        ...current.content,
        ...(comment === undefined ? {} : { comment }),
        ...(changes.resolved === undefined ? {} : { resolved: changes.resolved }),
      });
      await this.record(tx, caller, target, id, 'updated');
    });
  }

  async delete(caller: Caller, target: FeedbackTarget, id: string): Promise<void> {
    await this.reach(caller, target);
    await this.db.transaction(async (tx) => {
      const s = stores(tx).agentFeedback;
      const current = await s.getFeedback(caller.customerId, target.conversationId, target.interactionId, id, { forUpdate: true });
      if (!current || !(await s.deleteFeedback(caller.customerId, id))) throw notFound('feedback');
      await this.record(tx, caller, target, id, 'deleted');
    });
  }

  /** Feedback of the conversations the caller sees, by filters, in numbered pages. */
  list(caller: Caller, query: FeedbackListQuery, offset: OffsetPage): Promise<OffsetResult<AgentFeedback>> {
    return page(offset, (limit) => stores(this.db).agentFeedback.listFeedback(caller.customerId, {
      ...query, profileId: caller.profileId, agentId: caller.agentId,
    }, offset.offset, limit));
  }
}
