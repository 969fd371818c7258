import { sql, type Kysely } from 'kysely';

/**
 * Access of national entities. Under INTERPOL's rules (RPD art. 21) only a country's National
 * Central Bureau may authorise its other agencies, and it sets the scope of their rights. An
 * agency of role 'agency' therefore starts 'pending' and gets access only once its NCB records
 * the signed user agreement; the NCB can suspend, reinstate or revoke it.
 *
 * The agency row carries the state that every request is authorised by (one indexed read with the
 * key); agency_agreements keeps every agreement an NCB recorded, the current one open-ended.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table agencies add column access_status text not null default 'approved'`.execute(db);
  await sql`alter table agencies add constraint agencies_access_known check (access_status in ('pending','approved','suspended','revoked'))`.execute(db);
  // No agency of a country's entities is grandfathered in: none has an agreement on record.
  await sql`update agencies set access_status = 'pending' where role = 'agency'`.execute(db);
  await sql`alter table agencies add constraint agencies_only_entities_approved check (role = 'agency' or access_status = 'approved')`.execute(db);
  await sql`alter table agencies add column access_scope jsonb`.execute(db);
  await sql`alter table agencies add column access_until date`.execute(db);
  await sql`alter table agencies add column access_reason text`.execute(db);
  await sql`alter table agencies add column access_changed_at timestamptz`.execute(db);
  await sql`
    create table agency_agreements (
      id uuid primary key,
      agency_id uuid not null references agencies (id),
      reference text not null,
      signed_on date not null,
      signed_by text not null,
      valid_until date not null,
      scope jsonb not null,
      document_sha256 bytea,
      approved_by text not null,
      approved_at timestamptz not null default now(),
      ended_at timestamptz,
      end_reason text,
      -- The last reminder its NCB was sent (identity/agreement-reminders.ts): before the end, or after.
      reminded text,
      constraint agency_agreements_reminded_known check (reminded is null or reminded in ('ahead','expired')),
      constraint agency_agreements_end_known check (end_reason is null or end_reason in ('renewed','revoked'))
    )`.execute(db);
  await sql`create unique index agency_agreements_current_uq on agency_agreements (agency_id) where ended_at is null`.execute(db);
  await sql`create index agencies_access_idx on agencies (country, access_status)`.execute(db);
  // An NCB reads what one of its agencies did (GET /v1/agencies/{id}/activity).
  await sql`create index audit_log_actor_idx on audit_log (actor, id)`.execute(db);
}
