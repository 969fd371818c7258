import { sql, type Kysely } from 'kysely';

/**
 * The message ledger. ledger_messages is partitioned first by retention class (a partner's
 * setting) and then by month of receipt, so retention drops whole partitions instead of deleting
 * rows. Monthly partitions are created ahead of time by ledger-partitions.ts.
 *
 * A message's lineage (received, normalised, validated, applied, ... each with time, stage and
 * reason) is a JSON array on its own row: every stage already writes the row (insert at intake,
 * status update at apply), so appending the event there costs nothing, where a separate events
 * table would cost a row write per event.
 *
 * Idempotency keys live in ledger_dedup, an unpartitioned table, because a unique constraint on a
 * partitioned table would have to include the partition key and so could not span months.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table ledger_messages (
      id uuid not null,
      retention_class text not null,
      received_at timestamptz not null,
      channel text not null,
      format text not null,
      content_type text not null,
      sender_country text,
      sender_agency text,
      raw bytea not null,
      sha256 bytea not null,
      size_bytes integer not null,
      message_id text,
      type text,
      correlation_id text,
      sent_at timestamptz,
      business_keys text[] not null default '{}',
      lineage jsonb not null default '[]',
      envelope jsonb,
      status text not null,
      errors jsonb,
      attempts integer not null default 0,
      last_error text,
      replay_of uuid,
      file_id uuid,
      file_index integer,
      updated_at timestamptz not null,
      primary key (id, retention_class, received_at),
      constraint ledger_status_known check (status in ('received','validated','applied','rejected','dead','replayed'))
    ) partition by list (retention_class)`.execute(db);
  await sql`create index ledger_sender_idx on ledger_messages (sender_country, received_at)`.execute(db);
  await sql`create index ledger_type_idx on ledger_messages (type, received_at)`.execute(db);
  await sql`create index ledger_correlation_idx on ledger_messages (correlation_id)`.execute(db);
  await sql`create index ledger_sender_message_idx on ledger_messages (message_id)`.execute(db);
  await sql`create index ledger_keys_idx on ledger_messages using gin (business_keys)`.execute(db);
  // Failures are what admins list; unfinished work is what the sweeper scans. Both stay small.
  await sql`create index ledger_attention_idx on ledger_messages (status, received_at) where status in ('rejected','dead')`.execute(db);
  await sql`create index ledger_unfinished_idx on ledger_messages (updated_at) where status in ('received','validated')`.execute(db);
  await sql`create index ledger_replay_of_idx on ledger_messages (replay_of) where replay_of is not null`.execute(db);

  await sql`
    create table ledger_dedup (
      sender text,
      message_id text,
      sha256 bytea not null,
      ledger_id uuid not null,
      retention_class text not null,
      received_at timestamptz not null
    )`.execute(db);
  await sql`create unique index ledger_dedup_sender_message_uq on ledger_dedup (sender, message_id) where message_id is not null`.execute(db);
  await sql`create unique index ledger_dedup_sha256_uq on ledger_dedup (sha256)`.execute(db);
  await sql`create index ledger_dedup_received_idx on ledger_dedup (received_at)`.execute(db);

  await sql`
    create table outbox (
      id uuid primary key,
      source_ledger_id uuid,
      correlation_id text,
      recipient_country text not null,
      recipient_agency text,
      channel text not null,
      format text not null,
      type text not null,
      envelope jsonb not null,
      status text not null,
      attempts integer not null default 0,
      last_error text,
      next_attempt_at timestamptz,
      created_at timestamptz not null default now(),
      delivered_at timestamptz,
      acked_at timestamptz,
      acked_by uuid,
      constraint outbox_status_known check (status in ('pending','delivered','acked','failed','dead'))
    )`.execute(db);
  await sql`create index outbox_inbox_idx on outbox (recipient_country, id) where status = 'delivered'`.execute(db);
  await sql`create index outbox_work_idx on outbox (created_at) where status in ('pending','failed')`.execute(db);
  await sql`create index outbox_source_idx on outbox (source_ledger_id)`.execute(db);

  await sql`
    create table agencies (
      id uuid primary key,
      country text,
      code text not null,
      name text not null,
      role text not null,
      created_at timestamptz not null default now(),
      disabled_at timestamptz,
      constraint agencies_role_known check (role in ('hub_admin','ncb','agency')),
      constraint agencies_country_required check (role = 'hub_admin' or country is not null)
    )`.execute(db);
  await sql`create unique index agencies_country_code_uq on agencies (coalesce(country, ''), code)`.execute(db);

  await sql`
    create table api_keys (
      id text primary key,
      agency_id uuid not null references agencies (id),
      secret_hash bytea not null,
      label text,
      created_at timestamptz not null default now(),
      revoked_at timestamptz,
      last_used_at timestamptz
    )`.execute(db);

  await sql`
    create table partner_controls (
      country text primary key,
      paused boolean not null,
      reason text,
      changed_at timestamptz not null,
      changed_by text
    )`.execute(db);

  await sql`
    create table audit_log (
      id bigserial primary key,
      at timestamptz not null default now(),
      actor text not null,
      action text not null,
      target text,
      detail jsonb
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['audit_log', 'partner_controls', 'api_keys', 'agencies', 'outbox', 'ledger_dedup', 'ledger_messages']) {
    await sql`drop table if exists ${sql.table(t)} cascade`.execute(db);
  }
}
