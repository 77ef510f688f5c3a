import type { Driver } from '../../store/driver.ts';
import { stores } from '../../store/index.ts';
import type { StatsBucketRow } from '../../store/conversation-stats.ts';
import { invalidArgument, notFound } from '../../kernel/errors.ts';
import type { Caller } from '../../kernel/types.ts';
import { requireProfile } from '../tenancy/access.ts';

export const STATS_INTERVALS = ['HOUR', 'DAY', 'WEEK'] as const;
export type StatsInterval = (typeof STATS_INTERVALS)[number];

const INTERVAL_SECONDS: Record<StatsInterval, number> = { HOUR: 3600, DAY: 86_400, WEEK: 7 * 86_400 };

/** A chart's axis: 400 points fill a laptop screen's width; more are refused, not thinned. */
export const STATS_MAX_BUCKETS = 400;
/** Topics in a chart's legend. */
export const STATS_TOP_TOPICS = 10;

export interface StatsRequest {
  interval: StatsInterval;
  startTime: Date;
  endTime: Date;
  /** Only this agent's conversations. */
  agentId?: string;
}

export interface StatsBucket extends Omit<StatsBucketRow, 'bucket'> {
  startTime: Date;
  endTime: Date;
}

export interface ConversationStats {
  buckets: StatsBucket[];
  topTopics: { topic: string; count: number }[];
}

const EMPTY: Omit<StatsBucketRow, 'bucket'> = {
  conversationCount: 0, analyzedCount: 0, positiveCount: 0, neutralCount: 0, negativeCount: 0, taskCompletedCount: 0, handedOffCount: 0,
};

/**
 * A profile's conversations over time, for charts: counted by start time in buckets of one
 * interval from `startTime` (an HOUR, a DAY of 24 hours, a WEEK of 7 days; the last bucket ends at
 * `endTime`, exclusive), every bucket present so the axis is continuous; with their insights
 * (analysed, sentiment, task completed), how many were handed to a human, and the range's top
 * topics. A key narrowed to an agent counts that agent's conversations only.
 */
export class ConversationStatsService {
  constructor(private readonly db: Driver) {}

  async stats(caller: Caller, customerId: string, profileId: string, request: StatsRequest): Promise<ConversationStats> {
    const { startTime, endTime, interval } = request;
    if (endTime.getTime() <= startTime.getTime()) throw invalidArgument('endTime', 'must be after startTime');
    const step = INTERVAL_SECONDS[interval];
    const count = Math.ceil((endTime.getTime() - startTime.getTime()) / (step * 1000));
    if (count > STATS_MAX_BUCKETS) {
      throw invalidArgument('interval', `the range holds ${count} buckets of one ${interval}; at most ${STATS_MAX_BUCKETS}: take a longer interval or a shorter range`);
    }
    const s = stores(this.db);
    await requireProfile(s, caller, customerId, profileId);
    const agentId = request.agentId ?? caller.agentId;
    if (caller.agentId !== null && agentId !== caller.agentId) throw notFound('agent');
    if (request.agentId !== undefined && !(await s.agents.getAgent(customerId, request.agentId, profileId))) throw notFound('agent');
    const query = { startTime, endTime, bucketSeconds: step, agentId };
    // One read transaction, so the statements run without JIT (store/conversation-stats.ts says why).
    const [rows, topTopics] = await this.db.transaction(async (tx) => {
      const t = stores(tx);
      await t.conversationStats.statsWithoutJit();
      return [
        await t.conversationStats.conversationStatBuckets(customerId, profileId, query),
        await t.conversationStats.topConversationTopics(customerId, profileId, query, STATS_TOP_TOPICS),
      ] as const;
    });
    const byIndex = new Map(rows.map(({ bucket, ...counts }) => [bucket, counts]));
    const buckets = Array.from({ length: count }, (_, i) => ({
      startTime: new Date(startTime.getTime() + i * step * 1000),
      endTime: new Date(Math.min(startTime.getTime() + (i + 1) * step * 1000, endTime.getTime())),
      ...(byIndex.get(i) ?? EMPTY),
    }));
    return { buckets, topTopics };
  }
}
