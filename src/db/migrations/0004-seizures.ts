import { sql, type Kysely } from 'kysely';

/**
 * Seizures, their firearms and the hits between seized firearms and records.
 *
 * Each seized firearm keeps the keys it looks records up by in a GIN-indexed array, so a record
 * created later meets it through the same pairs of keys, from its own stored match_keys, without
 * deriving anything again (reverse matching). Partial serials ('AB??45', '*3456') cannot be keyed; they keep a LIKE
 * pattern instead, and records get a trigram index on their normalised serial so that a pattern
 * with a few readable characters is an index scan, not a table scan.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // The extension is database-wide and every schema's search_path ends in public. Migrations of
  // several schemas at once (parallel test files) would race to create it: a lock makes them queue.
  await sql`select pg_advisory_xact_lock(hashtext('tracehub:create-extension:pg_trgm'))`.execute(db);
  await sql`create extension if not exists pg_trgm schema public`.execute(db);
  // Seizures search these GIN indexes while registries bulk-load records. Every search also reads
  // the index's pending list of not yet merged entries, which by default grows to 4 MB: 26 ms per
  // search at its fullest, against 0.2 ms once merged. A 256 kB list keeps the cost of reading it
  // near a millisecond and still batches the merging of bulk inserts.
  await sql`alter index records_match_keys_idx set (gin_pending_list_limit = 256)`.execute(db);
  // Over the look-alike fold (match/partial-serial.ts LOOKALIKE_FOLD_SQL), so a pattern read with a
  // 5 for an S still fits.
  await sql`create index records_serial_fold_trgm_idx on records using gin ((translate(serial_key, 'ODQIL7SBZG', '0001115826')) public.gin_trgm_ops) with (gin_pending_list_limit = 256)`.execute(db);

  await sql`
    create table seizures (
      id uuid primary key,
      ledger_id uuid not null,
      country text not null,
      agency text not null,
      seizure_reference text not null,
      seized_on date not null,
      place_type text not null,
      direction text,
      report jsonb not null,
      created_at timestamptz not null default now(),
      constraint seizures_reference_uq unique (country, seizure_reference)
    )`.execute(db);

  await sql`
    create table seizure_items (
      id uuid primary key,
      seizure_id uuid not null references seizures (id) on delete cascade,
      item_index integer not null,
      item_reference text,
      serial text not null,
      serial_key text not null,
      serial_pattern text,
      query_keys text[] not null,
      make_id text,
      calibre_id text,
      type_id text,
      firearm jsonb not null,
      constraint seizure_items_uq unique (seizure_id, item_index)
    )`.execute(db);
  await sql`create index seizure_items_query_keys_idx on seizure_items using gin (query_keys) with (gin_pending_list_limit = 256)`.execute(db);
  await sql`create index seizure_items_partial_idx on seizure_items (seizure_id) where serial_pattern is not null`.execute(db);

  await sql`
    create table hits (
      id uuid primary key,
      seizure_item_id uuid not null references seizure_items (id) on delete cascade,
      seizure_id uuid not null references seizures (id) on delete cascade,
      record_id uuid not null references records (id) on delete cascade,
      record_owner_country text not null,
      seizing_country text not null,
      found_by text not null,
      tier text not null,
      score real not null,
      serial_tier text not null,
      explanation jsonb not null,
      status text not null default 'PENDING_CONFIRMATION',
      decided_by text,
      decided_at timestamptz,
      decision_reason text,
      created_at timestamptz not null default now(),
      constraint hits_pair_uq unique (seizure_item_id, record_id),
      constraint hits_status_known check (status in ('PENDING_CONFIRMATION','CONFIRMED','REJECTED')),
      constraint hits_tier_known check (tier in ('STRONG','POSSIBLE','WEAK'))
    )`.execute(db);
  await sql`create index hits_owner_idx on hits (record_owner_country, status, created_at)`.execute(db);
  await sql`create index hits_seizing_idx on hits (seizing_country, status, created_at)`.execute(db);
  await sql`create index hits_record_idx on hits (record_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['hits', 'seizure_items', 'seizures']) await sql`drop table if exists ${sql.table(t)} cascade`.execute(db);
  await sql`drop index if exists records_serial_fold_trgm_idx`.execute(db);
}
