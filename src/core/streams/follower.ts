import { ParleyError } from '../../kernel/errors.ts';
import type { ConversationEvent } from '../../kernel/types.ts';
import type { Driver } from '../../store/driver.ts';
import type { EventConversation } from '../../store/event-conversations.ts';
import { EVENT_LOG_CHANNEL } from '../../store/events.ts';
import { stores } from '../../store/index.ts';
import type { CommittedEvent, EventScope, VisibleTransactions } from '../../store/jobs.ts';
import { comparePositions, encodeCursor, type LogPosition } from './cursor.ts';

/** One event as a stream hands it over: with its cursor and the names its wire form needs. */
export interface StreamEvent {
  event: ConversationEvent;
  position: LogPosition;
  cursor: string;
  conversation: { customerId: string; profileId: string; nameId: string };
}

export type StreamEndReason = 'SLOW_CONSUMER' | 'SHUTTING_DOWN' | 'UNAVAILABLE';

/** Where a subscription's events go (the HTTP response). */
export interface StreamSink {
  /** Events in log order. `live`: from the follower's poll; otherwise a page of catching up from a cursor. */
  deliver(events: readonly StreamEvent[], live: boolean): void;
  /** Resolves when the consumer can take another page (catching up waits for it). */
  room(): Promise<void>;
  /** The stream ends from this side (the process shuts down, the database failed). */
  end(reason: StreamEndReason): void;
}

/**
 * What a subscription follows: one customer's events, of one conversation (whose name parts are
 * known) or of one profile (of one agent, for a key narrowed to it), optionally of some types.
 */
export interface StreamScope {
  customerId: string;
  conversation?: { id: string; profileId: string; nameId: string };
  profileId?: string;
  agentId?: string | null;
  types: readonly string[];
}

export interface StreamSubscription {
  /** The cursor it starts after: the live end, or the client's cursor. */
  readonly from: string;
  close(): void;
}

interface Subscriber {
  scope: StreamScope;
  types: ReadonlySet<string> | null;
  /** Events at or before it have been handed over (or skipped by the type filter). */
  position: LogPosition;
  catchingUp: boolean;
  /** Live events that arrived while catching up; dropped (and re-read) past BUFFERED_WHILE_CATCHING_UP. */
  buffer: StreamEvent[];
  overran: boolean;
  /** Opened at the live end: what was visible then, skipped (dropped once the log is past all of it). */
  seen: VisibleTransactions | undefined;
  sink: StreamSink;
  closed: boolean;
}

export interface FollowerOptions {
  /** Polling interval, the backstop when no NOTIFY arrives (PARLEY_STREAM_POLL_MS). */
  pollMs: number;
}

/** Events one poll reads from the log; a full page is followed at once by the next. */
const POLL_BATCH = 1000;
const CATCH_UP_PAGE = 500;
const BUFFERED_WHILE_CATCHING_UP = 10_000;
/** Conversations whose profile and name a profile stream remembers (a poll looks up only the others). */
const PLACEMENTS_KEPT = 20_000;
/** First delay before looking again when events wait behind a running transaction; doubled up to pollMs. */
const SETTLE_FIRST_MS = 5;

const key = (customerId: string, id: string) => `${customerId}\u0000${id}`;

/** Whether an event's transaction had committed when the snapshot was taken. */
function wasVisible(snapshot: VisibleTransactions, tx: string): boolean {
  const id = BigInt(tx);
  return id < snapshot.xmin || (id < snapshot.xmax && !snapshot.running.has(tx));
}

/**
 * Where a subscription starts: after a client's cursor, or at the live end (liveEnd()): after
 * every event that had committed when the stream opened, also those the follower has not read yet.
 */
export type StreamStart = LogPosition | { liveEnd: VisibleTransactions };

function count(counts: Map<string, number>, k: string, delta: number): void {
  const n = (counts.get(k) ?? 0) + delta;
  if (n > 0) counts.set(k, n);
  else counts.delete(k);
}

/**
 * THE follower of the event log in one process: it reads the log in commit-safe order (the
 * dispatcher's rule, store/jobs.ts committedEventsAfter), once for every stream of the process,
 * and fans each event out to the subscriptions it concerns. A NOTIFY sent after each commit that
 * appended events (store/events.ts announceEvents) wakes it early; polling is the backstop, so an
 * event committed by any process reaches the streams of every process.
 */
export class EventFollower {
  private position: LogPosition | undefined;
  private starting: Promise<void> | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private wakeAgain = false;
  private settleMs = SETTLE_FIRST_MS;
  private closed = false;
  private readonly subscribers = new Set<Subscriber>();
  private readonly byConversation = new Map<string, Set<Subscriber>>();
  private readonly byProfile = new Map<string, Set<Subscriber>>();
  /** Customers with at least one profile stream, and how many: only their events need a placement. */
  private readonly profileStreams = new Map<string, number>();
  /** Customers with a profile stream of a key narrowed to an agent (see place()). */
  private readonly agentStreams = new Map<string, number>();
  private readonly placements = new Map<string, EventConversation>();

  constructor(private readonly db: Driver, private readonly options: FollowerOptions) {}

  /** Subscriptions open right now (for metrics and tests). */
  get size(): number {
    return this.subscribers.size;
  }

  /** Starts following at the log's live end, once; a subscription can be made synchronously after it. */
  ready(): Promise<void> {
    if (this.closed) return Promise.reject(new ParleyError('UNAVAILABLE', 'the server is shutting down; reconnect'));
    this.starting ??= this.start();
    return this.starting;
  }

  private async start(): Promise<void> {
    this.position = await stores(this.db).jobs.lastCommittedEvent();
    this.unlisten = await this.db.listen(EVENT_LOG_CHANNEL, () => this.wake());
    this.schedule(this.options.pollMs);
  }

  /**
   * The live end as of now. The follower's own position lags the commits by a NOTIFY, or longer
   * while an older transaction runs, so a stream starting there alone would replay events that
   * committed before it opened (a client's own write just before). What the snapshot shows is skipped.
   */
  async liveEnd(): Promise<StreamStart> {
    await this.ready();
    return { liveEnd: await stores(this.db).jobs.visibleTransactions() };
  }

  /**
   * Subscribes after ready(): from the live end, or from a cursor (the events after it are read
   * first, then live ones follow without a gap or a repeat). Synchronous, so a response can be
   * started right after it and the first event still comes after its headers.
   */
  subscribe(scope: StreamScope, start: StreamStart, sink: StreamSink): StreamSubscription {
    if (!this.position) throw new Error('subscribe() before ready()');
    const live = 'liveEnd' in start;
    const sub: Subscriber = {
      scope,
      types: scope.types.length ? new Set(scope.types) : null,
      position: live ? this.position : start,
      catchingUp: !live,
      buffer: [],
      overran: false,
      seen: live ? start.liveEnd : undefined,
      sink,
      closed: false,
    };
    this.add(sub);
    if (sub.catchingUp) void this.catchUp(sub);
    return { from: encodeCursor(sub.position), close: () => this.remove(sub) };
  }

  /** Stops polling and ends every subscription (SHUTTING_DOWN): no timer or listener is left behind. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    await this.starting?.catch(() => undefined);
    clearTimeout(this.timer);
    await this.polling;
    await this.unlisten?.().catch(() => undefined);
    for (const sub of [...this.subscribers]) {
      this.remove(sub);
      sub.sink.end('SHUTTING_DOWN');
    }
  }

  private add(sub: Subscriber): void {
    this.subscribers.add(sub);
    const { scope } = sub;
    const index = scope.conversation ? this.byConversation : this.byProfile;
    const k = key(scope.customerId, scope.conversation ? scope.conversation.id : scope.profileId!);
    let set = index.get(k);
    if (!set) index.set(k, (set = new Set()));
    set.add(sub);
    if (!scope.conversation) count(this.profileStreams, scope.customerId, 1);
    if (!scope.conversation && scope.agentId) count(this.agentStreams, scope.customerId, 1);
  }

  private remove(sub: Subscriber): void {
    if (sub.closed) return;
    sub.closed = true;
    this.subscribers.delete(sub);
    const { scope } = sub;
    const index = scope.conversation ? this.byConversation : this.byProfile;
    const k = key(scope.customerId, scope.conversation ? scope.conversation.id : scope.profileId!);
    const set = index.get(k);
    set?.delete(sub);
    if (set?.size === 0) index.delete(k);
    if (!scope.conversation) count(this.profileStreams, scope.customerId, -1);
    if (!scope.conversation && scope.agentId) count(this.agentStreams, scope.customerId, -1);
  }

  /** A NOTIFY: poll now, or right after the poll under way (it may have read before that commit). */
  private wake(): void {
    if (this.closed) return;
    if (this.polling) {
      this.wakeAgain = true;
      return;
    }
    clearTimeout(this.timer);
    this.polling = this.poll();
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.polling = this.poll();
    }, delayMs);
    // The HTTP server keeps a serving process alive; the follower alone must not.
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    let next = this.options.pollMs;
    try {
      for (;;) {
        const events = await stores(this.db).jobs.committedEventsAfter(this.position!, POLL_BATCH);
        if (events.length) {
          await this.fanOut(events);
          const last = events[events.length - 1];
          this.position = { tx: last.tx, gid: last.gid };
          this.settleMs = SETTLE_FIRST_MS;
        }
        if (events.length < POLL_BATCH || this.closed) break;
      }
      // Committed events held back by an older transaction still running: look again soon, backing
      // off while that transaction lasts, instead of waiting for the next poll.
      if (await stores(this.db).jobs.eventsAwaitingSettlement(this.position!)) {
        next = Math.min(this.settleMs, this.options.pollMs);
        this.settleMs *= 2;
      }
    } catch {
      // The database is unreachable or closing: try again at the next poll; streams just wait.
    } finally {
      this.polling = undefined;
    }
    if (this.wakeAgain) {
      this.wakeAgain = false;
      next = 0;
    }
    this.schedule(next);
  }

  private async fanOut(events: readonly CommittedEvent[]): Promise<void> {
    if (this.subscribers.size === 0) return;
    await this.place(events.filter((e) => this.profileStreams.has(e.customerId)));
    const out = new Map<Subscriber, StreamEvent[]>();
    const push = (sub: Subscriber, item: StreamEvent) => {
      const list = out.get(sub);
      if (list) list.push(item);
      else out.set(sub, [item]);
    };
    for (const committed of events) {
      const { tx, ...event } = committed;
      const position = { tx, gid: event.gid };
      const cursor = encodeCursor(position);
      for (const sub of this.byConversation.get(key(event.customerId, event.conversationId)) ?? []) {
        if (!sub.types || sub.types.has(event.type)) push(sub, { event, position, cursor, conversation: { customerId: event.customerId, ...sub.scope.conversation! } });
      }
      if (!this.profileStreams.has(event.customerId)) continue;
      const placement = this.placements.get(key(event.customerId, event.conversationId));
      if (!placement) continue;
      for (const sub of this.byProfile.get(key(event.customerId, placement.profileId)) ?? []) {
        if (sub.scope.agentId && sub.scope.agentId !== placement.agentId) continue;
        if (!sub.types || sub.types.has(event.type)) push(sub, { event, position, cursor, conversation: placement });
      }
    }
    for (const [sub, list] of out) {
      if (!sub.catchingUp) {
        this.handOver(sub, list, true);
      } else if (sub.buffer.length + list.length > BUFFERED_WHILE_CATCHING_UP) {
        sub.buffer = [];
        sub.overran = true;
      } else {
        sub.buffer.push(...list);
      }
    }
  }

  /**
   * The profile, name and agent of the events' conversations, remembered for the next polls. A
   * conversation's profile and name never change; its agent may be recorded after it started
   * (agents.ts), so one remembered without an agent is looked up again while an agent's key follows.
   */
  private async place(events: readonly ConversationEvent[]): Promise<void> {
    const missing = new Map<string, { customerId: string; id: string }>();
    for (const e of events) {
      const k = key(e.customerId, e.conversationId);
      const known = this.placements.get(k);
      if (!known || (known.agentId === null && this.agentStreams.has(e.customerId))) missing.set(k, { customerId: e.customerId, id: e.conversationId });
    }
    if (missing.size === 0) return;
    for (const found of await stores(this.db).eventConversations.conversationsOfEvents([...missing.values()])) {
      this.placements.set(key(found.customerId, found.id), found);
    }
    // Oldest first out (a Map keeps insertion order).
    for (const k of this.placements.keys()) {
      if (this.placements.size <= PLACEMENTS_KEPT) break;
      this.placements.delete(k);
    }
  }

  /** Hands over what is after the subscriber's position: a catch-up page and the live events may overlap. */
  private handOver(sub: Subscriber, events: readonly StreamEvent[], live: boolean): void {
    const fresh = events.filter((e) => comparePositions(e.position, sub.position) > 0);
    if (fresh.length === 0 || sub.closed) return;
    sub.position = fresh[fresh.length - 1].position;
    const { seen } = sub;
    if (!seen) {
      sub.sink.deliver(fresh, live);
      return;
    }
    // Later transactions' events all come after this position: none of them can have been seen.
    if (BigInt(sub.position.tx) >= seen.xmax) sub.seen = undefined;
    const unseen = fresh.filter((e) => !wasVisible(seen, e.position.tx));
    if (unseen.length) sub.sink.deliver(unseen, live);
  }

  /**
   * Reads the subscriber's scope of the log after its cursor, page by page as the consumer takes
   * them, then switches it to the live events buffered meanwhile. Every event up to the follower's
   * position when the subscriber joined had settled before the last page was read, and every later
   * one was buffered, so nothing falls between the two; overlaps are dropped by position.
   */
  private async catchUp(sub: Subscriber): Promise<void> {
    const scope: EventScope = {
      customerId: sub.scope.customerId,
      conversationId: sub.scope.conversation?.id,
      profileId: sub.scope.conversation ? undefined : sub.scope.profileId,
      agentId: sub.scope.agentId,
      types: sub.scope.types,
    };
    try {
      do {
        // From here on the buffer holds every live event; if it overflows, read the log again.
        sub.overran = false;
        for (;;) {
          const page = await stores(this.db).jobs.committedEventsAfter(sub.position, CATCH_UP_PAGE, scope);
          if (sub.closed) return;
          if (page.length) {
            this.handOver(sub, await this.render(sub, page), false);
            // Past what the page held even when none of it could be rendered, so the next page moves on.
            const last = page[page.length - 1];
            if (comparePositions(last, sub.position) > 0) sub.position = { tx: last.tx, gid: last.gid };
          }
          if (page.length < CATCH_UP_PAGE) break;
          await sub.sink.room();
          if (sub.closed) return;
        }
        // The last page too reaches the consumer before the live events follow: those cannot wait
        // for one consumer, and would find the stream over its bound and close it.
        await sub.sink.room();
        if (sub.closed) return;
      } while (sub.overran);
      sub.catchingUp = false;
      const buffered = sub.buffer;
      sub.buffer = [];
      this.handOver(sub, buffered, true);
    } catch {
      if (sub.closed) return;
      this.remove(sub);
      sub.sink.end('UNAVAILABLE');
    }
  }

  private async render(sub: Subscriber, page: readonly CommittedEvent[]): Promise<StreamEvent[]> {
    if (!sub.scope.conversation) await this.place(page);
    const rendered: StreamEvent[] = [];
    for (const { tx, ...event } of page) {
      const position = { tx, gid: event.gid };
      const conversation = sub.scope.conversation
        ? { customerId: event.customerId, ...sub.scope.conversation }
        : this.placements.get(key(event.customerId, event.conversationId));
      // A conversation purged since (retention) cannot be named any more; its events went with it.
      if (conversation) rendered.push({ event, position, cursor: encodeCursor(position), conversation });
    }
    return rendered;
  }
}
