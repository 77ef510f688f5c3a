import type { Driver } from '../../store/driver.ts';
import { stores } from '../../store/index.ts';
import type { BlobStore } from '../../providers/blobs/blob-store.ts';
import { systemCaller } from '../tenancy/access.ts';
import { removeConversations } from './remove-conversations.ts';

/** What one purge run removed. */
export interface PurgeOutcome {
  /** The conversations removed, by customer. */
  removed: { customerId: string; conversationIds: string[] }[];
  recordings: number;
  /** The run stopped at its limit: more may be past retention (the job runs again at once). */
  more: boolean;
}

export interface RetentionOptions {
  /** How often the purge job runs (PARLEY_RETENTION_SWEEP_MINUTES). */
  sweepMs: number;
  /** Conversations one run removes at most (PARLEY_RETENTION_BATCH). */
  batch: number;
}

export const RETENTION_DEFAULTS: RetentionOptions = { sweepMs: 60 * 60_000, batch: 500 };

/**
 * Retention: a conversation is removed once `retentionDays` have passed since its clock started
 * (its end time when closed; its last update while open, so one left open still ages out). The
 * days are its own policyOverride.retentionDays when 1 or more, else its profile's; a profile
 * without retention keeps its conversations until they are deleted.
 */
export class RetentionService {
  readonly options: RetentionOptions;

  constructor(private readonly db: Driver, private readonly blobs: BlobStore, options: Partial<RetentionOptions> = {}) {
    this.options = { ...RETENTION_DEFAULTS, ...options };
  }

  /**
   * Removes up to `limit` conversations past retention at `now` (every customer, oldest first),
   * one transaction each: each is locked and checked again, so one written to meanwhile stays.
   */
  async purgeExpired(options: { now: Date; limit?: number }): Promise<PurgeOutcome> {
    const limit = options.limit ?? this.options.batch;
    const outcome: PurgeOutcome = { removed: [], recordings: 0, more: false };
    let seen = 0;
    for (const customer of await stores(this.db).customers.listCustomers()) {
      if (seen >= limit) {
        outcome.more = true;
        break;
      }
      const candidates = await stores(this.db).retention.expiredConversations(customer.id, options.now, limit - seen);
      seen += candidates.length;
      const removed: string[] = [];
      for (const id of candidates) {
        const done = await this.db.transaction(async (tx) => {
          const s = stores(tx);
          if (!(await s.conversations.getConversation({ customerId: customer.id, id }, { forUpdate: true }))) return null;
          if ((await s.retention.expiredConversations(customer.id, options.now, 1, id)).length === 0) return null;
          return removeConversations(tx, this.blobs, systemCaller(customer.id), [id]);
        });
        if (!done) continue;
        removed.push(...done.conversationIds);
        outcome.recordings += done.recordings;
      }
      if (removed.length > 0) outcome.removed.push({ customerId: customer.id, conversationIds: removed });
    }
    if (seen >= limit) outcome.more = true;
    return outcome;
  }
}
