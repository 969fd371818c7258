/**
 * Group commit: callers hand in one item each and wait; items arriving within `maxWaitMs` of each
 * other (or until `maxBatch` are waiting) are written by one flush. Under load a request waits a
 * few milliseconds and the database sees a few large statements instead of many small ones, which
 * is how the REST path gets near the throughput of a bare batched insert.
 */
export interface GroupCommitOptions<T, R> {
  maxBatch: number;
  maxWaitMs: number;
  /** Flushes running at once; more batches wait for one to finish. */
  maxInFlight?: number;
  flush(items: T[]): Promise<R[]>;
}

interface Pending<T, R> {
  item: T;
  resolve(r: R): void;
  reject(e: unknown): void;
}

export class GroupCommit<T, R> {
  #queue: Pending<T, R>[] = [];
  #timer: NodeJS.Timeout | undefined;
  #inFlight = 0;
  #idle: (() => void)[] = [];
  readonly #opts: Required<GroupCommitOptions<T, R>>;

  constructor(opts: GroupCommitOptions<T, R>) {
    this.#opts = { maxInFlight: 4, ...opts };
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (this.#queue.length >= this.#opts.maxBatch) this.#kick();
      else this.#timer ??= setTimeout(() => this.#kick(), this.#opts.maxWaitMs);
    });
  }

  /** Resolves once nothing is queued or being written (used by graceful shutdown). */
  drain(): Promise<void> {
    if (this.#queue.length === 0 && this.#inFlight === 0) return Promise.resolve();
    if (this.#queue.length) this.#kick();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #kick(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    while (this.#queue.length && this.#inFlight < this.#opts.maxInFlight) {
      const batch = this.#queue.splice(0, this.#opts.maxBatch);
      this.#inFlight += 1;
      void this.#run(batch);
    }
  }

  async #run(batch: Pending<T, R>[]): Promise<void> {
    try {
      const results = await this.#opts.flush(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i]!));
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      this.#inFlight -= 1;
      if (this.#queue.length) this.#kick();
      if (this.#queue.length === 0 && this.#inFlight === 0) this.#idle.splice(0).forEach((f) => f());
    }
  }
}
