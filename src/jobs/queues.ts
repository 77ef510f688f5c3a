import { AGENT_REPLY_QUEUE, agentReplyQueue } from './agent-replies.ts';
import { ANALYSIS_QUEUE, analysisQueue } from './analysis.ts';
import { METRICS_QUEUE, metricsQueue } from './metrics.ts';
import { RETENTION_QUEUE, retentionQueue } from './retention.ts';
import { TRANSCRIPTION_QUEUE, transcriptionQueue } from './transcription.ts';
import type { QueueSpec } from './types.ts';
import { webhookQueue } from './webhook-delivery.ts';
import { WEBHOOK_QUEUE } from './webhook-reactor.ts';

/** Every queue Parley runs, by name. */
export const QUEUES: Record<string, QueueSpec> = {
  [WEBHOOK_QUEUE]: webhookQueue,
  [ANALYSIS_QUEUE]: analysisQueue,
  [TRANSCRIPTION_QUEUE]: transcriptionQueue,
  [METRICS_QUEUE]: metricsQueue,
  [AGENT_REPLY_QUEUE]: agentReplyQueue,
  [RETENTION_QUEUE]: retentionQueue,
};
