import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { watchConnection } from './redis-connection.js';
import type { HubConfig } from '../src/messages/generated-types.js';
import { QueueName } from './queue-names.js';
import { retryingJobOptions } from './retrying-job-options.js';
import type { AttemptInfo } from './apply.queue.js';

/**
 * One delivery queue per outbound channel, so a slow or broken channel (an SFTP server down)
 * never holds up another (the REST inbox). Jobs carry outbox ids, or the partner countries whose
 * lane is due again (a delayed wake-up for a retry or a circuit's probe). Delivery state lives in
 * the outbox table, where admins see attempts, last error and next attempt.
 */
export interface DeliverJobData {
  ids: string[];
  /** Partner countries whose lane to work, whatever ids say (wake-ups). */
  countries?: string[];
}

export type DeliverProcessor = (channel: string, work: { ids: string[]; countries: string[] }, attempt: AttemptInfo) => Promise<unknown>;

export class DeliverQueues {
  readonly #queues = new Map<string, Queue<DeliverJobData>>();
  readonly #workers: Worker<DeliverJobData>[] = [];

  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
    private readonly config: HubConfig,
    private readonly log: Logger,
    channels: readonly string[],
  ) {
    for (const channel of channels) {
      // The job's own retries cover trouble with the database; a failing partner endpoint is
      // retried per delivery by the delivery stage, not by failing the job.
      const queue = new Queue<DeliverJobData>(QueueName.deliver(channel), {
        connection,
        prefix,
        defaultJobOptions: retryingJobOptions(config.delivery, config),
      });
      queue.on('error', (err) => log.warn({ err, queue: queue.name }, 'queue error'));
      this.#queues.set(channel, queue);
    }
  }

  get queues(): Queue<DeliverJobData>[] {
    return [...this.#queues.values()];
  }

  #queue(channel: string): Queue<DeliverJobData> {
    const q = this.#queues.get(channel);
    if (!q) throw new Error(`no delivery queue for channel ${channel}`);
    return q;
  }

  async add(byChannel: ReadonlyMap<string, string[]>): Promise<void> {
    for (const [channel, ids] of byChannel) {
      const q = this.#queues.get(channel);
      if (!q) {
        // Rows for a channel no partner takes replies on any more (the configuration changed):
        // they stay pending in the outbox, visible to admins, instead of failing everything else.
        if (ids.length) this.log.warn({ channel, count: ids.length }, 'deliveries for a channel no partner uses; left pending');
        continue;
      }
      for (let i = 0; i < ids.length; i += 500) await q.add('deliver', { ids: ids.slice(i, i + 500) });
    }
  }

  /**
   * Works a partner's lane at `at` (now if it has passed). The job id names the lane and the
   * time, so asking twice for the same wake-up queues one job.
   */
  async wake(channel: string, country: string, at: Date): Promise<void> {
    const delay = at.getTime() - Date.now();
    const data = { ids: [], countries: [country] };
    // A time already past gets a job of its own: a finished job with the same id would swallow it.
    if (delay <= 0) await this.#queue(channel).add('wake', data);
    else await this.#queue(channel).add('wake', data, { delay, jobId: `wake-${country}-${at.getTime()}` });
  }

  /** Each worker blocks on a connection of its own. */
  #workerConnection(): Redis {
    const c = this.connection.duplicate();
    watchConnection(c, this.log);
    return c;
  }

  startWorkers(process: DeliverProcessor): void {
    for (const [channel] of this.#queues) {
      const worker = new Worker<DeliverJobData>(
        QueueName.deliver(channel),
        (job) => process(channel, { ids: job.data.ids, countries: job.data.countries ?? [] }, { attemptsMade: job.attemptsMade, maxAttempts: job.opts.attempts ?? 1 }),
        { connection: this.#workerConnection(), prefix: this.prefix, concurrency: 2 },
      );
      worker.on('error', (err) => this.log.warn({ err, queue: QueueName.deliver(channel) }, 'delivery worker error'));
      this.#workers.push(worker);
    }
  }

  async closeWorkers(): Promise<void> {
    await Promise.all(this.#workers.splice(0).map((w) => w.close()));
  }

  async close(): Promise<void> {
    await this.closeWorkers();
    await Promise.all([...this.#queues.values()].map((q) => q.close()));
  }
}
