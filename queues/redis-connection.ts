import { Redis } from 'ioredis';

/**
 * BullMQ needs `maxRetriesPerRequest: null` on connections it blocks on; the queue side shares
 * the same settings so a Redis outage stalls producers instead of failing them mid-request.
 */
export function openRedis(url: string, name: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, connectionName: name, lazyConnect: false });
}
