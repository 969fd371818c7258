import { sql, type Kysely } from 'kysely';

/** Notices (hub.notice) as applied: one row per message, never two (the unique key is the guard). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table notices (
      id bigserial primary key,
      ledger_id uuid not null,
      sender_country text not null,
      sender_agency text not null,
      subject text not null,
      body text not null,
      priority text not null,
      recipients jsonb not null,
      serials text[] not null default '{}',
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create unique index notices_ledger_uq on notices (ledger_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists notices`.execute(db);
}
