import { sql, type Kysely } from 'kysely';

/**
 * Firearm records. The record row holds the searchable fields as columns (reference ids next to
 * the text as received); the full description stays as JSON. Every key derived from the serials
 * (normalised, NCIC alpha-stripped, look-alike folded, one-deletion neighbourhood...) sits in one
 * GIN-indexed array, so candidate search for any tier is one index probe with the query's keys,
 * and a record costs one row to write, however many keys it has.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table records (
      id uuid primary key,
      owner_country text not null,
      owner_agency text not null,
      owner_reference text not null,
      status text not null,
      version integer not null,
      serial text not null,
      serial_key text not null,
      match_keys text[] not null,
      make_text text not null,
      make_id text,
      model text,
      calibre_text text not null,
      calibre_id text,
      type_text text not null,
      type_id text,
      ncic_typ text,
      country_of_manufacture text,
      event_date date not null,
      event_country text,
      case_number text not null,
      firearm jsonb not null,
      event jsonb not null,
      visibility text not null default 'all',
      visibility_countries text[] not null default '{}',
      confidentiality text not null default 'official-use',
      review_date date not null,
      review_reminded_at timestamptz,
      review_overdue boolean not null default false,
      content_hash bytea not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      last_ledger_id uuid,
      constraint records_owner_reference_uq unique (owner_country, owner_reference),
      constraint records_status_known check (status in ('LOST','STOLEN','TRAFFICKED','SMUGGLED','SEIZED_FOR_TRACING','LOCATED','CLEARED','CANCELLED')),
      constraint records_visibility_known check (visibility in ('all','allow','deny'))
    )`.execute(db);
  await sql`create index records_serial_key_idx on records (serial_key)`.execute(db);
  await sql`create index records_match_keys_idx on records using gin (match_keys) with (fastupdate = on)`.execute(db);
  await sql`create index records_make_idx on records (make_id, calibre_id)`.execute(db);
  await sql`create index records_owner_idx on records (owner_country, status)`.execute(db);
  await sql`create index records_event_date_idx on records (event_date)`.execute(db);
  await sql`create index records_review_idx on records (review_date) where status in ('LOST','STOLEN','TRAFFICKED','SMUGGLED','SEIZED_FOR_TRACING')`.execute(db);

  await sql`
    create table record_versions (
      record_id uuid not null references records (id) on delete cascade,
      version integer not null,
      status text not null,
      ledger_id uuid,
      agency text not null,
      at timestamptz not null default now(),
      change text not null,
      snapshot jsonb not null,
      primary key (record_id, version)
    )`.execute(db);

  await sql`
    create table reference_unmapped (
      kind text not null,
      value text not null,
      occurrences integer not null default 1,
      first_seen timestamptz not null default now(),
      last_seen timestamptz not null default now(),
      primary key (kind, value)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['reference_unmapped', 'record_versions', 'records']) await sql`drop table if exists ${sql.table(t)} cascade`.execute(db);
}
