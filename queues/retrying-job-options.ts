import type { DefaultJobOptions } from 'bullmq';
import type { HubConfig } from '../src/messages/generated-types.js';

/**
 * Job options shared by the queues whose jobs retry: exponential backoff (delay * 2^(attempt-1)),
 * and finished jobs kept only briefly, since the ledger, not Redis, is the record of what happened.
 */
export function retryingJobOptions(retry: { attempts: number; backoffMs: number }, config: HubConfig): DefaultJobOptions {
  return {
    attempts: retry.attempts,
    backoff: { type: 'exponential', delay: retry.backoffMs },
    removeOnComplete: { age: config.queues.removeOnCompleteSeconds },
    removeOnFail: { age: config.queues.removeOnFailSeconds },
  };
}
