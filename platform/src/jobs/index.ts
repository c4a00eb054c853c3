export * from './job-queue';
export type { DeadLetterFor, JobMap, JobName, QueueCatalogue, QueueSettings, RetrySettings } from './queue-catalogue';
export type { Job, JobHandler } from './queue-worker';
export type { JobTransaction } from './job-database';
export type { JobOutcome } from './job-metrics';
