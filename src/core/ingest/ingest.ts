import type { Driver } from '../../store/driver.ts';
import type { ConversationRef } from '../../store/conversation-ref.ts';
import type { IngestConversation, IngestFilter, IngestStatus, OpenStatus } from '../../store/ingest-conversations.ts';
import { stores, type Stores } from '../../store/index.ts';
import { actorOf, conversationById } from '../tenancy/access.ts';
import { applyChange, startIn } from '../conversations/conversations.ts';
import { failedPrecondition, invalidArgument, notFound, ParleyError } from '../../kernel/errors.ts';
import { checkIngestMessage, parseContent, payloadTooLarge, type IngestMessage } from './content.ts';
import { checkOffsetPage } from '../../kernel/limits.ts';
import { INGEST_LIMITS, utf8Bytes } from './limits.ts';
import { toNewMessage } from './messages.ts';
import { workingProfile } from '../agents/agents.ts';
import type { Caller, Conversation, JsonObject, Message } from '../../kernel/types.ts';
import { contentHash } from '../../kernel/content-hash.ts';

export type { IngestConversation, IngestFilter, IngestStatus };

export const INGEST_STATUSES = ['completed', 'abandoned', 'in_progress', 'active'] as const satisfies readonly IngestStatus[];

export interface CreateInput {
  /** The agent (prompt) id, without its wire prefix. */
  agentId: string;
  content: string;
  status?: IngestStatus;
  llmModel?: string;
  companyName?: string;
  idempotencyKey?: string;
}

export interface AppendInput {
  messages: IngestMessage[];
  status?: IngestStatus;
  /** Parsed from JSON, so JSON values only. */
  metadata?: Record<string, unknown>;
}

/** A conversation with its messages, as create, append and get answer. */
export interface IngestTranscript extends IngestConversation {
  messages: Message[];
}

/** Parley's choice: a create call without `status` logs a finished conversation. */
const DEFAULT_CREATE_STATUS: IngestStatus = 'completed';

function isClosing(status: IngestStatus | undefined): status is 'completed' | 'abandoned' {
  return status === 'completed' || status === 'abandoned';
}

function openStatus(status: IngestStatus | undefined): OpenStatus {
  return status === 'in_progress' ? 'in_progress' : 'active';
}

/** The latest message time when the caller gave its turns times, else now. */
function endTimeOf(messages: readonly Message[], startTime: Date): Date {
  const last = messages.length > 0 ? messages[messages.length - 1].createTime : undefined;
  return last && last >= startTime && last <= new Date() ? last : new Date();
}

/**
 * The ingest surface's rules (seed 004): logging transcripts, atomic appends, status ↔ state,
 * limits and idempotency. `completed` and `abandoned` close the conversation with a
 * CONVERSATION_END event whose `reason` tells them apart (analysis skips abandoned ones).
 */
export class IngestService {
  constructor(private readonly db: Driver) {}

  async create(caller: Caller, input: CreateInput): Promise<IngestTranscript> {
    // Everything that can be refused is refused here, before the transaction writes anything.
    const parsed = parseContent(input.content);
    const status = input.status ?? DEFAULT_CREATE_STATUS;
    const profileId = workingProfile(caller);
    const hash = contentHash({ ...input, idempotencyKey: undefined });
    return this.db.transaction(async (tx) => {
      const s = stores(tx);
      if (input.idempotencyKey) {
        const earlier = await s.idempotency.claimIdempotencyKey(caller.customerId, 'ingest:conversations', input.idempotencyKey, hash);
        if (earlier) return this.replay(s, caller, earlier, hash, 'idempotencyKey');
      }
      // No profile lookup: the working profile is the key's own or the default one, which exist
      // as long as the key does (and the conversation's foreign key would refuse anything else).
      const agent = await s.agents.getAgent(caller.customerId, input.agentId, caller.profileId);
      if (!agent) throw invalidArgument('promptId', 'no prompt with this id');
      const firstTime = parsed.messages.find((m) => m.timestamp)?.timestamp;
      const startTime = firstTime && new Date(firstTime) <= new Date() ? new Date(firstTime) : new Date();
      const { conversation: started } = await startIn(s, caller, caller.customerId, profileId, undefined, { startTime }, { source: 'LOG_INGEST', channel: 'CHAT' });
      const details = {
        agentId: agent.id,
        llmModel: input.llmModel ?? '',
        companyName: input.companyName ?? '',
        metadata: parsed.metadata,
        openStatus: openStatus(status),
      };
      await s.ingest.saveIngestDetails(caller.customerId, started.id, details);
      const ref = { customerId: caller.customerId, id: started.id };
      const messages = parsed.messages.length > 0 ? await s.messages.appendMessages(ref, actorOf(caller), parsed.messages.map(toNewMessage)) : [];
      const conversation = isClosing(status)
        ? await this.close(s, caller, started, status, endTimeOf(messages, startTime))
        : { ...started, messageCount: messages.length };
      if (input.idempotencyKey) {
        await s.idempotency.saveIdempotentResponse(caller.customerId, 'ingest:conversations', input.idempotencyKey, { conversationId: started.id });
      }
      // What was just written, without reading it back.
      return {
        ...details, conversation, messages, abandoned: status === 'abandoned', hasInsights: false, transactionTime: started.updateTime,
      };
    });
  }

  /**
   * Appends turns atomically under the conversation's row lock: concurrent appends are
   * serialised, none is lost, and the answer holds every message so far.
   */
  async append(caller: Caller, conversationId: string, input: AppendInput, idempotencyKey?: string): Promise<IngestTranscript> {
    if (input.messages.length === 0) throw invalidArgument('messages', 'must hold at least one message');
    if (input.messages.length > INGEST_LIMITS.messages) throw payloadTooLarge('messages', 'messages', 'number of messages in one append');
    input.messages.forEach((m, i) => checkIngestMessage(m, `messages[${i}]`));
    if (input.metadata && utf8Bytes(JSON.stringify(input.metadata)) > INGEST_LIMITS.metadataBytes) {
      throw payloadTooLarge('metadataBytes', 'metadata', 'metadata, serialised,');
    }
    const ref = conversationById(caller, conversationId);
    const hash = contentHash(input);
    const scope = `ingest:append:${conversationId}`;
    return this.db.transaction(async (tx) => {
      const s = stores(tx);
      if (idempotencyKey) {
        const earlier = await s.idempotency.claimIdempotencyKey(caller.customerId, scope, idempotencyKey, hash);
        if (earlier) return this.replay(s, caller, earlier, hash, 'Idempotency-Key');
      }
      const locked = await s.ingest.getIngestConversation(ref, { forUpdate: true });
      if (!locked) throw notFound('conversation');
      const current = locked.conversation;
      if (current.state === 'CLOSED') {
        throw failedPrecondition('conversation is already completed (or abandoned) and accepts no new messages; "completed" is sent once');
      }
      const existing = await this.transcript(s, ref);
      if (current.messageCount + input.messages.length > INGEST_LIMITS.conversationMessages) {
        throw payloadTooLarge('conversationMessages', 'messages', 'number of messages the conversation would hold');
      }
      const bytes = (list: readonly { text?: string; content?: string }[]) => list.reduce((n, m) => n + utf8Bytes(m.text ?? m.content ?? ''), 0);
      if (bytes(existing) + bytes(input.messages) > INGEST_LIMITS.conversationContentBytes) {
        throw payloadTooLarge('conversationContentBytes', 'messages', 'content bytes the conversation would hold');
      }
      // jsonb `||` in the store does the same shallow merge; computed here too to check its size first.
      const metadata = input.metadata && Object.keys(input.metadata).length > 0 ? { ...locked.metadata, ...(input.metadata as JsonObject) } : undefined;
      if (metadata && utf8Bytes(JSON.stringify(metadata)) > INGEST_LIMITS.metadataBytes) {
        throw payloadTooLarge('metadataBytes', 'metadata', 'the merged metadata, serialised,');
      }
      const appended = await s.messages.appendMessages(ref, actorOf(caller), input.messages.map(toNewMessage));
      const fields = ['messages', 'content'];
      if (metadata) {
        await s.ingest.mergeIngestMetadata(current.customerId, current.id, input.metadata as JsonObject);
        fields.push('metadata');
      }
      if (isClosing(input.status)) fields.push('status');
      await s.events.appendEvents(current.customerId, current.id, actorOf(caller), [
        { type: 'CONVERSATION_UPDATE', payload: { fields, surface: 'ingest' } },
      ]);
      const messages = [...existing, ...appended];
      let conversation: Conversation = { ...current, messageCount: current.messageCount + appended.length, updateTime: locked.transactionTime };
      if (isClosing(input.status)) conversation = await this.close(s, caller, current, input.status, endTimeOf(messages, current.startTime));
      if (idempotencyKey) await s.idempotency.saveIdempotentResponse(caller.customerId, scope, idempotencyKey, { conversationId: current.id });
      // The state after this append, without reading it back while the row lock is held.
      return { ...locked, conversation, metadata: metadata ?? locked.metadata, abandoned: input.status === 'abandoned', messages };
    });
  }

  async get(caller: Caller, conversationId: string): Promise<IngestTranscript> {
    const s = stores(this.db);
    const ref = conversationById(caller, conversationId);
    const view = await this.view(s, ref);
    return { ...view, messages: await this.transcript(s, ref) };
  }

  /** The conversation without its messages: an existence and visibility check for the insight routes. */
  async summary(caller: Caller, conversationId: string): Promise<IngestConversation> {
    return this.view(stores(this.db), conversationById(caller, conversationId));
  }

  async list(caller: Caller, filter: IngestFilter, page: { limit: number; offset: number }): Promise<{ conversations: IngestConversation[]; total: number }> {
    checkOffsetPage(page);
    return stores(this.db).ingest.listIngestConversations(caller.customerId, workingProfile(caller), filter, page);
  }

  private async view(s: Stores, ref: ConversationRef): Promise<IngestConversation> {
    const view = await s.ingest.getIngestConversation(ref);
    if (!view) throw notFound('conversation');
    return view;
  }

  /** The messages a transcript renders: every one but tombstones, at most the accumulation limit. */
  private async transcript(s: Stores, ref: ConversationRef): Promise<Message[]> {
    const page = await s.messages.listMessages(ref, { limit: INGEST_LIMITS.conversationMessages });
    return page.messages.filter((m) => m.state !== 'DELETED');
  }

  /** A replayed idempotency key: the first call's conversation as it is now, or 409 for another body. */
  private async replay(s: Stores, caller: Caller, earlier: { requestHash: string; response: unknown }, hash: string, field: string): Promise<IngestTranscript> {
    if (earlier.requestHash !== hash) {
      throw new ParleyError('ALREADY_EXISTS', `${field} was already used with a different request body`, {
        fieldViolations: [{ field, description: 'already used with a different request body' }],
      });
    }
    const first = earlier.response as { conversationId: string } | null;
    if (!first) throw new ParleyError('ABORTED', 'the first request with this idempotency key is still running; retry');
    const ref = conversationById(caller, first.conversationId);
    return { ...(await this.view(s, ref)), messages: await this.transcript(s, ref) };
  }

  private async close(s: Stores, caller: Caller, conversation: Conversation, reason: 'completed' | 'abandoned', endTime: Date): Promise<Conversation> {
    return applyChange(s, caller, conversation, { state: 'CLOSED', endTime }, [
      { type: 'CONVERSATION_END', payload: { from: conversation.state, to: 'CLOSED', reason } },
    ]);
  }
}
