import type { Driver, Queryable } from '../../store/driver.ts';
import { stores, type Stores } from '../../store/index.ts';
import type { MessageFeedbackRow } from '../../store/message-feedback.ts';
import { invalidArgument, ParleyError } from '../../kernel/errors.ts';
import type { Caller, Channel, Conversation, ConversationMode, ConversationState, JsonObject, Message } from '../../kernel/types.ts';
import { actorOf, visibleConversation } from '../tenancy/access.ts';
import type { AgentService } from '../agents/agents.ts';
import { checkMessage, type AppendPath } from '../messages/append.ts';
import { personFor, personReachedAt, checkEmail, checkPhoneNumber, type Person } from '../end-users/people.ts';
import { applyChange } from './conversations.ts';
import { checkConversationState } from './custom-states.ts';
import { MAX_LIST_OFFSET } from './filtered-list.ts';
import { handOff, moveTo, OUTBOUND_EVENT, startIn } from './lifecycle.ts';
import { removeConversations } from '../retention/remove-conversations.ts';
import type { BlobStore } from '../../providers/blobs/blob-store.ts';


/** A conversation as the support desk shows it: with its person, its analysis and the votes on its messages. */
export interface DeskConversation {
  conversation: Conversation;
  person: Person | null;
  analysis: { summary: string; sentimentScore: number } | null;
  feedbacks: MessageFeedbackRow[];
}

export interface DeskCreate {
  /** The person: an end user's Parley id, or the caller's id for them (created on first use). */
  conversationUser: string;
  title?: string;
  context?: string;
  customData?: JsonObject;
  stateId?: string;
}

export interface DeskUpdate {
  title?: string;
  context?: string;
  /** Through the lifecycle: ACTIVE, ON_HOLD, or CLOSED (final). */
  state?: Exclude<ConversationState, 'STATE_UNSPECIFIED'>;
  /** null clears it. */
  stateId?: string | null;
}

/** An outbound start: the person reached on a channel, and what is sent to them first. */
export interface DeskStart {
  channel: Extract<Channel, 'EMAIL' | 'SMS' | 'VOICE'>;
  person: { firstName: string; lastName: string; email?: string; phoneNumber?: string; fkId?: string; fkUserId?: string; source?: string; context?: string };
  /** Accept the address as given (the caller checked it). */
  skipContactValidation?: { email?: boolean; phoneNumber?: boolean };
  /** The e-mail's subject: also the conversation's title. */
  subject?: string;
  /** What the agent sends first (the introduction; a call's first words). */
  firstMessage?: string;
  conversationContext?: string;
  customData?: JsonObject;
  stateId?: string;
  /** Who starts it (a person of the customer's), kept on the first message. */
  authorId?: string;
  /** Close the person's open conversations with this agent first. */
  resetConversation?: boolean;
}

export interface DeskListRequest {
  page: number;
  pageSize: number;
  /** Default: updateTime, or the best match first with a keyword. */
  orderBy?: 'createTime' | 'updateTime';
  descending: boolean;
  keyword?: string;
  conversationUser?: string;
  updatedFrom?: Date;
  updatedTo?: Date;
  withFeedbacksOnly?: boolean;
}

const CHANNEL_ADDRESS = { EMAIL: 'email', SMS: 'phoneNumber', VOICE: 'phoneNumber' } as const;
const TITLE_MAX = 255;
const CONTEXT_MAX = 256_000;

function checkText(value: string | undefined, field: string, max: number): string | undefined {
  if (value === undefined) return undefined;
  if (value.length > max) throw invalidArgument(field, `at most ${max} characters`);
  return value;
}

/**
 * The support desk (DESIGN: the `support` surface's core): an agent's conversations with people,
 * started by the caller or outbound on a channel, filed under the customer's states, handed
 * between the agent and a human, listed with a total. Every change goes through the lifecycle or
 * applyChange with its event, in one transaction. A caller sees only its agent's conversations.
 */
export class DeskService {
  constructor(private readonly db: Driver, private readonly deps: { agents: AgentService; appends: AppendPath; blobs: BlobStore }) {}

  private agentOf(caller: Caller): string {
    if (!caller.agentId) throw new ParleyError('PERMISSION_DENIED', 'the support desk needs a key narrowed to an agent');
    return caller.agentId;
  }

  async create(caller: Caller, input: DeskCreate): Promise<DeskConversation> {
    const title = checkText(input.title, 'title', TITLE_MAX);
    const context = checkText(input.context, 'context', CONTEXT_MAX);
    const id = await this.db.transaction(async (tx) => {
      const s = stores(tx);
      const person = await personFor(s, caller.customerId, input.conversationUser);
      return this.open(tx, caller, person, {
        displayName: title, context, customData: input.customData, stateId: input.stateId, channel: 'CHAT',
      });
    });
    return this.get(caller, id);
  }

  /**
   * An outbound conversation: the person found by their address (or made), the conversation
   * opened on the channel with the first message from the agent, and MESSAGE_OUTBOUND naming
   * the channel and address, which the webhook reactor hands to `conversation.outbound_message`
   * subscribers: Parley sends no e-mail or SMS and places no call itself.
   */
  async start(caller: Caller, input: DeskStart): Promise<{ conversationId: string }> {
    const by = CHANNEL_ADDRESS[input.channel];
    const person = { ...input.person };
    if (person.email !== undefined && !input.skipContactValidation?.email) person.email = checkEmail(person.email);
    if (person.phoneNumber !== undefined && !input.skipContactValidation?.phoneNumber) person.phoneNumber = checkPhoneNumber(person.phoneNumber);
    const address = person[by];
    if (!address) throw invalidArgument(by, `is required to start a conversation by ${input.channel.toLowerCase()}`);
    const context = checkText(input.conversationContext, 'conversationContext', CONTEXT_MAX);
    const first = input.firstMessage?.trim() ? checkMessage({ text: input.firstMessage, speaker: 'VIRTUAL_AGENT' }, 0, 'firstMessage') : undefined;
    return this.db.transaction(async (tx) => {
      const s = stores(tx);
      const found = await personReachedAt(s, caller.customerId, by, person);
      if (input.resetConversation) await this.closeOpen(s, caller, found);
      const id = await this.open(tx, caller, found, {
        displayName: input.subject?.slice(0, TITLE_MAX), context, customData: input.customData, stateId: input.stateId, channel: input.channel,
      });
      const outbound: JsonObject = { channel: input.channel.toLowerCase(), to: address, ...(input.subject ? { subject: input.subject } : {}) };
      const messages = first ? [{
        ...first, speakerInfo: { displayName: input.authorId ?? '' },
        metadata: { source: input.channel.toLowerCase(), outbound, ...(input.authorId ? { authorId: input.authorId } : {}) },
      }] : [];
      const appended = await this.deps.appends.inTransaction(tx, {
        ref: { customerId: caller.customerId, id }, actor: actorOf(caller), messages,
        events: [{ type: OUTBOUND_EVENT, payload: { ...outbound, messageId: first?.id ?? null } }],
      });
      if (messages.length > 0 && appended.length === 0) throw new ParleyError('ABORTED', 'the conversation closed while starting; retry');
      return { conversationId: id };
    });
  }

  async get(caller: Caller, id: string): Promise<DeskConversation> {
    const s = stores(this.db);
    this.agentOf(caller);
    const [view] = await this.views(s, caller.customerId, [await visibleConversation(s, caller, id)]);
    return view;
  }

  /** One numbered page and the total, as raia's envelope needs. */
  async list(caller: Caller, request: DeskListRequest): Promise<{ items: DeskConversation[]; total: number }> {
    const agentId = this.agentOf(caller);
    const offset = (request.page - 1) * request.pageSize;
    if (offset > MAX_LIST_OFFSET) {
      throw new ParleyError('OUT_OF_RANGE', `page: at most ${MAX_LIST_OFFSET} conversations can be skipped; narrow the filters`, {
        fieldViolations: [{ field: 'page', description: `page × pageSize must stay within ${MAX_LIST_OFFSET + request.pageSize}` }],
      });
    }
    const s = stores(this.db);
    let endUserId: string | undefined;
    if (request.conversationUser !== undefined) {
      const person = await s.endUsers.findPerson(caller.customerId, request.conversationUser.trim());
      if (!person) return { items: [], total: 0 };
      endUserId = person.id;
    }
    const { conversations, total } = await s.desk.listDeskConversations(caller.customerId, {
      agentId, profileId: caller.profileId, endUserId, updatedFrom: request.updatedFrom, updatedTo: request.updatedTo,
      withFeedbacksOnly: request.withFeedbacksOnly, keyword: request.keyword,
      order: request.orderBy ?? (request.keyword !== undefined ? 'rank' : 'updateTime'), descending: request.descending,
      offset, limit: request.pageSize,
    });
    return { items: await this.views(s, caller.customerId, conversations), total };
  }

  async update(caller: Caller, id: string, changes: DeskUpdate): Promise<DeskConversation> {
    const title = checkText(changes.title, 'title', TITLE_MAX);
    const context = checkText(changes.context, 'context', CONTEXT_MAX);
    await this.locked(caller, id, async (current, s) => {
      const fields: Partial<Conversation> = {};
      if (title !== undefined && title !== current.displayName) fields.displayName = title;
      if (context !== undefined && context !== current.context) fields.context = context;
      if (changes.stateId !== undefined && changes.stateId !== current.stateId) {
        if (changes.stateId !== null) await checkConversationState(s, caller.customerId, changes.stateId);
        fields.stateId = changes.stateId;
      }
      let conversation = current;
      if (changes.state !== undefined) conversation = await moveTo(s, caller, conversation, changes.state, { payload: { by: 'support' } });
      if (Object.keys(fields).length > 0) {
        await applyChange(s, caller, conversation, fields, [{ type: 'CONVERSATION_UPDATE', payload: { fields: Object.keys(fields) } }]);
      }
    });
    return this.get(caller, id);
  }

  /** The handoff: MANUAL when a human takes over (CONVERSATION_TRANSFER), AI when they give it back. */
  async setMode(caller: Caller, id: string, mode: ConversationMode): Promise<DeskConversation> {
    await this.locked(caller, id, (current, s) => handOff(s, caller, current, mode, { by: 'support' }));
    return this.get(caller, id);
  }

  /**
   * Deletes every conversation of a person with the caller's agent, their messages with them,
   * each through the lifecycle (its CONVERSATION_DELETE, so webhooks send `conversation.deleted`).
   * A person unknown here has none: nothing is deleted. Returns how many were.
   */
  async deleteConversationsOf(caller: Caller, conversationUser: string): Promise<number> {
    const agentId = this.agentOf(caller);
    return this.db.transaction(async (tx) => {
      const s = stores(tx);
      const person = await s.endUsers.findPerson(caller.customerId, conversationUser.trim());
      if (!person) return 0;
      const ids = await s.desk.deskConversationsOf(caller.customerId, agentId, person.id, caller.profileId);
      // With their recordings and undelivered webhook bodies, as retention and erasure remove them.
      return (await removeConversations(tx, this.deps.blobs, caller, ids)).conversationIds.length;
    });
  }

  /** A conversation's messages that are not deleted, with the votes on them. */
  async messages(caller: Caller, id: string, options: { descending: boolean }): Promise<{ conversation: Conversation; messages: Message[]; feedbacks: MessageFeedbackRow[] }> {
    this.agentOf(caller);
    const s = stores(this.db);
    const conversation = await visibleConversation(s, caller, id);
    const messages = await s.filteredLists.listMessagesFiltered(caller.customerId, id, { order: [{ field: 'createTime', descending: options.descending }] }, 0, DESK_MESSAGES_MAX);
    if (options.descending) messages.sort((a, b) => b.seq - a.seq);
    const feedbacks = await s.messageFeedback.listMessageFeedback(caller.customerId, [id]);
    return { conversation, messages, feedbacks };
  }

  /** Opens a conversation of the caller's agent with a person, at the agent's release version. */
  private async open(
    tx: Queryable, caller: Caller, person: Person,
    fields: { displayName?: string; context?: string; customData?: JsonObject; stateId?: string; channel: Channel },
  ): Promise<string> {
    const agentId = this.agentOf(caller);
    const scope = { customerId: caller.customerId, profileId: caller.profileId, agentId, what: 'agent' };
    const s = stores(tx);
    const agent = await this.deps.agents.get(scope, agentId, tx);
    if (fields.stateId !== undefined) await checkConversationState(s, caller.customerId, fields.stateId);
    const { channel, ...rest } = fields;
    const visitor = {
      externalUserId: person.externalId, displayName: [person.firstName, person.lastName].filter(Boolean).join(' '),
      ...(person.email ? { email: person.email } : {}), ...(person.phoneNumber ? { phoneNumber: person.phoneNumber } : {}),
    };
    const { conversation } = await startIn(s, caller, caller.customerId, agent.profileId, undefined,
      { ...rest, visitor, endUserId: person.id }, { source: 'SUPPORT_DESK', channel });
    await this.deps.agents.recordConversationVersion(scope, conversation.id, agentId, 'release', tx);
    return conversation.id;
  }

  /** Closes (COMPLETED) a person's open conversations with the caller's agent: a start's reset. */
  private async closeOpen(s: Stores, caller: Caller, person: Person): Promise<void> {
    for (const id of await s.desk.deskConversationsOf(caller.customerId, this.agentOf(caller), person.id, caller.profileId)) {
      const current = await s.conversations.getConversation({ customerId: caller.customerId, id }, { forUpdate: true });
      if (current && current.state !== 'CLOSED') await moveTo(s, caller, current, 'CLOSED', { payload: { by: 'resetConversation' } });
    }
  }

  private async locked<T>(caller: Caller, id: string, change: (current: Conversation, s: Stores) => Promise<T>): Promise<T> {
    this.agentOf(caller);
    return this.db.transaction(async (tx) => {
      const s = stores(tx);
      return change(await visibleConversation(s, caller, id, { forUpdate: true }), s);
    });
  }

  private async views(s: Stores, customerId: string, conversations: Conversation[]): Promise<DeskConversation[]> {
    const ids = conversations.map((c) => c.id);
    const personIds = [...new Set(conversations.map((c) => c.endUserId).filter((id): id is string => id !== null))];
    const [people, analyses, feedbacks] = await Promise.all([
      s.endUsers.getPeople(customerId, personIds),
      s.desk.deskAnalyses(customerId, ids),
      s.messageFeedback.listMessageFeedback(customerId, ids),
    ]);
    const personById = new Map(people.map((p) => [p.id, p]));
    const analysisById = new Map(analyses.map((a) => [a.conversationId, a]));
    return conversations.map((conversation) => ({
      conversation,
      person: conversation.endUserId ? personById.get(conversation.endUserId) ?? null : null,
      analysis: analysisById.get(conversation.id) ?? null,
      feedbacks: feedbacks.filter((f) => f.conversationId === conversation.id),
    }));
  }
}

/** Messages one read returns: a support conversation's whole transcript, as raia returns it unpaged. */
export const DESK_MESSAGES_MAX = 10_000;
