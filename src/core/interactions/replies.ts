import type { Driver } from '../../store/driver.ts';
import { stores, type Stores } from '../../store/index.ts';
import { conversationOrderingKey } from '../../store/jobs.ts';
import { failedPrecondition, invalidArgument, notFound, ParleyError } from '../../kernel/errors.ts';
import type { Caller, Conversation, JsonObject, Message } from '../../kernel/types.ts';
import { actorOf, visibleConversation } from '../tenancy/access.ts';
import { handOff } from '../conversations/lifecycle.ts';
import { checkMessage, type AppendPath } from '../messages/append.ts';
import type { InteractionService } from './interactions.ts';
import type { TurnOutcome } from './run-turn.ts';

/** The queue whose jobs answer questions asked for a later reply (jobs/agent-replies.ts). */
export const AGENT_REPLY_QUEUE = 'agent-reply';

/** A question's reply as a poll sees it. */
export interface ReplyStatus {
  conversation: Conversation;
  state: 'pending' | 'completed' | 'failed';
  reply: Message | null;
  error: string | null;
}

/** A question and what the agent said to it now: null in manual mode, where a human answers later. */
export interface Answered {
  conversation: Conversation;
  question: Message;
  reply: Message | null;
}

/** Where a surface's messages come from, kept on each message (raia's `source`). */
export interface AskOptions {
  /** Stored on the question (its channel, the caller's context for it). */
  metadata?: JsonObject;
}

/** A human's answer in manual mode. */
export interface HumanAnswer {
  text: string;
  /** The question it answers (completes its awaited reply). */
  questionId?: string;
  /** Who wrote it. */
  authorId?: string;
  metadata?: JsonObject;
}

/** The refusal of a human answer where none is possible (the vendor words it; the surface renders it). */
export const NOT_MANUAL = 'the conversation must be in manual mode and not a voice conversation';

const closed = () => failedPrecondition('conversation is closed; it accepts no new messages');

const drain = async (events: AsyncGenerator<unknown>) => {
  for await (const _ of events) { /* the turn is persisted before its last event */ }
};

/**
 * Replies (the support desk's messages to the agent): a question answered now, or asked for a
 * later reply that a durable job writes; a human answers instead when the conversation is in
 * manual mode. A reply names its question (metadata `replyTo`). In AI mode a question the
 * agent's knowledge cannot answer hands the conversation to a human when the agent says so
 * (its `handOff` setting): the agent's "let me get a person" is stored, and the question stays
 * awaited until the human answers it.
 */
export class ReplyService {
  constructor(private readonly db: Driver, private readonly deps: { interactions: InteractionService; appends: AppendPath }) {}

  /** The question answered now by the agent (AI mode), or stored for a human (manual mode). */
  async ask(caller: Caller, conversationId: string, text: string, options: AskOptions, signal: AbortSignal): Promise<Answered> {
    const conversation = await visibleConversation(stores(this.db), caller, conversationId);
    if (conversation.state === 'CLOSED') throw closed();
    if (conversation.mode === 'MANUAL') return { conversation, question: await this.store(caller, conversation, text, options), reply: null };
    let outcome: TurnOutcome | undefined;
    let questionId = '';
    const turn = await this.deps.interactions.interact(caller, conversationId, { type: 'user-message', text }, signal, {
      extras: {
        inputMetadata: options.metadata,
        settle: async (s, settled) => {
          outcome = settled;
          await this.handOffIfUnsure(s, caller, conversationId, settled, (id) => s.awaitedReplies.insertAwaitedReply(caller.customerId, conversationId, id), questionId);
        },
      },
    });
    for await (const event of turn.events) if (event.kind === 'input') questionId = event.messageId;
    if (!outcome) throw new ParleyError('INTERNAL', 'the turn ended without its reply');
    const [question] = await stores(this.db).messages.getMessages(caller.customerId, conversationId, [questionId]);
    return { conversation, question, reply: outcome.reply };
  }

  /**
   * The question stored now, with its awaited reply and (AI mode) the job that answers it, in one
   * transaction: a restart between question and reply loses neither. Returns the question.
   */
  async askLater(caller: Caller, conversationId: string, text: string, options: AskOptions): Promise<Omit<Answered, 'reply'>> {
    const conversation = await visibleConversation(stores(this.db), caller, conversationId);
    return { conversation, question: await this.store(caller, conversation, text, options) };
  }

  /**
   * Answers an awaited question (the job's work). Nothing to do when it is settled, or the
   * conversation is in manual mode (a human answers) or gone. ABORTED while another turn holds
   * the conversation, and the provider's failures: the job retries them.
   */
  async answerAwaited(caller: Caller, conversationId: string, questionId: string, signal: AbortSignal): Promise<'answered' | 'settled' | 'manual' | 'gone'> {
    const s = stores(this.db);
    const awaited = await s.awaitedReplies.getAwaitedReply(caller.customerId, conversationId, questionId);
    if (!awaited) return 'gone';
    if (awaited.state !== 'pending') return 'settled';
    const conversation = await s.conversations.getConversation({ customerId: caller.customerId, id: conversationId });
    if (!conversation) return 'gone';
    if (conversation.mode === 'MANUAL') return 'manual';
    if (conversation.state === 'CLOSED') {
      await s.awaitedReplies.settleAwaitedReply(caller.customerId, conversationId, questionId, { state: 'failed', error: 'the conversation was closed before the agent answered' });
      return 'settled';
    }
    const [question] = await s.messages.getMessages(caller.customerId, conversationId, [questionId]);
    if (!question || question.state === 'DELETED') {
      await s.awaitedReplies.settleAwaitedReply(caller.customerId, conversationId, questionId, { state: 'failed', error: 'the question was deleted' });
      return 'settled';
    }
    const turn = await this.deps.interactions.interact(caller, conversationId, { type: 'user-message', text: question.text }, signal, {
      extras: {
        stored: { messageId: questionId, seq: question.seq },
        replyMetadata: { replyTo: questionId, ...sourceOf(question) },
        settle: async (t, outcome) => {
          const handedOff = await this.handOffIfUnsure(t, caller, conversationId, outcome, async () => undefined, questionId);
          if (!handedOff) await t.awaitedReplies.settleAwaitedReply(caller.customerId, conversationId, questionId, { state: 'completed', replyId: outcome.reply.id });
        },
      },
    });
    await drain(turn.events);
    return 'answered';
  }

  /** Records that the agent could not answer an awaited question (the job gave up). */
  async failAwaited(customerId: string, conversationId: string, questionId: string, error: string): Promise<void> {
    await stores(this.db).awaitedReplies.settleAwaitedReply(customerId, conversationId, questionId, { state: 'failed', error });
  }

  /** Where an awaited question stands; NOT_FOUND for a message of the conversation that was not asked so. */
  async status(caller: Caller, conversationId: string, questionId: string): Promise<ReplyStatus> {
    const s = stores(this.db);
    const conversation = await visibleConversation(s, caller, conversationId);
    const awaited = await s.awaitedReplies.getAwaitedReply(caller.customerId, conversationId, questionId);
    if (!awaited) throw notFound('question');
    const [reply] = awaited.replyId ? await s.messages.getMessages(caller.customerId, conversationId, [awaited.replyId]) : [];
    return { conversation, state: awaited.state, reply: reply ?? null, error: awaited.error };
  }

  /**
   * A human's answer: only in manual mode and not on a call (FAILED_PRECONDITION, NOT_MANUAL).
   * Naming a question completes its awaited reply in the same transaction.
   */
  async answerAsHuman(caller: Caller, conversationId: string, answer: HumanAnswer): Promise<{ conversation: Conversation; message: Message }> {
    const checked = checkMessage({ text: answer.text, speaker: 'AGENT' }, 0, 'message');
    return this.db.transaction(async (tx) => {
      const s = stores(tx);
      const conversation = await visibleConversation(s, caller, conversationId, { forUpdate: true });
      if (conversation.mode !== 'MANUAL' || conversation.channel === 'VOICE') throw failedPrecondition(NOT_MANUAL);
      if (answer.questionId !== undefined) {
        const [question] = await s.messages.getMessages(caller.customerId, conversationId, [answer.questionId]);
        if (!question) throw invalidArgument('conversationMessageId', 'names no message of this conversation');
      }
      const [message] = await this.deps.appends.inTransaction(tx, {
        ref: { customerId: caller.customerId, id: conversationId }, actor: actorOf(caller),
        messages: [{
          ...checked, speakerInfo: { displayName: answer.authorId ?? '' },
          metadata: { ...answer.metadata, ...(answer.questionId ? { replyTo: answer.questionId } : {}), ...(answer.authorId ? { authorId: answer.authorId } : {}) },
        }],
      });
      if (!message) throw closed();
      if (answer.questionId) await s.awaitedReplies.settleAwaitedReply(caller.customerId, conversationId, answer.questionId, { state: 'completed', replyId: message.id });
      return { conversation, message };
    });
  }

  /** Stores a question with its awaited reply, and in AI mode the job that answers it. */
  private async store(caller: Caller, conversation: Conversation, text: string, options: AskOptions): Promise<Message> {
    const checked = checkMessage({ text: text.trim(), speaker: 'VISITOR' }, 0, 'message');
    return this.db.transaction(async (tx) => {
      const s = stores(tx);
      const [question] = await this.deps.appends.inTransaction(tx, {
        ref: { customerId: caller.customerId, id: conversation.id }, actor: actorOf(caller),
        messages: [{ ...checked, metadata: { messageType: 'user-message', format: 'text', ...options.metadata } }],
      });
      if (!question) throw closed();
      await s.awaitedReplies.insertAwaitedReply(caller.customerId, conversation.id, question.id);
      // The mode is read again under the append's row lock: a handoff meanwhile leaves the question to the human.
      const current = await s.conversations.getConversation({ customerId: caller.customerId, id: conversation.id });
      if (current?.mode === 'AI') {
        await s.jobs.enqueueJobs([{
          queue: AGENT_REPLY_QUEUE, customerId: caller.customerId, payload: { conversationId: conversation.id, questionId: question.id },
          orderingKey: conversationOrderingKey(conversation.id), uniqueKey: `agent-reply:${conversation.id}:${question.id}`,
        }]);
      }
      return question;
    });
  }

  /**
   * The handoff of a turn the knowledge could not answer, when the agent is set to hand off: the
   * conversation goes to MANUAL in the turn's transaction, and `await` keeps the question waiting
   * for the human. Returns whether it handed off.
   */
  private async handOffIfUnsure(
    s: Stores, caller: Caller, conversationId: string, outcome: TurnOutcome, wait: (questionId: string) => Promise<void>, questionId: string,
  ): Promise<boolean> {
    if (outcome.answeredFromKnowledge !== false || outcome.agent.version.modelSettings.handOff !== true) return false;
    const current = await s.conversations.getConversation({ customerId: caller.customerId, id: conversationId }, { forUpdate: true });
    if (!current || current.state === 'CLOSED') return false;
    await handOff(s, caller, current, 'MANUAL', { by: 'agent', reason: 'the agent\'s knowledge does not answer the question', messageId: outcome.reply.id });
    await wait(questionId);
    return true;
  }
}

/** The channel a question came on, for its reply. */
function sourceOf(question: Message): JsonObject {
  return typeof question.metadata.source === 'string' ? { source: question.metadata.source } : {};
}
