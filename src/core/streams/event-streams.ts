import { notFound } from '../../kernel/errors.ts';
import type { Caller } from '../../kernel/types.ts';
import type { ConversationRef } from '../../store/conversation-ref.ts';
import type { Driver } from '../../store/driver.ts';
import { stores } from '../../store/index.ts';
import { requireProfile, visibleConversation } from '../tenancy/access.ts';
import { decodeCursor, type LogPosition } from './cursor.ts';
import { EventFollower, type StreamScope, type StreamSink, type StreamStart, type StreamSubscription } from './follower.ts';

export type { LogPosition, StreamScope, StreamSink, StreamStart, StreamSubscription };
export type { StreamEndReason, StreamEvent } from './follower.ts';

export interface StreamOptions {
  /** How often the follower reads the log when no NOTIFY wakes it (PARLEY_STREAM_POLL_MS). Default 1000. */
  pollMs?: number;
  /** A heartbeat on an idle stream every this many ms (PARLEY_STREAM_HEARTBEAT_MS). Default 15000. */
  heartbeatMs?: number;
  /** Bytes a stream may have waiting for its consumer before it is closed with its cursor (PARLEY_STREAM_MAX_BUFFER_BYTES). Default 1 MiB. */
  maxBufferBytes?: number;
}

/**
 * Live event streams: who may follow which events, and the one follower of this process that feeds
 * them. The transport (SSE, NDJSON, heartbeats, closing a slow consumer) is the surface's.
 */
export class EventStreamService {
  readonly heartbeatMs: number;
  readonly maxBufferBytes: number;
  private readonly follower: EventFollower;

  constructor(private readonly db: Driver, options: StreamOptions = {}, private readonly counted: () => () => void = () => () => undefined) {
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.maxBufferBytes = options.maxBufferBytes ?? 1024 * 1024;
    this.follower = new EventFollower(db, { pollMs: options.pollMs ?? 1000 });
  }

  /** Subscriptions open in this process. */
  get open(): number {
    return this.follower.size;
  }

  /** One conversation's events, when the caller may read that conversation (NOT_FOUND otherwise). */
  async conversationScope(caller: Caller, ref: ConversationRef, types: readonly string[]): Promise<StreamScope> {
    const s = stores(this.db);
    const named = await s.conversations.getConversation(ref);
    if (!named) throw notFound('conversation');
    // The same check as reading it by id: its customer, a narrowed key's profile and agent.
    const conversation = await visibleConversation(s, caller, named.id);
    return {
      customerId: conversation.customerId,
      conversation: { id: conversation.id, profileId: conversation.profileId, nameId: conversation.nameId },
      types,
    };
  }

  /** Every conversation of a profile; a key narrowed to an agent follows only that agent's conversations. */
  async profileScope(caller: Caller, customerId: string, profileId: string, types: readonly string[]): Promise<StreamScope> {
    await requireProfile(stores(this.db), caller, customerId, profileId);
    return { customerId, profileId, agentId: caller.agentId, types };
  }

  /** A client's cursor (`Last-Event-ID`, `?after=`); malformed is INVALID_ARGUMENT naming `field`. */
  parseCursor(cursor: string, field: string): LogPosition {
    return decodeCursor(cursor, field);
  }

  /**
   * Where a stream starts, once the follower runs: after the client's cursor, or at the live end
   * (only events committed after now). UNAVAILABLE while the process shuts down.
   */
  async start(after: LogPosition | undefined): Promise<StreamStart> {
    if (!after) return this.follower.liveEnd();
    await this.follower.ready();
    return after;
  }

  /** From start()'s answer. Synchronous: start the response right after it. */
  subscribe(scope: StreamScope, start: StreamStart, sink: StreamSink): StreamSubscription {
    const subscription = this.follower.subscribe(scope, start, sink);
    // Counted while open (the metrics' parley_open_streams); its close runs once the socket closes.
    const done = this.counted();
    return { from: subscription.from, close: () => { done(); subscription.close(); } };
  }

  /** Stops the follower and ends every stream with SHUTTING_DOWN (the app's close). */
  close(): Promise<void> {
    return this.follower.close();
  }
}
