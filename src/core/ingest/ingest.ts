import type { Driver, Queryable } from '../../store/driver.ts';
import type { ConversationRef } from '../../store/conversation-ref.ts';
import type { IngestConversation, IngestFilter } from '../../store/ingest-conversations.ts';
import { stores, type Stores } from '../../store/index.ts';
import { actorOf, conversationById } from '../tenancy/access.ts';
import { moveTo, planMove, startEvent } from '../conversations/lifecycle.ts';
import { failedPrecondition, invalidArgument, notFound } from '../../kernel/errors.ts';
import { checkOffsetPage } from '../../kernel/limits.ts';
import { INGEST_LIMITS, payloadTooLarge, utf8Bytes } from './limits.ts';
import { checkMessage, type AppendPath, type AppendRequest, type MessageInput } from '../messages/append.ts';
import { idempotent, ingestKeyWording, type IdempotencyKey } from '../messages/idempotency.ts';
import { workingProfile } from '../agents/agents.ts';
import { RESOURCE_ID_PATTERN } from '../tenancy/tenancy.ts';
import type { Caller, CloseReason, Conversation, JsonObject, Message } from '../../kernel/types.ts';
import { contentHash } from '../../kernel/content-hash.ts';
import { newId } from '../../kernel/ids.ts';
import { TranscriptCache } from './transcript-cache.ts';

export type { IngestConversation, IngestFilter };

export interface CreateInput {
  /** The agent (prompt) id, without its wire prefix. */
  agentId: string;
  /** The transcript's turns, mapped by the surface from its content formats. */
  messages: MessageInput[];
  /** The transcript's own metadata. */
  metadata: JsonObject;
  /** Close the conversation once logged, and why; absent: it stays open. */
  close?: CloseReason;
  /** The caller's word for an open conversation, echoed back while it is open (the surface's; see api/ingest/map.ts). */
  openStatus?: string;
  llmModel?: string;
  companyName?: string;
  idempotencyKey?: string;
}

export interface AppendInput {
  /** The turns, mapped by the surface from its wire messages. */
  messages: MessageInput[];
  /** Close the conversation after these turns, and why; absent: it stays open. */
  close?: CloseReason;
  /** Shallow-merged into the conversation's metadata (top-level keys replace). */
  metadata?: JsonObject;
}

/** What an append will write beside its messages, decided against the conversation as read. */
interface AppendPlan {
  request: AppendRequest;
  metadata: JsonObject | undefined;
}

/** Optimistic attempts through group commit before an append takes its own transaction. */
const GROUPED_ATTEMPTS = 3;

/** A conversation with its messages, as create, append and get answer. */
export interface IngestTranscript extends IngestConversation {
  messages: readonly Message[];
}

/** The `reason` an ingest close writes into its CONVERSATION_END (the event log has always said so). */
const END_REASON: Record<CloseReason, string> = { COMPLETED: 'completed', ABANDONED: 'abandoned' };

/** The last message's time when it has one within [startTime, now], else now. */
function endTimeOf(messages: readonly { createTime?: Date }[], startTime: Date): Date {
  const last = messages.length > 0 ? messages[messages.length - 1].createTime : undefined;
  return last && last >= startTime && last <= new Date() ? last : new Date();
}

/**
 * The ingest surface's rules (seed 004): logging transcripts, atomic appends, limits and
 * idempotency. A create or append may close the conversation through the lifecycle, COMPLETED or
 * ABANDONED (analysis skips abandoned ones); the surface maps its status words to that.
 */
export class IngestService {
  constructor(private readonly db: Driver, private readonly appends: AppendPath, private readonly transcripts = new TranscriptCache()) {}

  async create(caller: Caller, input: CreateInput): Promise<IngestTranscript> {
    // Everything that can be refused is refused here, before the transaction writes anything.
    if (input.messages.length > INGEST_LIMITS.messages) throw payloadTooLarge('messages', 'content.messages', 'number of messages');
    const newMessages = input.messages.map((m, i) => checkMessage(m, i, 'content.messages'));
    const profileId = workingProfile(caller);
    const key = input.idempotencyKey ? {
      scope: 'ingest:conversations', key: input.idempotencyKey, requestHash: contentHash({ ...input, idempotencyKey: undefined }),
      wording: ingestKeyWording('idempotencyKey'),
    } : undefined;
    const firstTime = input.messages.find((m) => m.createTime)?.createTime;
    const startTime = firstTime && firstTime <= new Date() ? firstTime : new Date();
    const start = { state: 'ACTIVE', startTime, source: 'LOG_INGEST', channel: 'CHAT' } as const;
    const close = input.close && planMove(start.state, 'CLOSED', this.closeOptions(input.close, endTimeOf(newMessages, startTime)));
    const details = {
      llmModel: input.llmModel ?? '',
      companyName: input.companyName ?? '',
      metadata: input.metadata,
      openStatus: input.openStatus ?? 'active',
    };
    // The conversation, its ingest record, messages and events (start, then the close when asked)
    // in ONE statement: the lifecycle decides the rows (planMove, startEvent), the store writes them.
    // No profile lookup: the working profile is the key's own or the default one, which exist as long
    // as the key does (and the conversation's foreign key would refuse anything else).
    const first = async (db: Queryable) => {
      const created = await stores(db).ingest.createIngestConversation({
        customerId: caller.customerId, profileId, id: newId(), agentId: input.agentId, agentProfileId: caller.profileId,
        actor: actorOf(caller), conversation: { ...start, ...close?.changes }, details, messages: newMessages,
        eventsBefore: [startEvent(start)], eventsAfter: close ? [close.event] : [],
      });
      if (!created) throw invalidArgument('promptId', 'no prompt with this id');
      const { conversation, messages } = created;
      // What was just written, without reading it back.
      const result: IngestTranscript = {
        ...details, agentId: input.agentId, conversation, messages, hasInsights: false,
        transactionTime: conversation.updateTime, nextMessageSeq: messages.length, version: messages.length + (close ? 2 : 1),
      };
      return { result, record: { conversationId: conversation.id } };
    };
    // Without a key one statement is the whole write, so it needs no transaction of its own.
    if (!key) {
      const { result } = await first(this.db);
      this.transcripts.keep(caller.customerId, result.conversation.id, result);
      return result;
    }
    return this.db.transaction(async (tx) => {
      const s = stores(tx);
      return idempotent(s, caller.customerId, key, () => first(tx), (record) => this.replay(s, caller, record.conversationId));
    });
  }

  /**
   * Appends turns atomically: concurrent appends are serialised, none is lost, and the answer holds
   * every message up to this append's. The conversation is read without a lock and the rules are
   * checked against it; the append statement takes the row lock once and writes only if no other
   * append moved the conversation since the read (expectSeq), else the append is re-read and
   * retried. Without an idempotency key or a close, the write goes through group commit; with one,
   * the same code runs in the append's own transaction.
   */
  async append(caller: Caller, conversationId: string, input: AppendInput, idempotencyKey?: string): Promise<IngestTranscript> {
    if (input.messages.length === 0) throw invalidArgument('messages', 'must hold at least one message');
    if (input.messages.length > INGEST_LIMITS.messages) throw payloadTooLarge('messages', 'messages', 'number of messages in one append');
    if (input.metadata && utf8Bytes(JSON.stringify(input.metadata)) > INGEST_LIMITS.metadataBytes) {
      throw payloadTooLarge('metadataBytes', 'metadata', 'metadata, serialised,');
    }
    const ref = conversationById(caller, conversationId);
    if (!idempotencyKey && !input.close) {
      for (let attempt = 0; attempt < GROUPED_ATTEMPTS; attempt++) {
        const answer = await this.tryAppend(stores(this.db), caller, ref, input, (request) => this.appends.grouped(request), { cached: true });
        if (answer) return answer;
      }
    }
    const key: IdempotencyKey | undefined = idempotencyKey ? {
      scope: `ingest:append:${conversationId}`, key: idempotencyKey, requestHash: contentHash(input), wording: ingestKeyWording('Idempotency-Key'),
    } : undefined;
    return this.db.transaction(async (tx) => {
      const s = stores(tx);
      return idempotent(s, caller.customerId, key, async () => {
        const write = (request: AppendRequest) => this.appends.inTransaction(tx, request);
        // Read committed: each attempt reads what the append that moved the conversation wrote;
        // after one lost race the read takes the row lock, so the next attempt cannot lose.
        let answer = await this.tryAppend(s, caller, ref, input, write);
        if (!answer) answer = await this.tryAppend(s, caller, ref, input, write, { lock: true });
        if (!answer) throw new Error('an append under the conversation lock was refused');
        if (input.close) {
          const conversation = await this.close(s, caller, answer.conversation, input.close, endTimeOf(answer.messages, answer.conversation.startTime));
          answer = { ...answer, conversation };
        }
        return { result: answer, record: { conversationId: answer.conversation.id } };
      }, (first) => this.replay(s, caller, first.conversationId));
    });
  }

  /**
   * One read-check-write round of an append; undefined when another append moved the conversation
   * in between. `cached`: the write commits when it returns (group commit), so what it wrote may be
   * kept; a write in a caller's transaction may still roll back, so its conversation is forgotten.
   */
  private async tryAppend(
    s: Stores, caller: Caller, ref: ConversationRef, input: AppendInput,
    write: (request: AppendRequest) => Promise<Message[]>, options: { lock?: boolean; cached?: boolean } = {},
  ): Promise<IngestTranscript | undefined> {
    const { messages: existing, ...view } = await this.transcript(s, ref, options);
    const plan = this.plan(caller, view, existing, input);
    const appended = await write(plan.request);
    if (appended.length === 0) return undefined;
    // The append statement stamped the conversation's update_time with the messages' own now().
    const conversation = { ...view.conversation, messageCount: view.conversation.messageCount + appended.length, updateTime: appended[0].updateTime };
    const answer = {
      ...view, conversation, metadata: plan.metadata ?? view.metadata, messages: [...existing, ...appended],
      nextMessageSeq: appended[appended.length - 1].seq + 1,
      // The version if nothing else wrote in between; if something did, it is too old and misses.
      version: view.version + appended.length + (plan.request.events?.length ?? 0),
    };
    if (options.cached) this.transcripts.keep(conversation.customerId, conversation.id, answer);
    else this.transcripts.forget(conversation.customerId, conversation.id);
    return answer;
  }

  /** The rules an append must pass against the conversation as read, and what it writes if it does. */
  private plan(caller: Caller, view: IngestConversation, existing: readonly Message[], input: AppendInput): AppendPlan {
    const current = view.conversation;
    if (current.state === 'CLOSED') {
      throw failedPrecondition('conversation is already completed (or abandoned) and accepts no new messages; "completed" is sent once');
    }
    if (current.messageCount + input.messages.length > INGEST_LIMITS.conversationMessages) {
      throw payloadTooLarge('conversationMessages', 'messages', 'number of messages the conversation would hold');
    }
    const bytes = (list: readonly { text: string }[]) => list.reduce((n, m) => n + utf8Bytes(m.text), 0);
    // A UTF-16 code unit is at most 3 UTF-8 bytes: counting them is enough far from the limit.
    const units = [existing, input.messages].reduce((n, list) => list.reduce((sum, m) => sum + m.text.length, n), 0);
    if (units * 3 > INGEST_LIMITS.conversationContentBytes && bytes(existing) + bytes(input.messages) > INGEST_LIMITS.conversationContentBytes) {
      throw payloadTooLarge('conversationContentBytes', 'messages', 'content bytes the conversation would hold');
    }
    // The one shallow merge: the statement writes this object as it is.
    const metadata = input.metadata && Object.keys(input.metadata).length > 0 ? { ...view.metadata, ...input.metadata } : undefined;
    if (metadata && utf8Bytes(JSON.stringify(metadata)) > INGEST_LIMITS.metadataBytes) {
      throw payloadTooLarge('metadataBytes', 'metadata', 'the merged metadata, serialised,');
    }
    const fields = ['messages', 'content'];
    if (metadata) fields.push('metadata');
    if (input.close) fields.push('status');
    return {
      metadata,
      request: {
        ref: { customerId: current.customerId, id: current.id },
        actor: actorOf(caller),
        messages: input.messages.map((m, i) => checkMessage(m, i, 'messages')),
        expectSeq: view.nextMessageSeq,
        events: [{ type: 'CONVERSATION_UPDATE', payload: { fields, surface: 'ingest' } }],
        ingestMetadata: metadata,
      },
    };
  }

  async get(caller: Caller, conversationId: string): Promise<IngestTranscript> {
    return this.transcript(stores(this.db), conversationById(caller, conversationId), { cached: true });
  }

  /** The conversation without its messages: an existence and visibility check for the insight routes. */
  async summary(caller: Caller, conversationId: string): Promise<IngestConversation> {
    return this.view(stores(this.db), conversationById(caller, conversationId));
  }

  /**
   * What the key sees, newest first: every profile of the customer, or the key's own profile when
   * it is narrowed to one; `filter.profileId` keeps one profile (another than a narrowed key's own
   * lists nothing, as a profile it cannot see).
   */
  async list(caller: Caller, filter: IngestFilter, page: { limit: number; offset: number }): Promise<{ conversations: IngestConversation[]; total: number }> {
    checkOffsetPage(page);
    if (filter.profileId !== undefined && !RESOURCE_ID_PATTERN.test(filter.profileId)) {
      throw invalidArgument('profileId', `must match ${RESOURCE_ID_PATTERN}`);
    }
    if (caller.profileId !== null && filter.profileId !== undefined && filter.profileId !== caller.profileId) return { conversations: [], total: 0 };
    return stores(this.db).ingest.listIngestConversations(caller.customerId, { ...filter, profileId: caller.profileId ?? filter.profileId }, page);
  }

  private async view(s: Stores, ref: ConversationRef): Promise<IngestConversation> {
    const view = await s.ingest.getIngestConversation(ref);
    if (!view) throw notFound('conversation');
    return view;
  }

  /**
   * The conversation with the messages its transcript renders (every one but tombstones, at most the
   * accumulation limit), in one statement. `cached` (reads outside a transaction only, which see
   * committed rows): the messages come from this process's cache when the conversation is still at
   * the version they were kept at, and are kept when read.
   */
  private async transcript(s: Stores, ref: ConversationRef, options: { lock?: boolean; cached?: boolean } = {}): Promise<IngestTranscript> {
    const cached = options.cached && 'id' in ref;
    const unlessVersion = cached ? this.transcripts.version(ref.customerId, ref.id) : undefined;
    const read = await s.ingest.getIngestTranscript(ref, INGEST_LIMITS.conversationMessages, { forUpdate: options.lock, unlessVersion });
    if (!read) throw notFound('conversation');
    const { messages, ...view } = read;
    const { customerId, id } = view.conversation;
    if (!messages) {
      const kept = this.transcripts.messagesAt(customerId, id, view.version);
      // Evicted since its version was looked up: read the messages after all.
      return kept ? { ...view, messages: kept } : this.transcript(s, ref, { lock: options.lock });
    }
    if (cached) this.transcripts.keep(customerId, id, { version: view.version, messages });
    return { ...view, messages };
  }

  /** A replayed idempotency key: the first call's conversation as it is now. */
  private async replay(s: Stores, caller: Caller, conversationId: string): Promise<IngestTranscript> {
    return this.transcript(s, conversationById(caller, conversationId));
  }

  private closeOptions(closeReason: CloseReason, endTime: Date) {
    return { endTime, closeReason, payload: { reason: END_REASON[closeReason] } };
  }

  private async close(s: Stores, caller: Caller, conversation: Conversation, closeReason: CloseReason, endTime: Date): Promise<Conversation> {
    return moveTo(s, caller, conversation, 'CLOSED', this.closeOptions(closeReason, endTime));
  }
}
