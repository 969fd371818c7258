import { sql, type Kysely } from 'kysely';
import type { Database, MessageStatus } from '../db/database-types.js';
import { appendLineage, type LineageTarget } from './ledger-lineage.js';
import type { LedgerEntry, OutboxRecord, StoreOutcome } from './ledger-types.js';

/**
 * The ledger's write path. One statement stores a whole batch: idempotency keys, raw messages
 * with their first lineage events, and any receipts, so "stored" is atomic per batch and costs one round
 * trip however many messages share it. Arrays go in through unnest() so the statement text (and
 * its plan) is the same for every batch size.
 */

function dedupSender(e: LedgerEntry): string | null {
  return e.senderCountry && e.senderAgency ? `${e.senderCountry}/${e.senderAgency}` : null;
}

export async function storeEntries(db: Kysely<Database>, entries: readonly LedgerEntry[]): Promise<StoreOutcome[]> {
  if (entries.length === 0) return [];
  const col = <T>(f: (e: LedgerEntry) => T) => entries.map(f);
  const inserted = await sql<{ id: string }>`
    with input as (
      select * from unnest(
        ${col((e) => e.id)}::uuid[], ${col((e) => e.retentionClass)}::text[], ${col((e) => e.receivedAt)}::timestamptz[],
        ${col((e) => e.channel)}::text[], ${col((e) => e.format)}::text[], ${col((e) => e.contentType)}::text[],
        ${col((e) => e.senderCountry)}::text[], ${col((e) => e.senderAgency)}::text[], ${col((e) => e.raw)}::bytea[],
        ${col((e) => e.sha256)}::bytea[], ${col((e) => e.messageId ?? null)}::text[], ${col((e) => e.type ?? null)}::text[],
        ${col((e) => e.correlationId ?? null)}::text[], ${col((e) => e.sentAt ?? null)}::timestamptz[],
        ${col((e) => JSON.stringify(e.businessKeys))}::text[], ${col((e) => (e.envelope === undefined ? null : JSON.stringify(e.envelope)))}::text[],
        ${col((e) => e.status)}::text[], ${col((e) => (e.errors?.length ? JSON.stringify(e.errors) : null))}::text[],
        ${col((e) => JSON.stringify(e.events))}::text[], ${col((e) => e.replayOf ?? null)}::uuid[],
        ${col((e) => e.fileId ?? null)}::uuid[], ${col((e) => e.fileIndex ?? null)}::int[], ${col(dedupSender)}::text[],
        ${col((e) => (e.outbox.length ? JSON.stringify(e.outbox) : null))}::text[]
      ) as t(id, retention_class, received_at, channel, format, content_type, sender_country, sender_agency, raw,
             sha256, message_id, type, correlation_id, sent_at, business_keys, envelope, status, errors, events,
             replay_of, file_id, file_index, dedup_sender, outbox)
    ),
    claimed as (
      insert into ledger_dedup (sender, message_id, sha256, ledger_id, retention_class, received_at)
      select dedup_sender, message_id, sha256, id, retention_class, received_at from input where replay_of is null
      on conflict do nothing
      returning ledger_id
    ),
    accepted as (
      select i.* from input i where i.id in (select ledger_id from claimed) or i.replay_of is not null
    ),
    msgs as (
      insert into ledger_messages (id, retention_class, received_at, channel, format, content_type, sender_country,
        sender_agency, raw, sha256, size_bytes, message_id, type, correlation_id, sent_at, business_keys, lineage, envelope,
        status, errors, replay_of, file_id, file_index, updated_at)
      select id, retention_class, received_at, channel, format, content_type, sender_country, sender_agency, raw,
        sha256, octet_length(raw), message_id, type, correlation_id, sent_at,
        array(select jsonb_array_elements_text(business_keys::jsonb)), events::jsonb, envelope::jsonb, status, errors::jsonb,
        replay_of, file_id, file_index, now()
      from accepted
    ),
    receipts as (
      insert into outbox (id, source_ledger_id, correlation_id, recipient_country, recipient_agency, channel, format, type, envelope, status)
      select (o->>'id')::uuid, (o->>'sourceLedgerId')::uuid, o->>'correlationId', o->>'recipientCountry', o->>'recipientAgency',
             o->>'channel', o->>'format', o->>'type', o->'envelope', 'pending'
      from accepted a cross join lateral jsonb_array_elements(a.outbox::jsonb) o
      where a.outbox is not null
      on conflict (id) do nothing
    )
    select id from accepted`.execute(db);

  const stored = new Set(inserted.rows.map((r) => r.id));

  const outcomes: StoreOutcome[] = entries.map(() => ({ stored: true }));
  const duplicates = entries.map((e, i) => ({ e, i })).filter(({ e }) => !stored.has(e.id));
  if (duplicates.length) {
    const originals = await sql<{ ledger_id: string; sender: string | null; message_id: string | null; sha256: Buffer; received_at: Date; status: MessageStatus | null }>`
      select d.ledger_id, d.sender, d.message_id, d.sha256, d.received_at, m.status from ledger_dedup d
      left join ledger_messages m on m.id = d.ledger_id and m.received_at = d.received_at
      where (d.sender, d.message_id) in (select * from unnest(${duplicates.map(({ e }) => dedupSender(e))}::text[], ${duplicates.map(({ e }) => e.messageId ?? null)}::text[]))
         or d.sha256 = any(${duplicates.map(({ e }) => e.sha256)}::bytea[])`.execute(db);
    const byKey = new Map(originals.rows.filter((r) => r.message_id).map((r) => [`${r.sender}\u0000${r.message_id}`, r]));
    const byHash = new Map(originals.rows.map((r) => [r.sha256.toString('hex'), r]));
    const repeats: LineageTarget[] = [];
    for (const { e, i } of duplicates) {
      const bySender = e.messageId ? byKey.get(`${dedupSender(e)}\u0000${e.messageId}`) : undefined;
      const original = bySender ?? byHash.get(e.sha256.toString('hex'));
      if (!original) throw new Error(`ledger: ${e.id} was neither stored nor matched to an original`);
      outcomes[i] = { stored: false, duplicateOf: original.ledger_id, reason: bySender ? 'message-id' : 'content', originalStatus: original.status };
      repeats.push({
        id: original.ledger_id,
        receivedAt: original.received_at,
        detail: { channel: e.channel, sha256: e.sha256.toString('hex'), sameContent: original.sha256.equals(e.sha256) },
      });
    }
    // The repeat is not stored again, but its arrival is part of the original's history. One
    // update per original, however many repeats of it this batch holds.
    const byOriginal = new Map<string, LineageTarget[]>();
    for (const r of repeats) byOriginal.set(r.id, [...(byOriginal.get(r.id) ?? []), r]);
    while (byOriginal.size) {
      const targets = [...byOriginal.values()].map((list) => list.shift()!);
      for (const [id, list] of byOriginal) if (list.length === 0) byOriginal.delete(id);
      await appendLineage(db, targets, { stage: 'intake', event: 'duplicate', reason: 'already received; acknowledged with the original id' });
    }
  }
  return outcomes;
}

/**
 * Pull channels (the REST inbox) have nothing to send: a row is delivered once it is visible. Rows
 * for them are written as delivered in the transaction that makes them, saving a queue job, a
 * lane lookup and a second write of each row; unless the recipient is paused, or the lane still
 * holds pending rows (written while it was paused), which must be seen first.
 */
export interface DeliverAtCommit {
  channels: ReadonlySet<string>;
  paused: ReadonlySet<string>;
}

/** Writes outbox rows; returns the ids written as already delivered (see DeliverAtCommit). */
export async function insertOutbox(db: Kysely<Database>, records: readonly OutboxRecord[], atCommit?: DeliverAtCommit): Promise<Set<string>> {
  if (records.length === 0) return new Set();
  const deliverable = records.map((r) => Boolean(atCommit?.channels.has(r.channel) && !atCommit.paused.has(r.recipientCountry)));
  // Outbox ids are derived from their source message, so writing the same record twice (a retried
  // job) is a no-op rather than a second notification.
  const r = await sql<{ id: string; status: string }>`
    insert into outbox (id, source_ledger_id, correlation_id, recipient_country, recipient_agency, channel, format, type, envelope, status, delivered_at)
    select id, source, corr, country, agency, channel, format, type, env::jsonb, d.status, case when d.status = 'delivered' then now() end
    from unnest(${records.map((r) => r.id)}::uuid[], ${records.map((r) => r.sourceLedgerId)}::uuid[], ${records.map((r) => r.correlationId)}::text[],
                ${records.map((r) => r.recipientCountry)}::text[], ${records.map((r) => r.recipientAgency)}::text[], ${records.map((r) => r.channel)}::text[],
                ${records.map((r) => r.format)}::text[], ${records.map((r) => r.type)}::text[], ${records.map((r) => JSON.stringify(r.envelope))}::text[],
                ${deliverable}::boolean[])
      as t(id, source, corr, country, agency, channel, format, type, env, deliverable)
    cross join lateral (
      select case when t.deliverable and not exists (
        select 1 from outbox p where p.channel = t.channel and p.recipient_country = t.country and p.status in ('pending','failed'))
      then 'delivered' else 'pending' end as status) d
    on conflict (id) do nothing
    returning id, status`.execute(db);
  return new Set(r.rows.filter((x) => x.status === 'delivered').map((x) => x.id));
}
