import type { Driver } from '../../store/driver.ts';
import { stores } from '../../store/index.ts';
import type { PendingQuestion } from '../../store/pending-questions.ts';
import { invalidArgument } from '../../kernel/errors.ts';
import type { Caller, Conversation, ConversationMode, Message } from '../../kernel/types.ts';
import { visibleConversation } from '../tenancy/access.ts';
import type { ReplyService } from '../interactions/replies.ts';
import type { ConversationService } from './conversations.ts';
import type { NamedConversation } from './resolve.ts';

export type { PendingQuestion };

/** Pending questions one read returns, oldest first: a human answers them in order. */
export const PENDING_QUESTIONS_MAX = 100;

export interface HandoffState {
  conversation: Conversation;
  pendingQuestions: PendingQuestion[];
}

/**
 * The handoff as the conversations surface serves it (the console's "answer as a human"): who
 * answers (mode), the questions still waiting for a reply, the mode changed through the one
 * lifecycle (ConversationService.setMode → lifecycle handOff), and a human's answer through the
 * support desk's rule (ReplyService.answerAsHuman: manual mode, not a call). A conversation
 * addressed by name is checked against the key like any other (visibleConversation: its
 * customer, profile and agent), so a key narrowed to an agent reaches only that agent's.
 */
export class HandoffService {
  constructor(private readonly db: Driver, private readonly deps: { conversations: ConversationService; replies: ReplyService }) {}

  async get(caller: Caller, ref: NamedConversation): Promise<HandoffState> {
    const conversation = await this.visible(caller, ref);
    const pendingQuestions = await stores(this.db).awaitedReplies.listPendingQuestions(caller.customerId, conversation.id, PENDING_QUESTIONS_MAX);
    return { conversation, pendingQuestions };
  }

  async setMode(caller: Caller, ref: NamedConversation, mode: ConversationMode): Promise<Conversation> {
    await this.visible(caller, ref);
    return this.deps.conversations.setMode(caller, ref, mode);
  }

  /** A human's answer; naming a question (a message of this conversation) completes its awaited reply. */
  async reply(caller: Caller, ref: NamedConversation, answer: { text: string; questionId?: string }): Promise<{ conversation: Conversation; message: Message }> {
    const conversation = await this.visible(caller, ref);
    if (!answer.text.trim()) throw invalidArgument('text', 'must not be blank');
    if (answer.questionId !== undefined) {
      const [question] = await stores(this.db).messages.getMessages(caller.customerId, conversation.id, [answer.questionId]);
      if (!question) throw invalidArgument('question', 'names no message of this conversation');
    }
    return this.deps.replies.answerAsHuman(caller, conversation.id, { text: answer.text, questionId: answer.questionId, metadata: { source: 'api' } });
  }

  private async visible(caller: Caller, ref: NamedConversation): Promise<Conversation> {
    const named = await this.deps.conversations.get(ref);
    return visibleConversation(stores(this.db), caller, named.id);
  }
}
