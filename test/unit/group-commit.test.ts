import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GroupCommit } from '../../src/ledger/group-commit.js';

/** A flush the test finishes by hand, to observe what happens while writes are in flight. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets pending promise callbacks run without moving the (fake) clock. */
const settle = () => vi.advanceTimersByTimeAsync(0);

/** A flush that records each batch and answers each item with `item!`. */
function recordingFlush() {
  const batches: string[][] = [];
  const flush = vi.fn(async (items: string[]) => {
    batches.push([...items]);
    return items.map((i) => `${i}!`);
  });
  return { batches, flush };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('group commit', () => {
  describe('batching within the wait window', () => {
    it('writes items submitted within the wait window in one flush, each caller getting its own result', async () => {
      const { batches, flush } = recordingFlush();
      const gc = new GroupCommit<string, string>({ maxBatch: 100, maxWaitMs: 10, flush });
      const a = gc.submit('a');
      await vi.advanceTimersByTimeAsync(4);
      const b = gc.submit('b');
      await vi.advanceTimersByTimeAsync(4);
      const c = gc.submit('c');
      expect(flush).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(2);
      expect(flush).toHaveBeenCalledTimes(1);
      expect(batches).toEqual([['a', 'b', 'c']]);
      await expect(Promise.all([a, b, c])).resolves.toEqual(['a!', 'b!', 'c!']);
    });

    it('waits no longer than the window measured from the first waiting item', async () => {
      const { flush } = recordingFlush();
      const gc = new GroupCommit<string, string>({ maxBatch: 100, maxWaitMs: 10, flush });
      void gc.submit('a');
      await vi.advanceTimersByTimeAsync(9);
      void gc.submit('b');
      expect(flush).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(1);
      expect(flush).toHaveBeenCalledTimes(1);
    });

    it('starts a new batch for items submitted after a flush', async () => {
      const { batches, flush } = recordingFlush();
      const gc = new GroupCommit<string, string>({ maxBatch: 100, maxWaitMs: 10, flush });
      const first = [gc.submit('a'), gc.submit('b')];
      await vi.advanceTimersByTimeAsync(10);
      const second = [gc.submit('c')];
      await vi.advanceTimersByTimeAsync(10);
      expect(batches).toEqual([['a', 'b'], ['c']]);
      await expect(Promise.all([...first, ...second])).resolves.toEqual(['a!', 'b!', 'c!']);
    });
  });

  describe('maxBatch', () => {
    it('flushes at once when maxBatch items are waiting, without waiting for the window', async () => {
      const { batches, flush } = recordingFlush();
      const gc = new GroupCommit<string, string>({ maxBatch: 3, maxWaitMs: 60_000, flush });
      const results = ['a', 'b', 'c'].map((i) => gc.submit(i));
      expect(flush).toHaveBeenCalledTimes(1);
      await settle();
      expect(batches).toEqual([['a', 'b', 'c']]);
      await expect(Promise.all(results)).resolves.toEqual(['a!', 'b!', 'c!']);
    });

    it('never puts more than maxBatch items in one flush, and keeps submission order across batches', async () => {
      const { batches, flush } = recordingFlush();
      const gc = new GroupCommit<string, string>({ maxBatch: 3, maxWaitMs: 50, flush });
      const results = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((i) => gc.submit(i));
      // Two full batches go at once; the seventh item does not make a full batch.
      expect(flush).toHaveBeenCalledTimes(2);
      await vi.advanceTimersByTimeAsync(50);
      expect(batches).toEqual([['a', 'b', 'c'], ['d', 'e', 'f'], ['g']]);
      await expect(Promise.all(results)).resolves.toEqual(['a!', 'b!', 'c!', 'd!', 'e!', 'f!', 'g!']);
    });
  });

  describe('failures', () => {
    it('rejects exactly the promises of the batch whose flush failed, with the flush\'s error', async () => {
      const failure = new Error('deadlock detected');
      const flush = vi.fn(async (items: string[]) => {
        if (items.includes('bad')) throw failure;
        return items.map((i) => `${i}!`);
      });
      const gc = new GroupCommit<string, string>({ maxBatch: 2, maxWaitMs: 10, flush });
      const outcomes = Promise.allSettled(['ok1', 'ok2', 'x', 'bad', 'ok3'].map((i) => gc.submit(i)));
      await vi.advanceTimersByTimeAsync(10);
      expect(await outcomes).toEqual([
        { status: 'fulfilled', value: 'ok1!' },
        { status: 'fulfilled', value: 'ok2!' },
        { status: 'rejected', reason: failure },
        { status: 'rejected', reason: failure },
        { status: 'fulfilled', value: 'ok3!' },
      ]);
    });

    it('keeps working after a failed flush', async () => {
      let fail = true;
      const gc = new GroupCommit<string, string>({
        maxBatch: 10,
        maxWaitMs: 5,
        flush: async (items) => {
          if (fail) throw new Error('connection lost');
          return items;
        },
      });
      const first = gc.submit('a');
      const firstOutcome = expect(first).rejects.toThrow('connection lost');
      await vi.advanceTimersByTimeAsync(5);
      await firstOutcome;
      fail = false;
      const second = gc.submit('b');
      await vi.advanceTimersByTimeAsync(5);
      await expect(second).resolves.toBe('b');
    });
  });

  describe('drain', () => {
    it('resolves at once when nothing is queued or in flight', async () => {
      const gc = new GroupCommit<string, string>({ maxBatch: 10, maxWaitMs: 5, flush: async (i) => i });
      let drained = false;
      void gc.drain().then(() => (drained = true));
      await settle();
      expect(drained).toBe(true);
    });

    it('flushes queued items immediately instead of waiting for the window', async () => {
      const { batches, flush } = recordingFlush();
      const gc = new GroupCommit<string, string>({ maxBatch: 10, maxWaitMs: 60_000, flush });
      const a = gc.submit('a');
      await gc.drain();
      expect(batches).toEqual([['a']]);
      await expect(a).resolves.toBe('a!');
    });

    it('waits for in-flight flushes to finish before resolving', async () => {
      const write = deferred<string[]>();
      const gc = new GroupCommit<string, string>({ maxBatch: 1, maxWaitMs: 5, flush: () => write.promise });
      const a = gc.submit('a');
      let drained = false;
      void gc.drain().then(() => (drained = true));
      await vi.advanceTimersByTimeAsync(1_000);
      expect(drained).toBe(false);
      write.resolve(['done']);
      await settle();
      expect(drained).toBe(true);
      await expect(a).resolves.toBe('done');
    });

    it('waits for batches held back by maxInFlight as well', async () => {
      const writes: ReturnType<typeof deferred<string[]>>[] = [];
      const gc = new GroupCommit<string, string>({
        maxBatch: 1,
        maxWaitMs: 5,
        maxInFlight: 1,
        flush: (items) => {
          const d = deferred<string[]>();
          writes.push(d);
          return d.promise.then(() => items);
        },
      });
      void gc.submit('a');
      void gc.submit('b');
      let drained = false;
      void gc.drain().then(() => (drained = true));
      await settle();
      expect(writes).toHaveLength(1);
      writes[0]!.resolve([]);
      await settle();
      expect(drained).toBe(false);
      expect(writes).toHaveLength(2);
      writes[1]!.resolve([]);
      await settle();
      expect(drained).toBe(true);
    });

    it('still resolves when the last flush failed', async () => {
      const gc = new GroupCommit<string, string>({ maxBatch: 10, maxWaitMs: 5, flush: async () => Promise.reject(new Error('down')) });
      const a = gc.submit('a').catch((e: Error) => e.message);
      await gc.drain();
      await expect(a).resolves.toBe('down');
    });
  });

  describe('maxInFlight', () => {
    it('runs at most maxInFlight flushes at once and starts the next as one finishes', async () => {
      let running = 0;
      let peak = 0;
      const writes: ReturnType<typeof deferred<void>>[] = [];
      const gc = new GroupCommit<number, number>({
        maxBatch: 1,
        maxWaitMs: 5,
        maxInFlight: 2,
        flush: async (items) => {
          running += 1;
          peak = Math.max(peak, running);
          const d = deferred<void>();
          writes.push(d);
          await d.promise;
          running -= 1;
          return items.map((i) => i * 10);
        },
      });
      const results = Promise.all([1, 2, 3, 4, 5].map((i) => gc.submit(i)));
      await settle();
      expect(writes).toHaveLength(2);
      writes[0]!.resolve();
      await settle();
      expect(writes).toHaveLength(3);
      expect(running).toBe(2);
      for (let i = 1; i < 5; i++) {
        await settle();
        writes[i]!.resolve();
      }
      await expect(results).resolves.toEqual([10, 20, 30, 40, 50]);
      expect(peak).toBe(2);
    });

    it('defaults to four flushes at once', async () => {
      let running = 0;
      let peak = 0;
      const gate = deferred<void>();
      const gc = new GroupCommit<number, number>({
        maxBatch: 1,
        maxWaitMs: 5,
        flush: async (items) => {
          running += 1;
          peak = Math.max(peak, running);
          await gate.promise;
          running -= 1;
          return items;
        },
      });
      const results = Promise.all(Array.from({ length: 10 }, (_, i) => gc.submit(i)));
      await settle();
      expect(running).toBe(4);
      gate.resolve();
      await expect(results).resolves.toHaveLength(10);
      expect(peak).toBe(4);
    });
  });
});
