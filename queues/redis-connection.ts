import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * BullMQ needs `maxRetriesPerRequest: null` on connections it blocks on; the queue side shares
 * the same settings so a Redis outage stalls producers instead of failing them mid-request.
 */
export function openRedis(url: string, name: string, log: Logger): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, connectionName: name, lazyConnect: false });
  watchConnection(redis, log);
  return redis;
}

/**
 * ioredis reconnects by itself; without an 'error' listener it also prints every failed attempt
 * to stderr. Log outages once per state change instead of once per retry.
 */
export function watchConnection(redis: Redis, log: Logger): void {
  let down = false;
  redis.on('error', (err: Error) => {
    if (!down) log.warn({ err: { message: err.message, code: (err as { code?: string }).code } }, 'redis connection lost; reconnecting');
    down = true;
  });
  redis.on('ready', () => {
    if (down) log.info('redis connection restored');
    down = false;
  });
}
