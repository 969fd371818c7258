import { join } from 'node:path';
import { projectRoot } from './project-root.js';

/**
 * Everything that differs between machines or is secret comes from the environment; config/ holds
 * only what is the same everywhere and safe to commit. Defaults point at the local services on
 * their standard ports, so a newcomer needs no settings at all.
 */
export interface Environment {
  databaseUrl: string;
  /** PostgreSQL schema holding the hub's tables (tests give each file its own). */
  databaseSchema: string;
  redisUrl: string;
  /** Prefix of every BullMQ key, so several hubs (or test files) can share one Redis. */
  queuePrefix: string;
  amqpUrl: string;
  host: string;
  port: number;
  logLevel: string;
  configDir: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a TCP port number, got "${env.PORT}"`);
  }
  const databaseSchema = env.DATABASE_SCHEMA ?? 'tracehub';
  if (!SCHEMA_NAME.test(databaseSchema)) {
    throw new Error(`DATABASE_SCHEMA must be a lower-case SQL identifier, got "${databaseSchema}"`);
  }
  return {
    databaseUrl: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tracehub',
    databaseSchema,
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    queuePrefix: env.QUEUE_PREFIX ?? 'tracehub',
    amqpUrl: env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    host: env.HOST ?? '127.0.0.1',
    port,
    logLevel: env.LOG_LEVEL ?? 'info',
    configDir: env.CONFIG_DIR ?? join(projectRoot(), 'config'),
  };
}
