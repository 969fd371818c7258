import { sql, type Kysely } from 'kysely';

/**
 * Files taken from partners' SFTP drops. The file itself is stored before any of it is split
 * (in 1 MiB chunks, so neither the hub nor a query ever holds a large file whole), with its
 * sha256: the same bytes again from the same partner are recognised by the unique index and not
 * applied twice. The messages split from it are ledger rows pointing back here (file_id,
 * file_index); what the file's receipt reports as rejected is kept per item beside it, so a
 * receipt can be written (or written again) by streaming rows, whatever the file's size.
 *
 * status: receiving -> received -> splitting -> processed | failed; or duplicate (of duplicate_of).
 * A file is done when, besides, its receipt is in the partner's outbox (receipt_sent_at) and it
 * has been moved out of processing/ (moved_to); until then it is picked up again after a crash.
 * next_index is how far splitting got (a crash resumes there); the counts are the receipt's.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table sftp_files (
      id uuid primary key,
      partner_country text not null,
      endpoint text not null,
      name text not null,
      claimed_path text not null,
      format text,
      status text not null,
      size_bytes bigint,
      sha256 bytea,
      duplicate_of uuid references sftp_files (id),
      next_index integer not null default 0,
      messages integer not null default 0,
      accepted integer not null default 0,
      rejected integer not null default 0,
      duplicates integer not null default 0,
      error jsonb,
      receipt_name text,
      moved_to text,
      received_at timestamptz not null default now(),
      stored_at timestamptz,
      finished_at timestamptz,
      receipt_sent_at timestamptz,
      constraint sftp_files_status_known check (status in ('receiving','received','splitting','processed','failed','duplicate'))
    )`.execute(db);
  await sql`create unique index sftp_files_content_uq on sftp_files (partner_country, sha256) where sha256 is not null and duplicate_of is null`.execute(db);
  await sql`create index sftp_files_partner_idx on sftp_files (partner_country, received_at)`.execute(db);
  await sql`create index sftp_files_unfinished_idx on sftp_files (endpoint) where status in ('receiving','received','splitting') or receipt_sent_at is null or moved_to is null`.execute(db);

  await sql`
    create table sftp_file_chunks (
      file_id uuid not null references sftp_files (id) on delete cascade,
      seq integer not null,
      bytes bytea not null,
      primary key (file_id, seq)
    )`.execute(db);

  await sql`
    create table sftp_file_rejections (
      file_id uuid not null references sftp_files (id) on delete cascade,
      item_index integer not null,
      line integer not null,
      ledger_id uuid,
      message_id text,
      errors jsonb not null,
      primary key (file_id, item_index)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['sftp_file_rejections', 'sftp_file_chunks', 'sftp_files']) await sql`drop table if exists ${sql.table(t)} cascade`.execute(db);
}
