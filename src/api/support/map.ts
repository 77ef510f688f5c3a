import type { Static } from '@sinclair/typebox';
import type { DeskConversation, DeskListRequest, DeskUpdate } from '../../core/conversations/desk.ts';
import type { Person } from '../../core/end-users/people.ts';
import type { MessageFeedbackRow } from '../../core/messages/message-feedback.ts';
import type { ReplyStatus } from '../../core/interactions/replies.ts';
import type { Channel, Conversation, ConversationMode, JsonObject, Message, Role } from '../../kernel/types.ts';
import { wireId } from './ids.ts';
import {
  MESSAGE_SOURCES, type Conversation as WireConversation, type ConversationWithFeedbacks, type Feedback, type ListQuery, type Message as WireMessage,
  type MessageFeedback, type SENDER_ROLES, type STATUSES, type UpdateBody, type User,
} from './schemas.ts';

/*
 * Everything the support surface says differently from the core: raia's roles, sources, modes and
 * statuses, its score, its ids (ids.ts) and its objects.
 */

type MessageSource = (typeof MESSAGE_SOURCES)[number];

/** Who said it, as raia names the speakers: the end user, the AI agent, or a human who took over. */
const SENDER_ROLE: Partial<Record<Role, (typeof SENDER_ROLES)[number]>> = {
  VISITOR: 'conversation_user',
  VIRTUAL_AGENT: 'assistant',
  SYSTEM: 'assistant',
  AGENT: 'manual_assistant',
  SUPERVISOR: 'manual_assistant',
};

/** The channel a message came on when it does not say: its conversation's. */
const SOURCE_OF_CHANNEL: Partial<Record<Channel, MessageSource>> = { EMAIL: 'email', SMS: 'sms', VOICE: 'voice' };

/** raia's status → the lifecycle's state [Parley]: inactive is on hold, archived is closed (final). */
export const STATE_OF_STATUS: Record<(typeof STATUSES)[number], NonNullable<DeskUpdate['state']>> = {
  active: 'ACTIVE', inactive: 'ON_HOLD', archived: 'CLOSED',
};

export const modeFromWire = (mode: 'ai' | 'manual'): ConversationMode => (mode === 'ai' ? 'AI' : 'MANUAL');
const modeToWire = (mode: ConversationMode) => (mode === 'AI' ? 'ai' as const : 'manual' as const);

/** The analysis's sentiment (-1 … 1) as raia's score, 1 (very negative) to 5 (very positive) [Parley]. */
export const scoreOf = (sentimentScore: number) => Math.min(5, Math.max(1, Math.round((sentimentScore + 1) * 2) + 1));

export function listRequest(query: Static<typeof ListQuery>, userId: string | undefined): DeskListRequest {
  return {
    page: query.page ?? 1,
    pageSize: query.pageSize ?? 20,
    orderBy: query.orderBy === undefined ? undefined : query.orderBy === 'createdAt' ? 'createTime' : 'updateTime',
    descending: (query.orderDirection ?? 'DESC') === 'DESC',
    keyword: query.searchKeyword?.trim() || undefined,
    conversationUser: userId,
    updatedFrom: query.startDate ? new Date(query.startDate) : undefined,
    updatedTo: query.endDate ? new Date(query.endDate) : undefined,
    withFeedbacksOnly: query.withFeedbacksOnly,
  };
}

export function updateRequest(body: Static<typeof UpdateBody>, stateId: string | null | undefined): DeskUpdate {
  return { title: body.title, context: body.context, state: body.status ? STATE_OF_STATUS[body.status] : undefined, stateId };
}

export function personToWire(person: Person | null, conversation: Conversation): Static<typeof User> {
  if (!person) {
    // A conversation that names nobody Parley knows (started on another surface without an end user).
    const [firstName = '', ...rest] = (conversation.visitor.displayName ?? '').split(' ');
    return { id: wireId(conversation.id), firstName, lastName: rest.join(' '), isAnonymized: false };
  }
  const optional: Record<string, string | JsonObject> = {
    context: person.context, source: person.source, fkId: person.fkId, fkUserId: person.fkUserId, email: person.email, phoneNumber: person.phoneNumber,
  };
  const present = Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== ''));
  return { id: wireId(person.id), firstName: person.firstName, lastName: person.lastName, ...present, metadata: person.metadata, isAnonymized: false };
}

export function feedbackToWire(f: MessageFeedbackRow): Static<typeof Feedback> {
  return {
    id: wireId(f.id), voteType: f.voteType, question: f.question, answer: f.answer, comment: f.comment, userEmail: f.userEmail,
    createdAt: f.createdAt.toISOString(), updatedAt: f.updatedAt.toISOString(),
  };
}

export function conversationToWire(view: DeskConversation): Static<typeof WireConversation> {
  const { conversation: c, person, analysis } = view;
  return {
    id: wireId(c.id),
    conversationUserId: person ? wireId(person.id) : wireId(c.id),
    title: c.displayName,
    ...(analysis ? { score: scoreOf(analysis.sentimentScore), summary: analysis.summary } : {}),
    aiConversationId: c.id,
    metadata: { customData: c.customData },
    mode: modeToWire(c.mode),
    ...(c.stateId ? { conversationStateId: wireId(c.stateId) } : {}),
    user: personToWire(person, c),
    isAnonymized: false,
    createdAt: c.createTime.toISOString(),
    updatedAt: c.updateTime.toISOString(),
  };
}

export function conversationWithFeedbacksToWire(view: DeskConversation): Static<typeof ConversationWithFeedbacks> {
  return { ...conversationToWire(view), feedbacks: view.feedbacks.map(feedbackToWire) };
}

/**
 * The question each message answers (raia's conversationMessageId): a reply's `replyTo`, else the
 * user's message of the same interaction (a turn's input and reply); a question names itself.
 */
export function questionsOf(messages: readonly Message[]): Map<string, string> {
  const inputOfInteraction = new Map<string, string>();
  for (const m of messages) {
    const interaction = m.metadata.interactionId;
    if (m.speaker === 'VISITOR' && typeof interaction === 'string') inputOfInteraction.set(interaction, m.id);
  }
  const questions = new Map<string, string>();
  for (const m of messages) {
    const replyTo = m.metadata.replyTo;
    const interaction = m.metadata.interactionId;
    const question = typeof replyTo === 'string' ? replyTo
      : m.speaker !== 'VISITOR' && typeof interaction === 'string' ? inputOfInteraction.get(interaction) : undefined;
    questions.set(m.id, question ?? m.id);
  }
  return questions;
}

export function messageToWire(
  m: Message, conversation: Pick<Conversation, 'id' | 'channel'>, questionId: string, feedbacks?: readonly MessageFeedbackRow[],
): Static<typeof WireMessage> {
  const stated = m.metadata.source;
  const source = typeof stated === 'string' && (MESSAGE_SOURCES as readonly string[]).includes(stated)
    ? stated as MessageSource : SOURCE_OF_CHANNEL[conversation.channel] ?? 'api';
  return {
    id: wireId(m.id),
    message: m.text,
    conversationId: wireId(conversation.id),
    senderRole: SENDER_ROLE[m.speaker] ?? 'conversation_user',
    conversationMessageId: wireId(questionId),
    source,
    createdAt: m.createTime.toISOString(),
    ...(feedbacks ? { conversationMessageFeedbacks: feedbacks.filter((f) => f.messageId === m.id).map(messageFeedbackToWire) } : {}),
    isAnonymized: m.redactions.length > 0,
  };
}

function messageFeedbackToWire(f: MessageFeedbackRow): Static<typeof MessageFeedback> {
  return { id: wireId(f.id), voteType: f.voteType, question: f.question, answer: f.answer, comment: f.comment, userEmail: f.userEmail };
}

export function replyStatusToWire(status: ReplyStatus, conversation: Pick<Conversation, 'id' | 'channel'>, questionId: string) {
  return {
    status: status.state,
    message: status.reply ? messageToWire(status.reply, conversation, questionId) : null,
    error: status.error,
  };
}
