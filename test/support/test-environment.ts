import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { readEnvironment, type Environment } from '../../src/config/environment.js';
import { deleteQueueKeys } from '../../queues/queue-prefix-keys.js';

/**
 * Every test file gets its own PostgreSQL schema and BullMQ prefix on the machine's real
 * services, so files run in parallel and leave nothing behind.
 */
export function testEnvironment(label: string, overrides: Partial<Environment> = {}): Environment {
  const id = `${label.toLowerCase().replace(/[^a-z0-9]/g, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const base = readEnvironment({ ...process.env, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' });
  return {
    ...base,
    databaseUrl: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tracehub_test',
    databaseSchema: `t_${id}`,
    queuePrefix: `t_${id}`,
    host: '127.0.0.1',
    port: 0,
    ...overrides,
  };
}

/** Drops the file's schema and every Redis key under its prefix. */
export async function cleanEnvironment(env: Environment): Promise<void> {
  const client = new pg.Client({ connectionString: env.databaseUrl });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${env.databaseSchema}" cascade`);
  } finally {
    await client.end();
  }
  const redis = new Redis(env.redisUrl);
  try {
    await deleteQueueKeys(redis, env.queuePrefix);
  } finally {
    redis.disconnect();
  }
}

/** Polls until `check` returns a truthy value, or fails after `timeoutMs` with the last value seen. */
export async function waitFor<T>(check: () => Promise<T> | T, what: string, timeoutMs = 15_000, everyMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await check();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
