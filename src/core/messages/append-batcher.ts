import type { Queryable } from '../../store/driver.ts';
import { appendMessageBatch, type AppendRequest } from '../../store/messages.ts';
import { sqlState } from '../../store/pg-errors.ts';
import type { Message } from '../../kernel/types.ts';
import { LIMITS } from '../../kernel/limits.ts';

/** Told the number of requests each grouped statement carries (the metrics' group-size histogram). */
export type GroupObserver = (requests: number) => void;

interface Waiting {
  request: AppendRequest;
  resolve: (messages: Message[]) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for plain appends. While `maxInFlight` append statements are running, further
 * appends wait and then go to the database together, as one statement and one commit
 * (appendMessageBatch). An idle server sends each append at once; a busy one pays one statement for
 * many requests instead of one each, which is what the append path's throughput hangs on.
 *
 * Every request keeps its own outcome: a conversation that is closed or absent refuses only its own
 * requests, and when the database refuses the whole statement (a deadlock, say) each request is
 * retried on its own, so one bad request cannot fail its neighbours. A lost connection is not
 * retried: whether the statement committed is unknown, so its callers get the error.
 */
export class AppendBatcher {
  private readonly waiting: Waiting[] = [];
  private inFlight = 0;

  constructor(
    private readonly db: Queryable,
    private readonly maxInFlight: number,
    /** Messages in one statement at most; a single larger request still goes alone. */
    private readonly maxMessages = 2 * LIMITS.batchMessages,
    private readonly onGroup?: GroupObserver,
  ) {}

  append(request: AppendRequest): Promise<Message[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ request, resolve, reject });
      if (this.inFlight < this.maxInFlight) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.take();
    if (batch.length === 0) return;
    this.onGroup?.(batch.length);
    this.inFlight++;
    try {
      await this.send(batch);
    } finally {
      this.inFlight--;
      if (this.waiting.length > 0) void this.flush();
    }
  }

  private take(): Waiting[] {
    let count = 0;
    let n = 0;
    while (n < this.waiting.length && (n === 0 || count + this.waiting[n].request.messages.length <= this.maxMessages)) {
      count += this.waiting[n].request.messages.length;
      n++;
    }
    return this.waiting.splice(0, n);
  }

  private async send(batch: Waiting[]): Promise<void> {
    try {
      const appended = await appendMessageBatch(this.db, batch.map((w) => w.request));
      batch.forEach((w, i) => w.resolve(appended[i]));
    } catch (err) {
      // An error the server sent means it refused the statement, so nothing of it was committed.
      if (batch.length === 1 || sqlState(err) === undefined) {
        for (const w of batch) w.reject(err);
        return;
      }
      await Promise.all(batch.map((w) => this.send([w])));
    }
  }
}
