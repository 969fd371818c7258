import { sql, type Kysely } from 'kysely';

/**
 * Scheduled statistics reports: an agency subscribes to a table (subject, scope, grouping,
 * filters) every month, quarter or year, and the hub sends it the table of each period that
 * ends over the agency's reply channel (statistics/scheduled-reports.ts). last_period remembers
 * the last period sent, so a rerun sends nothing twice.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table statistics_subscriptions (
      id uuid primary key,
      agency_id uuid not null references agencies (id),
      country text not null,
      agency text not null,
      name text not null,
      subject text not null,
      every text not null,
      query jsonb not null,
      last_period text,
      created_at timestamptz not null default now(),
      cancelled_at timestamptz,
      constraint statistics_subscriptions_subject_known check (subject in ('records','seizures','hits')),
      constraint statistics_subscriptions_every_known check (every in ('month','quarter','year'))
    )`.execute(db);
  await sql`create index statistics_subscriptions_agency_idx on statistics_subscriptions (agency_id) where cancelled_at is null`.execute(db);
  // Seizure statistics count the traced firearms of each seizure (SDG 16.4.2) by its reference.
  await sql`create index trace_requests_seizure_idx on trace_requests (requester_country, seizure_reference) where seizure_reference is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists statistics_subscriptions`.execute(db);
  await sql`drop index if exists trace_requests_seizure_idx`.execute(db);
}
