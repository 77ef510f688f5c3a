import type { Driver } from '../../store/driver.ts';
import type { ConversationRef } from '../../store/conversation-ref.ts';
import { stores } from '../../store/index.ts';
import { actorOf } from '../tenancy/access.ts';
import { invalidArgument, notFound } from '../../kernel/errors.ts';
import type { Caller, Tag } from '../../kernel/types.ts';

export const TAG_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** The caller's own star tag: one per API key, created on first use. */
export function starTagId(caller: Caller): string {
  return `star.${caller.keyId}`;
}

export class TagService {
  constructor(private readonly db: Driver) {}

  async list(ref: ConversationRef): Promise<Tag[]> {
    const s = stores(this.db);
    const conversation = await s.conversations.getConversation(ref);
    if (!conversation) throw notFound('conversation');
    return s.tags.listConversationTags(conversation.customerId, conversation.id);
  }

  /** Adds a profile tag to a conversation; the tag is created in the profile on first use. Idempotent. */
  async add(caller: Caller, ref: ConversationRef, tag: { profileId: string; id: string }): Promise<void> {
    if (!TAG_ID_PATTERN.test(tag.id)) throw invalidArgument('tag', `tag id must match ${TAG_ID_PATTERN}`);
    await this.db.transaction(async (tx) => {
      const s = stores(tx);
      const conversation = await s.conversations.getConversation(ref, { forUpdate: true });
      if (!conversation) throw notFound('conversation');
      if (tag.profileId !== conversation.profileId) throw invalidArgument('tag', "must be a tag of the conversation's profile");
      await s.tags.ensureTag(conversation.customerId, conversation.profileId, tag.id);
      const added = await s.tags.attachTag(conversation.customerId, conversation.profileId, conversation.id, tag.id, actorOf(caller));
      if (added) await s.events.appendEvents(conversation.customerId, conversation.id, actorOf(caller), [{ type: 'TAG_ADD', payload: { tag: tag.id } }]);
    });
  }

  async remove(caller: Caller, ref: ConversationRef, tagId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const s = stores(tx);
      const conversation = await s.conversations.getConversation(ref, { forUpdate: true });
      if (!conversation) throw notFound('conversation');
      const removed = await s.tags.detachTag(conversation.customerId, conversation.id, tagId);
      if (!removed) throw notFound('tag');
      await s.events.appendEvents(conversation.customerId, conversation.id, actorOf(caller), [{ type: 'TAG_REMOVE', payload: { tag: tagId } }]);
    });
  }

  async star(caller: Caller, ref: ConversationRef): Promise<void> {
    const conversation = await stores(this.db).conversations.getConversation(ref);
    if (!conversation) throw notFound('conversation');
    await this.add(caller, ref, { profileId: conversation.profileId, id: starTagId(caller) });
  }
}
