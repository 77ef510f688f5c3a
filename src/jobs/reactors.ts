import { analysisReactor } from './analysis-reactor.ts';
import { metricsReactor } from './metrics-reactor.ts';
import type { EventReactor } from './types.ts';
import { webhookReactor } from './webhook-reactor.ts';

/** Every consumer of the event log, called once per (transaction, conversation) batch. */
export const REACTORS: EventReactor[] = [
  webhookReactor,
  analysisReactor,
  metricsReactor,
];
