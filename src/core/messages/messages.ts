import type { Driver } from '../../store/driver.ts';
import type { ConversationRef } from '../../store/conversation-ref.ts';
import { stores, type Stores } from '../../store/index.ts';
import { actorOf } from '../tenancy/access.ts';
import { failedPrecondition, invalidArgument, notFound } from '../../kernel/errors.ts';
import { LIMITS } from '../../kernel/limits.ts';
import { decodePageToken, encodePageToken } from '../../kernel/page-token.ts';
import { maskInJson, maskOccurrences, redactByteRange } from './redaction.ts';
import type { Caller, Conversation, Json, Message } from '../../kernel/types.ts';
import { contentHash } from '../../kernel/content-hash.ts';
import { checkMessage, type AppendPath, type MessageInput } from './append.ts';
import { idempotent, REQUEST_ID } from './idempotency.ts';

export type { MessageInput };

export interface AppendOptions {
  /** Idempotency key: a retry with the same key and body returns the first result. */
  requestId?: string;
}

export class MessageService {
  constructor(private readonly db: Driver, readonly path: AppendPath) {}

  /** Appends messages all-or-nothing; seqs are assigned in the append statement. */
  async append(caller: Caller, ref: ConversationRef, inputs: readonly MessageInput[], options: AppendOptions = {}, prefix = 'conversationMessages'): Promise<Message[]> {
    if (inputs.length === 0) throw invalidArgument(prefix, 'must hold at least one message');
    if (inputs.length > LIMITS.batchMessages) throw invalidArgument(prefix, `at most ${LIMITS.batchMessages} messages in one call`);
    const messages = inputs.map((m, i) => checkMessage(m, i, prefix));
    const request = { ref, actor: actorOf(caller), messages };
    if (!options.requestId) {
      const appended = await this.path.grouped(request);
      if (appended.length === 0) await this.explainRefusedAppend(stores(this.db), ref);
      return appended;
    }
    const key = {
      scope: `messages:${'nameId' in ref ? `${ref.profileId}/${ref.nameId}` : ref.id}`,
      key: options.requestId,
      requestHash: contentHash(inputs),
      wording: REQUEST_ID,
    };
    return this.db.transaction(async (tx) => {
      const s = stores(tx);
      return idempotent(s, ref.customerId, key, async () => {
        const appended = await this.path.inTransaction(tx, request);
        if (appended.length === 0) await this.explainRefusedAppend(s, ref);
        return { result: appended, record: { conversationId: appended[0].conversationId, ids: appended.map((m) => m.id) } };
      }, (first) => s.messages.getMessages(ref.customerId, first.conversationId, first.ids)); // as they are now
    });
  }

  private async explainRefusedAppend(s: Stores, ref: ConversationRef): Promise<never> {
    const conversation = await s.conversations.getConversation(ref);
    if (!conversation) throw notFound('conversation');
    throw failedPrecondition('conversation is closed; it accepts no new messages');
  }

  async list(ref: ConversationRef, options: { pageSize: number; pageToken?: string; descending: boolean }): Promise<{ messages: Message[]; nextPageToken: string }> {
    const tokenScope = { ref: 'nameId' in ref ? ref.nameId : ref.id, descending: options.descending };
    const after = decodePageToken(options.pageToken, tokenScope, ['int'])?.[0] as number | undefined;
    const page = await stores(this.db).messages.listMessages(ref, { afterSeq: after, descending: options.descending, limit: options.pageSize + 1 });
    if (!page.found) throw notFound('conversation');
    const messages = page.messages.slice(0, options.pageSize);
    const nextPageToken = page.messages.length > options.pageSize ? encodePageToken(tokenScope, [messages[messages.length - 1].seq]) : '';
    return { messages, nextPageToken };
  }

  /** Messages by id, in request order; any missing id fails the call with NOT_FOUND. */
  async batchGet(ref: ConversationRef, ids: readonly string[]): Promise<{ conversation: Conversation; messages: Message[] }> {
    if (ids.length > LIMITS.batchGetMessages) throw invalidArgument('names', `at most ${LIMITS.batchGetMessages} names`);
    const s = stores(this.db);
    const conversation = await s.conversations.getConversation(ref);
    if (!conversation) throw notFound('conversation');
    const found = new Map((await s.messages.getMessages(conversation.customerId, conversation.id, ids)).map((m) => [m.id, m]));
    const messages = ids.map((id) => {
      const message = found.get(id);
      if (!message) throw notFound(`message ${id}`);
      return message;
    });
    return { conversation, messages };
  }

  /**
   * Redacts a byte range of a message's text in place. The removed text is masked in textHtml and
   * originalEventData too, and the MESSAGE_REDACT event records who, when and the range — not the text.
   */
  async redact(caller: Caller, ref: ConversationRef, messageId: string, range: { startIndex: number; endIndex: number }): Promise<Message> {
    return this.changeMessage(caller, ref, messageId, (message, now) => {
      if (message.state === 'DELETED') throw failedPrecondition('message is deleted');
      const { text, removed } = redactByteRange(message.text, range.startIndex, range.endIndex);
      const redaction = { ...range, redactTime: now.toISOString(), redactor: actorOf(caller) };
      return {
        content: {
          text,
          textHtml: maskOccurrences(message.textHtml, removed),
          originalEventData: message.originalEventData && maskInJson(message.originalEventData, removed),
          redactions: [...message.redactions, redaction],
        },
        event: { type: 'MESSAGE_REDACT' as const, payload: { startIndex: range.startIndex, endIndex: range.endIndex } },
      };
    });
  }

  /** Deletion leaves a tombstone (state DELETED, content cleared) until retention purges it. */
  async delete(caller: Caller, ref: ConversationRef, messageId: string): Promise<void> {
    await this.changeMessage(caller, ref, messageId, (message) => {
      if (message.state === 'DELETED') return null;
      return {
        content: { text: '', textHtml: '', originalEventData: null, redactions: message.redactions, state: 'DELETED' as const },
        event: { type: 'MESSAGE_DELETE' as const, payload: { sequencePosition: message.seq } },
        countDelta: -1,
      };
    });
  }

  private async changeMessage(
    caller: Caller,
    ref: ConversationRef,
    messageId: string,
    decide: (message: Message, now: Date) => {
      content: Parameters<Stores['messages']['rewriteMessageContent']>[3];
      event: { type: 'MESSAGE_REDACT' | 'MESSAGE_DELETE'; payload: Record<string, Json> };
      countDelta?: number;
    } | null,
  ): Promise<Message> {
    return this.db.transaction(async (tx) => {
      const s = stores(tx);
      const conversation = await s.conversations.getConversation(ref, { forUpdate: true });
      if (!conversation) throw notFound('conversation');
      const message = await s.messages.getMessageForUpdate(conversation.customerId, conversation.id, messageId);
      if (!message) throw notFound('message');
      const decision = decide(message, new Date());
      if (!decision) return message;
      const updated = await s.messages.rewriteMessageContent(conversation.customerId, conversation.id, messageId, decision.content);
      if (decision.countDelta) await s.messages.adjustMessageCount(conversation.customerId, conversation.id, decision.countDelta);
      await s.events.appendEvents(conversation.customerId, conversation.id, actorOf(caller), [
        { type: decision.event.type, associatedMessage: messageId, payload: decision.event.payload },
      ]);
      return updated;
    });
  }
}
