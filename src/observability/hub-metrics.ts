import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Queue } from 'bullmq';

/**
 * How long a scrape waits for Redis to count the queues. A scrape is how admins see an outage, so
 * Redis down must not hold the hub's own counters back; as /health/ready's probe, it gives up and
 * answers without the queue gauges (absent, not stale: an old depth would look like a live one).
 */
const QUEUE_READ_DEADLINE_MS = 1_000;

/**
 * The last read of a gauge, shared by the scrapes that come while it is still waiting: with Redis
 * away, every scrape would otherwise add its commands to the queue of those the client holds.
 */
class BoundedRead<T> {
  #inFlight: Promise<T> | undefined;

  constructor(private readonly read: () => Promise<T>) {}

  /** The read's result, or undefined when it failed or did not come within the deadline. */
  async get(): Promise<T | undefined> {
    const read = (this.#inFlight ??= this.read().finally(() => {
      this.#inFlight = undefined;
    }));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), QUEUE_READ_DEADLINE_MS);
    });
    try {
      return await Promise.race([read.catch(() => undefined), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * The hub's Prometheus metrics, on a registry of its own (not prom-client's global one) so that
 * several hubs in one process, as in tests, do not collide.
 */
export class HubMetrics {
  readonly registry = new Registry();
  readonly messages = new Counter({
    name: 'tracehub_messages_total',
    help: 'Messages by pipeline stage and outcome',
    labelNames: ['stage', 'outcome'] as const,
    registers: [this.registry],
  });
  /**
   * Rejected messages by sender country, channel and the code of their first error: a partner
   * whose export broke (a new encoding, a renamed column) shows as one line rising, which the
   * stage counters above cannot tell apart from ordinary bad input. Codes come from the hub's
   * own catalogue, so the label set stays bounded.
   */
  readonly rejections = new Counter({
    name: 'tracehub_rejections_total',
    help: 'Messages rejected, by sender country, channel and the code of their first error',
    labelNames: ['country', 'channel', 'code'] as const,
    registers: [this.registry],
  });
  readonly stageDuration = new Histogram({
    name: 'tracehub_stage_duration_seconds',
    help: 'Time spent in a pipeline stage per batch',
    labelNames: ['stage'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly #queues: Queue[] = [];

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'tracehub_' });
    const queues = this.#queues;
    const jobCounts = new BoundedRead(() => Promise.all(queues.map(async (q) => ({ queue: q.name, counts: await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized') }))));
    new Gauge({
      name: 'tracehub_queue_jobs',
      help: 'Jobs per queue and state',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        const read = await jobCounts.get();
        this.reset();
        for (const { queue, counts } of read ?? []) for (const [state, n] of Object.entries(counts)) this.set({ queue, state }, n);
      },
    });
    const oldestWaiting = new BoundedRead(() =>
      Promise.all(
        queues.map(async (q) => {
          const [oldest] = await q.getJobs(['waiting', 'prioritized'], 0, 0, true);
          return { queue: q.name, since: oldest?.timestamp };
        }),
      ),
    );
    // Age, not only depth: a queue that is short but not moving is the "green but nothing arrives"
    // failure that error counters never show.
    new Gauge({
      name: 'tracehub_queue_oldest_waiting_seconds',
      help: 'Age of the oldest job waiting in each queue (0 when empty)',
      labelNames: ['queue'] as const,
      registers: [this.registry],
      async collect() {
        const read = await oldestWaiting.get();
        this.reset();
        for (const { queue, since } of read ?? []) this.set({ queue }, since === undefined ? 0 : Math.max(0, (Date.now() - since) / 1000));
      },
    });
  }

  watchQueue(queue: Queue): void {
    this.#queues.push(queue);
  }

  /** Times `fn` into the stage histogram. */
  async time<T>(stage: string, fn: () => Promise<T>): Promise<T> {
    const end = this.stageDuration.startTimer({ stage });
    try {
      return await fn();
    } finally {
      end();
    }
  }
}
