import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { watchConnection } from './redis-connection.js';
import type { HubConfig } from '../src/messages/generated-types.js';
import { QueueName } from './queue-names.js';

/**
 * Repeatable housekeeping. Job schedulers live in Redis, so however many hub processes run, each
 * occurrence is taken by one worker only: the sweep and the partition roll never run twice at once.
 */
export type MaintenanceTask = 'sweep' | 'startup-sweep' | 'partitions' | 'record-reviews' | 'agreement-reminders' | 'statistics-reports' | 'trace-deadlines';

export class MaintenanceQueue {
  readonly queue: Queue;
  #worker: Worker | undefined;

  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
    private readonly config: HubConfig,
    private readonly log: Logger,
  ) {
    this.queue = new Queue(QueueName.maintenance, {
      connection,
      prefix,
      defaultJobOptions: { removeOnComplete: { count: 100 }, removeOnFail: { count: 1000 } },
    });
    this.queue.on('error', (err) => log.warn({ err, queue: QueueName.maintenance }, 'queue error'));
  }

  async schedule(): Promise<void> {
    await this.queue.upsertJobScheduler('sweep', { every: this.config.pipeline.sweepIntervalSeconds * 1000 }, { name: 'sweep' });
    await this.queue.upsertJobScheduler('partitions', { every: 6 * 3600 * 1000 }, { name: 'partitions' });
    // Idempotent, so running it more often than daily only makes reminders more punctual.
    await this.queue.upsertJobScheduler('record-reviews', { every: 3600 * 1000 }, { name: 'record-reviews' });
    await this.queue.upsertJobScheduler('agreement-reminders', { every: 3600 * 1000 }, { name: 'agreement-reminders' });
    // Each period's report goes out within the hour after the period ends.
    await this.queue.upsertJobScheduler('statistics-reports', { every: 3600 * 1000 }, { name: 'statistics-reports' });
    // Trace request reminders and overdue flags; each run also queues a delayed job for the next due instant.
    await this.queue.upsertJobScheduler('trace-deadlines', { every: this.config.traces.deadlineCheckSeconds * 1000 }, { name: 'trace-deadlines' });
  }

  /** Each worker blocks on a connection of its own. */
  #workerConnection(): Redis {
    const c = this.connection.duplicate();
    watchConnection(c, this.log);
    return c;
  }

  startWorker(process: (task: MaintenanceTask) => Promise<unknown>): void {
    this.#worker = new Worker(QueueName.maintenance, (job) => process(job.name as MaintenanceTask), {
      connection: this.#workerConnection(),
      prefix: this.prefix,
      concurrency: 1,
    });
    this.#worker.on('error', (err) => this.log.warn({ err, queue: QueueName.maintenance }, 'maintenance worker error'));
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
