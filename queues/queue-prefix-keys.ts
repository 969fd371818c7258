import type { Redis } from 'ioredis';

/**
 * Deletes every Redis key of the queues under `prefix` (jobs, repeatable jobs, events, metrics):
 * what a test file, a benchmark or the demo leaves behind when it ran its own hub. SCAN in pages,
 * never KEYS, so a large leftover does not block Redis. Returns how many keys were deleted.
 */
export async function deleteQueueKeys(redis: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}
