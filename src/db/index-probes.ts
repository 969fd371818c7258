import { sql, type Kysely } from 'kysely';
import type { Database } from './database-types.js';

/**
 * Runs one query with sequential scans disabled, in the caller's transaction (or its own), and
 * restores the setting after it. For array-overlap lookups (`match_keys && <keys>`) PostgreSQL
 * estimates from generic element statistics: two dozen keys look like a tenth of the table
 * whatever they are, so it scans every row (about a second at 1,000,000 records) where the GIN
 * index finds the few real matches in a millisecond.
 */
export async function withIndexProbes<T>(db: Kysely<Database>, query: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  if (!db.isTransaction) return db.transaction().execute((trx) => withIndexProbes(trx, query));
  await sql`select set_config('enable_seqscan', 'off', true)`.execute(db);
  const result = await query(db);
  await sql`select set_config('enable_seqscan', 'on', true)`.execute(db);
  return result;
}
