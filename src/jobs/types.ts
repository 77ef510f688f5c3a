import type { Logger } from 'pino';
import type { Core } from '../core/index.ts';
import type { ConversationEvent, JsonObject } from '../kernel/types.ts';
import type { Stores } from '../store/index.ts';

export interface Job {
  id: string;
  queue: string;
  customerId: string;
  payload: JsonObject;
  /** 1 on the first run. */
  attempt: number;
  orderingKey: string | null;
  createTime: Date;
}

export interface JobContext {
  core: Core;
  log: Logger;
  /** Aborted when the runner stops: long handlers should pass it on to I/O. */
  signal: AbortSignal;
}

export interface RetryPolicy {
  /** First retry delay; doubles with each attempt. */
  baseMs: number;
  maxMs: number;
  /** Give up after this many attempts (default: no limit when giveUpAfterMs is set, else 10). */
  maxAttempts?: number;
  /** Give up once the job is this old. */
  giveUpAfterMs?: number;
}

export interface QueueSpec {
  handler(job: Job, ctx: JobContext): Promise<void>;
  retry: RetryPolicy;
  /** Called once when retries are exhausted; the job is then marked failed. */
  onGiveUp?(job: Job, error: unknown, ctx: JobContext): Promise<void>;
  /** How long a claimed job is reserved; a process killed mid-job frees it after this. Default 60 s. */
  lockMs?: number;
  /** Run this queue periodically, every so many ms (jobs/periodic.ts queues each next run). */
  everyMs?(core: Core): number;
}

/** The events of one conversation written by one transaction, in log order. */
export interface EventBatch {
  customerId: string;
  conversationId: string;
  events: ConversationEvent[];
}

/** What one dispatch step shares between its batches. */
export interface DispatchStep {
  /** Loads a value once per step (e.g. a customer's webhook endpoints), however many batches ask. */
  once<T>(key: string, load: () => Promise<T>): Promise<T>;
}

/** Turns what happened to a conversation, on any surface, into background work (inside the dispatcher's transaction). */
export type EventReactor = (s: Stores, batch: EventBatch, step: DispatchStep) => Promise<void>;
