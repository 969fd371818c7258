import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { watchConnection } from './redis-connection.js';
import type { HubConfig } from '../src/messages/generated-types.js';
import { QueueName } from './queue-names.js';
import { retryingJobOptions } from './retrying-job-options.js';

/**
 * Apply queue. A job is a batch of ledger ids (at most `applyBatchSize`), never payloads. The
 * same id may be enqueued twice (the sweeper, a replay, a retried producer): the processor locks
 * each message row and applies only those still 'validated', so a duplicate job finds nothing to do.
 */
const FEED_WAIT_MS = 15;
/** A job whose worker died is taken up again after this long (BullMQ's stall detection). */
const LOCK_MS = 10_000;

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
      // With 1 s and 8 attempts the last retry comes about 2 minutes in.
      defaultJobOptions: retryingJobOptions(config.pipeline, config),
    });
    this.queue.on('error', (err) => log.warn({ err, queue: QueueName.apply }, 'queue error'));
  }

  #pending: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  /**
   * Queues ids without waiting: they are gathered for up to FEED_WAIT_MS (or until a batch is
   * full) so that many small intake writes still make full apply batches, which apply several
   * times faster per message. The ids are already safe in the ledger; should this process die
   * before the flush, the sweeper finds them there at the next start.
   */
  enqueueSoon(ids: readonly string[]): void {
    if (ids.length === 0) return;
    this.#pending.push(...ids);
    if (this.#pending.length >= this.config.pipeline.applyBatchSize) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), FEED_WAIT_MS);
  }

  /**
   * Nothing gathered, waiting, running or waiting to retry: a message stored now cannot overtake
   * one queued before it. (Apply at intake runs only then.)
   */
  async isIdle(): Promise<boolean> {
    if (this.#pending.length) return false;
    return (await this.queue.getJobCountByTypes('waiting', 'active', 'delayed', 'prioritized')) === 0;
  }

  /** Sends whatever enqueueSoon gathered. */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const ids = this.#pending.splice(0);
    this.#flushing = this.#flushing.then(() =>
      this.add(ids).catch((err: unknown) => this.log.warn({ err, count: ids.length }, 'could not queue stored messages; the sweeper will')),
    );
    return this.#flushing;
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
      {
        connection: this.#workerConnection(),
        prefix: this.prefix,
        concurrency: this.config.pipeline.applyConcurrency,
        lockDuration: LOCK_MS,
        stalledInterval: LOCK_MS,
        autorun: true,
      },
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
    await this.flush();
    await this.closeWorker();
    await this.queue.close();
  }
}
