import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Database } from './database-types.js';

// bigint columns (event sequence numbers) arrive as strings; counts are cast in SQL where needed.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v);

export interface DatabaseHandle {
  db: Kysely<Database>;
  pool: pg.Pool;
  schema: string;
  close(): Promise<void>;
}

/**
 * One pg pool for the process, every connection pinned to the hub's schema through search_path,
 * which is how test files (and several hubs on one server) keep their tables apart.
 */
export function openDatabase(options: { url: string; schema: string; max?: number; log?: Logger }): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    options: `-c search_path=${options.schema},public`,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: 'tracehub',
  });
  // An idle client losing its server (restart, network) must not crash the process: the pool
  // drops it and the next query reconnects; the failure that matters surfaces on that query.
  pool.on('error', (err) => options.log?.warn({ err }, 'idle database connection lost'));
  // A checked-out client whose socket dies between two queries emits 'error' on itself; with no
  // listener that is an uncaught exception. The query in progress (if any) fails on its own.
  pool.on('connect', (client) => client.on('error', (err) => options.log?.warn({ err }, 'database connection lost')));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    schema: options.schema,
    async close() {
      await db.destroy();
    },
  };
}

/** Creates the database named in the URL when it is missing (first start on a fresh machine). */
export async function ensureDatabaseExists(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!name) return;
  const probe = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await probe.connect();
    return;
  } catch (err) {
    if ((err as { code?: string }).code !== '3D000') throw err;
  } finally {
    await probe.end().catch(() => undefined);
  }
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(`create database "${name.replace(/"/g, '""')}"`);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== '42P04' && code !== '23505') throw err; // created meanwhile by another process
  } finally {
    await client.end();
  }
}
