import { sql, type Kysely } from 'kysely';

/**
 * Trace requests. One row per request holds its current state, its due dates and the columns
 * people filter by (status, counterpart, priority, overdue, case reference, serial keys); the
 * request as received stays as JSON. Everything that happens to a request (submission, each
 * status change, responses, comments, reminders, overdue flags, follow-ups) is a row of its
 * thread, trace_events, numbered per request.
 *
 * Attachments are stored once per content (keyed by SHA-256) however many requests, responses or
 * comments use them; trace_attachment_links says which thread event uses which file.
 */
const OPEN_ACK = `('SUBMITTED','DELIVERED')`;
const OPEN_RESPONSE = `('SUBMITTED','DELIVERED','ACKNOWLEDGED','IN_PROGRESS')`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table trace_requests (
      id uuid primary key,
      requester_country text not null,
      requester_agency text not null,
      request_reference text not null,
      addressed_country text not null,
      addressed_agency text,
      addressed_as text,
      status text not null,
      priority text not null,
      crime_category text not null,
      case_reference text not null,
      serial text not null,
      serial_keys text[] not null,
      make text not null,
      model text,
      calibre text not null,
      firearm_type text not null,
      country_of_manufacture text,
      request jsonb not null,
      content_hash bytea not null,
      follow_up_of uuid references trace_requests (id),
      seizure_reference text,
      outcome text,
      not_completed_reason text,
      correlation_id text,
      ledger_id uuid not null,
      submitted_at timestamptz not null,
      delivered_at timestamptz,
      acknowledged_at timestamptz,
      in_progress_at timestamptz,
      responded_at timestamptz,
      last_response_at timestamptz,
      finished_at timestamptz,
      ack_due_at timestamptz not null,
      ack_remind_at timestamptz not null,
      response_due_at timestamptz not null,
      response_remind_at timestamptz not null,
      ack_reminded_at timestamptz,
      response_reminded_at timestamptz,
      ack_overdue_at timestamptz,
      response_overdue_at timestamptz,
      overdue boolean not null default false,
      event_count integer not null default 0,
      updated_at timestamptz not null,
      constraint trace_requests_reference_uq unique (requester_country, request_reference),
      constraint trace_requests_status_known check (status in ('SUBMITTED','DELIVERED','ACKNOWLEDGED','IN_PROGRESS','RESPONDED','CLOSED','CANCELLED','REJECTED')),
      constraint trace_requests_priority_known check (priority in ('routine','urgent')),
      constraint trace_requests_outcome_known check (outcome is null or outcome in ('COMPLETED','PARTIAL','NOT_COMPLETED')),
      constraint trace_requests_not_to_self check (requester_country <> addressed_country)
    )`.execute(db);
  // Lists are per side and newest first (ids are time-ordered), so each side has its own index.
  await sql`create index trace_requests_outgoing_idx on trace_requests (requester_country, id)`.execute(db);
  await sql`create index trace_requests_incoming_idx on trace_requests (addressed_country, id)`.execute(db);
  await sql`create index trace_requests_submitted_idx on trace_requests (submitted_at)`.execute(db);
  await sql`create index trace_requests_follow_up_idx on trace_requests (follow_up_of) where follow_up_of is not null`.execute(db);
  await sql`create index trace_requests_serial_keys_idx on trace_requests using gin (serial_keys)`.execute(db);
  await sql`create index trace_requests_ledger_idx on trace_requests (ledger_id)`.execute(db);
  // The deadline task only ever looks at requests whose obligations are still open.
  await sql.raw(`create index trace_requests_ack_due_idx on trace_requests (ack_remind_at, ack_due_at) where status in ${OPEN_ACK}`).execute(db);
  await sql.raw(`create index trace_requests_response_due_idx on trace_requests (response_remind_at, response_due_at) where status in ${OPEN_RESPONSE}`).execute(db);
  await sql`create index trace_requests_undelivered_idx on trace_requests (submitted_at) where status = 'SUBMITTED'`.execute(db);

  await sql`
    create table trace_events (
      id uuid primary key,
      trace_id uuid not null references trace_requests (id) on delete cascade,
      seq integer not null,
      at timestamptz not null,
      kind text not null,
      party text not null,
      actor_country text not null,
      actor_agency text not null,
      from_status text,
      to_status text,
      body jsonb not null default '{}',
      ledger_id uuid,
      constraint trace_events_seq_uq unique (trace_id, seq),
      constraint trace_events_kind_known check (kind in ('submitted','status','response','comment','reminder','overdue','follow-up')),
      constraint trace_events_party_known check (party in ('requester','addressee','hub'))
    )`.execute(db);

  await sql`
    create table trace_attachments (
      sha256 bytea primary key,
      content_type text not null,
      size_bytes integer not null,
      content bytea not null,
      uploaded_by text[] not null,
      created_at timestamptz not null default now()
    )`.execute(db);
  // Photos and PDFs are compressed already: store them as they are instead of trying pglz first.
  await sql`alter table trace_attachments alter column content set storage external`.execute(db);

  await sql`
    create table trace_attachment_links (
      event_id uuid not null references trace_events (id) on delete cascade,
      sha256 bytea not null references trace_attachments (sha256),
      trace_id uuid not null references trace_requests (id) on delete cascade,
      position integer not null,
      caption text,
      primary key (event_id, sha256)
    )`.execute(db);
  await sql`create index trace_attachment_links_trace_idx on trace_attachment_links (trace_id)`.execute(db);
  await sql`create index trace_attachment_links_sha_idx on trace_attachment_links (sha256)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['trace_attachment_links', 'trace_attachments', 'trace_events', 'trace_requests']) await sql`drop table if exists ${sql.table(t)} cascade`.execute(db);
}
