export { startJobRunner, type JobRunner, type RunnerOptions } from './runner.ts';
export type { EventBatch, EventReactor, Job, JobContext, QueueSpec, RetryPolicy } from './types.ts';
