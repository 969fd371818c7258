import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Single-active polling across hub instances: a lease in Redis per endpoint, taken with SET NX
 * and a time to live, renewed by its holder well before it runs out. An instance that dies
 * stops renewing and another takes over after the TTL; an instance that cannot renew (Redis
 * gone, or the lease expired and was taken) learns it at the next renewal and stops working the
 * endpoint. Claiming each file by rename on the server is the second guard: two instances that
 * briefly both believe they hold the lease still cannot take the same file.
 */
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export class Lease {
  readonly owner: string;
  #held = false;

  constructor(
    private readonly redis: Redis,
    readonly key: string,
    private readonly ttlMs: number,
    ownerLabel: string,
  ) {
    this.owner = `${ownerLabel}:${randomBytes(6).toString('hex')}`;
  }

  get held(): boolean {
    return this.#held;
  }

  /** Takes the lease if free, or renews it if already ours. */
  async acquire(): Promise<boolean> {
    if (this.#held) return this.renew();
    const r = await this.redis.set(this.key, this.owner, 'PX', this.ttlMs, 'NX');
    this.#held = r === 'OK';
    return this.#held;
  }

  async renew(): Promise<boolean> {
    try {
      const r = (await this.redis.eval(RENEW, 1, this.key, this.owner, String(this.ttlMs))) as number;
      this.#held = r === 1;
    } catch {
      // Without Redis nobody can be sure of the lease: stop working until it can be renewed.
      this.#held = false;
    }
    return this.#held;
  }

  async release(): Promise<void> {
    if (!this.#held) return;
    this.#held = false;
    await this.redis.eval(RELEASE, 1, this.key, this.owner).catch(() => undefined);
  }

  /** Who holds the lease now (any instance), or null. */
  holder(): Promise<string | null> {
    return this.redis.get(this.key);
  }
}
