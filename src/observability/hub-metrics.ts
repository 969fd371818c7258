import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Queue } from 'bullmq';

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
    new Gauge({
      name: 'tracehub_queue_jobs',
      help: 'Jobs per queue and state',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        for (const q of queues) {
          const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
          for (const [state, n] of Object.entries(counts)) this.set({ queue: q.name, state }, n);
        }
      },
    });
    // Age, not only depth: a queue that is short but not moving is the "green but nothing arrives"
    // failure that error counters never show.
    new Gauge({
      name: 'tracehub_queue_oldest_waiting_seconds',
      help: 'Age of the oldest job waiting in each queue (0 when empty)',
      labelNames: ['queue'] as const,
      registers: [this.registry],
      async collect() {
        for (const q of queues) {
          const [oldest] = await q.getJobs(['waiting', 'prioritized'], 0, 0, true);
          this.set({ queue: q.name }, oldest ? Math.max(0, (Date.now() - oldest.timestamp) / 1000) : 0);
        }
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
