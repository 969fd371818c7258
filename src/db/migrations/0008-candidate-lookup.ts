import { sql, type Kysely } from 'kysely';

/**
 * The matcher's look-up of records by match keys, as a function that carries its own planner
 * setting. For `match_keys && <keys>` PostgreSQL estimates from generic element statistics and,
 * for a dozen keys, expects a twentieth of the table: with a LIMIT that makes a sequential scan
 * look cheap, where the GIN index finds the few real candidates in a millisecond. A function with
 * a SET clause is planned with that setting and restores it on return: one round trip, where
 * setting and resetting it around the query took a transaction and four more (src/db/index-probes.ts).
 * It returns only what scoring reads; the matcher fetches the rest for the records that rank.
 * The body names `records` unqualified on purpose: it is resolved in the caller's schema.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function record_candidates(keys text[], max_rows integer)
    returns table (id uuid, status text, firearm jsonb)
    language sql stable parallel safe
    set enable_seqscan = off
    as $$ select r.id, r.status, r.firearm from records r where r.match_keys && keys limit max_rows $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function if exists record_candidates(text[], integer)`.execute(db);
}
