import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { watchConnection } from './redis-connection.js';
import type { HubConfig } from '../src/messages/generated-types.js';
import { QueueName } from './queue-names.js';

/**
 * Apply queue. A job is a batch of ledger ids (at most `applyBatchSize`), never payloads. The
 * same id may be enqueued twice (the sweeper, a replay, a retried producer): the processor locks
 * each message row and applies only those still 'validated', so a duplicate job finds nothing to do.
 */
export interface ApplyJobData {
  ids: string[];
}

export interface AttemptInfo {
  attemptsMade: number;
  maxAttempts: number;
}

export type ApplyProcessor = (ids: string[], attempt: AttemptInfo, job: Job<ApplyJobData>) => Promise<unknown>;

export class ApplyQueue {
  readonly queue: Queue<ApplyJobData>;
  #worker: Worker<ApplyJobData> | undefined;

  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
    private readonly config: HubConfig,
    private readonly log: Logger,
  ) {
    this.queue = new Queue<ApplyJobData>(QueueName.apply, {
      connection,
      prefix,
      defaultJobOptions: {
        attempts: config.pipeline.attempts,
        // delay * 2^(attempt-1): with 1 s and 8 attempts the last retry comes about 2 minutes in.
        backoff: { type: 'exponential', delay: config.pipeline.backoffMs },
        removeOnComplete: { age: config.queues.removeOnCompleteSeconds },
        removeOnFail: { age: config.queues.removeOnFailSeconds },
      },
    });
    this.queue.on('error', (err) => log.warn({ err, queue: QueueName.apply }, 'queue error'));
  }

  /** Enqueues ids in batches of the configured size. */
  async add(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const size = this.config.pipeline.applyBatchSize;
    const jobs = [];
    for (let i = 0; i < ids.length; i += size) jobs.push({ name: 'apply', data: { ids: ids.slice(i, i + size) } });
    await this.queue.addBulk(jobs);
  }

  /** Each worker blocks on a connection of its own. */
  #workerConnection(): Redis {
    const c = this.connection.duplicate();
    watchConnection(c, this.log);
    return c;
  }

  startWorker(process: ApplyProcessor): Worker<ApplyJobData> {
    this.#worker = new Worker<ApplyJobData>(
      QueueName.apply,
      (job) => process(job.data.ids, { attemptsMade: job.attemptsMade, maxAttempts: job.opts.attempts ?? 1 }, job),
      { connection: this.#workerConnection(), prefix: this.prefix, concurrency: this.config.pipeline.applyConcurrency, autorun: true },
    );
    // Job failures are recorded in the ledger by the processor; this is the worker's own trouble.
    this.#worker.on('error', (err) => this.log.warn({ err, queue: QueueName.apply }, 'apply worker error'));
    return this.#worker;
  }

  async closeWorker(): Promise<void> {
    await this.#worker?.close();
    this.#worker = undefined;
  }

  async close(): Promise<void> {
    await this.closeWorker();
    await this.queue.close();
  }
}
