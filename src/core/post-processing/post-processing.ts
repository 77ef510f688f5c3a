import type { Driver } from '../../store/driver.ts';
import { stores, type Stores } from '../../store/index.ts';
import type { Caller, EventType } from '../../kernel/types.ts';
import { HANDOFF_EVENT, isHandoff } from '../conversations/lifecycle.ts';
import type { FilteredListService } from '../conversations/filtered-list.ts';
import { actorOf, systemCaller } from '../tenancy/access.ts';
import { METRIC_SPEAKERS, metricsOf, type Metric } from './metrics.ts';

/**
 * Post-conversation processing of the agent runtime's conversations (Amigo's post-processings):
 * after a conversation with an agent ends, `compute-metrics` measures it. Insights are the other
 * analysis every ended conversation gets (core/insights/); a conversation `is analyzed` once it has
 * them.
 */
export const POST_PROCESSING_TYPES = ['generate-user-models', 'extract-memories', 'compute-metrics'] as const;
export type PostProcessingType = (typeof POST_PROCESSING_TYPES)[number];

export const isPostProcessingType = (value: string): value is PostProcessingType => (POST_PROCESSING_TYPES as readonly string[]).includes(value);

export const COMPUTE_METRICS: PostProcessingType = 'compute-metrics';
export const METRICS_QUEUE = 'metrics';
/** The event a completed post-processing writes, with `{ type }` (the webhook reactor tells Amigo-format endpoints). */
export const POST_PROCESSING_EVENT: EventType = 'POST_PROCESSING_COMPLETE';
/** Handoff events read when measuring: a conversation handed back and forth more often than this is handed off anyway. */
const HANDOFF_EVENTS_READ = 1000;

export type MetricsOutcome = 'computed' | 'already-done' | 'conversation-gone';

export class PostProcessingService {
  constructor(
    private readonly db: Driver,
    private readonly lists: FilteredListService,
  ) {}

  /** The conversation's metrics; empty until `compute-metrics` is done. NOT_FOUND when the caller's key does not see it. */
  async metricsOf(caller: Caller, conversationId: string): Promise<Metric[]> {
    await this.lists.get(caller, conversationId);
    return stores(this.db).postProcessings.listMetrics(caller.customerId, conversationId);
  }

  /** The post-processing kinds done for the conversation. NOT_FOUND when the caller's key does not see it. */
  async completedPostProcessingsOf(caller: Caller, conversationId: string): Promise<PostProcessingType[]> {
    return (await this.lists.get(caller, conversationId)).completedPostProcessings.filter(isPostProcessingType);
  }

  /**
   * The metrics job's work: counts the finished conversation's messages, stores the metrics, marks
   * `compute-metrics` done and appends POST_PROCESSING_COMPLETE, in ONE transaction under the
   * conversation's lock. Idempotent: a conversation measured already is left as it is.
   */
  async computeMetrics(customerId: string, conversationId: string, jobId: string): Promise<MetricsOutcome> {
    return this.db.transaction(async (tx) => {
      const s = stores(tx);
      const conversation = await s.conversations.getConversation({ customerId, id: conversationId }, { forUpdate: true });
      if (!conversation) return 'conversation-gone';
      if (await s.postProcessings.hasPostProcessing(customerId, conversationId, COMPUTE_METRICS)) return 'already-done';
      const counts = await s.postProcessings.countMessages(customerId, conversationId, METRIC_SPEAKERS);
      const transfers = await s.events.listEvents(customerId, conversationId, { types: [HANDOFF_EVENT], limit: HANDOFF_EVENTS_READ });
      const handedOff = transfers.some((e) => isHandoff(e) && e.payload.to === 'MANUAL');
      await s.postProcessings.replaceMetrics(customerId, conversationId, metricsOf({ conversation, counts, handedOff }));
      await s.postProcessings.completePostProcessing(customerId, conversationId, COMPUTE_METRICS, jobId);
      await s.events.appendEvents(customerId, conversationId, actorOf(systemCaller(customerId)), [
        { type: POST_PROCESSING_EVENT, payload: { type: COMPUTE_METRICS } },
      ]);
      return 'computed';
    });
  }
}

/**
 * Enqueues the metrics of a conversation that ended, when it is the agent runtime's (it has an
 * agent) and is not measured yet, in the caller's transaction. Not ordered with the conversation's
 * other jobs: an analysis waiting on a slow LLM must not hold the metrics back.
 */
export async function enqueueMetricsIfAgentConversation(s: Stores, customerId: string, conversationId: string): Promise<boolean> {
  const agent = await s.agentVersions.getConversationAgentVersion(customerId, conversationId);
  if (!agent?.agentId) return false;
  if (await s.postProcessings.hasPostProcessing(customerId, conversationId, COMPUTE_METRICS)) return false;
  await s.jobs.enqueueJobs([{
    queue: METRICS_QUEUE,
    customerId,
    payload: { conversationId },
    uniqueKey: `${customerId}/${conversationId}`,
  }]);
  return true;
}
