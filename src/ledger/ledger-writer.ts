import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, MessageStatus } from '../db/database-types.js';
import { appendLineage, type LineageTarget } from './ledger-lineage.js';
import type { FieldError } from '../messages/generated-types.js';
import type { LedgerEntry, LedgerEvent, OutboxRecord, StoreOutcome } from './ledger-types.js';

/**
 * The ledger's write path. One statement stores a whole batch: idempotency keys, raw messages
 * with their first lineage events, and any receipts, so "stored" is atomic per batch and costs one
 * round trip however many messages share it. With work to do between claiming the keys and
 * writing the rows (apply at intake), the batch takes one transaction of two statements instead.
 * The rows go in as one JSON document (or arrays, for the keys), so the statement text (and its
 * plan) is the same for every batch size.
 */

/** The content key of an entry in ledger_dedup (see LedgerEntry.dedupSha256). */
function contentKey(e: LedgerEntry): Buffer {
  return e.dedupSha256 ?? e.sha256;
}

function dedupSender(e: LedgerEntry): string | null {
  return e.senderCountry && e.senderAgency ? `${e.senderCountry}/${e.senderAgency}` : null;
}

/**
 * Work done inside the storing transaction, after the idempotency keys are claimed and before the
 * rows are written (apply at intake). Given the validated entries that are not duplicates, it
 * returns what to change in each before it is written: its status, further lineage events, and
 * for a rejected one its errors and receipt.
 */
export type WithinStore = (trx: Transaction<Database>, validated: readonly LedgerEntry[]) => Promise<ReadonlyMap<string, EntryChange>>;

export interface EntryChange {
  status?: 'applied' | 'rejected';
  events: LedgerEvent[];
  errors?: FieldError[];
  /** Messages to write with the entry (a rejection receipt). */
  outbox?: OutboxRecord[];
}

export async function storeEntries(db: Kysely<Database>, entries: readonly LedgerEntry[], within?: WithinStore): Promise<StoreOutcome[]> {
  if (entries.length === 0) return [];
  let stored: Set<string>;
  if (within) {
    stored = await db.transaction().execute(async (trx) => {
      const claimed = await claimKeys(trx, entries);
      const accepted = entries.filter((e) => claimed.has(e.id) || e.replayOf);
      const changes = await within(trx, accepted.filter((e) => e.status === 'validated'));
      const changed = accepted.map((e) => {
        const c = changes.get(e.id);
        return c ? { ...e, status: c.status ?? e.status, events: [...e.events, ...c.events], errors: c.errors ?? e.errors, outbox: [...e.outbox, ...(c.outbox ?? [])] } : e;
      });
      await insertEntries(trx, changed, { claimed: true });
      return new Set(accepted.map((e) => e.id));
    });
  } else {
    stored = new Set((await insertEntries(db, entries, { claimed: false })).map((r) => r.id));
  }
  return outcomesOf(db, entries, stored);
}

/** Claims the idempotency keys of the entries (replays have none); returns the ids that got theirs. */
async function claimKeys(db: Kysely<Database>, entries: readonly LedgerEntry[]): Promise<Set<string>> {
  const keyed = entries.filter((e) => !e.replayOf);
  if (keyed.length === 0) return new Set();
  const col = <T>(f: (e: LedgerEntry) => T) => keyed.map(f);
  const r = await sql<{ ledger_id: string }>`
    insert into ledger_dedup (sender, message_id, sha256, ledger_id, retention_class, received_at)
    select * from unnest(${col(dedupSender)}::text[], ${col((e) => e.messageId ?? null)}::text[], ${col(contentKey)}::bytea[],
                         ${col((e) => e.id)}::uuid[], ${col((e) => e.retentionClass)}::text[], ${col((e) => e.receivedAt)}::timestamptz[])
    on conflict do nothing
    returning ledger_id`.execute(db);
  return new Set(r.rows.map((x) => x.ledger_id));
}

/**
 * Writes ledger rows and their receipts in one statement. Unless `claimed` (the keys were claimed
 * by claimKeys in the same transaction), the statement claims the idempotency keys itself and
 * writes only the entries that got theirs. Returns the ids written.
 */
async function insertEntries(db: Kysely<Database>, entries: readonly LedgerEntry[], { claimed: preclaimed }: { claimed: boolean }): Promise<{ id: string }[]> {
  if (entries.length === 0) return [];
  const claim = preclaimed
    ? sql`claimed as (select id as ledger_id from input)`
    : sql`claimed as (
      insert into ledger_dedup (sender, message_id, sha256, ledger_id, retention_class, received_at)
      select dedup_sender, message_id, dedup_sha256, id, retention_class, received_at from input where replay_of is null
      on conflict do nothing
      returning ledger_id
    )`;
  // One JSON document for the whole batch: V8 serialises it in one pass and PostgreSQL parses it
  // in one, where two dozen array parameters were escaped element by element on both sides (the
  // envelopes, full of quotes, most of all). Bytes travel as base64 and hex.
  const input = JSON.stringify(
    entries.map((e) => ({
      id: e.id,
      rc: e.retentionClass,
      rat: e.receivedAt,
      ch: e.channel,
      fmt: e.format,
      ct: e.contentType,
      sc: e.senderCountry,
      sa: e.senderAgency,
      raw: e.raw.toString('base64'),
      sha: e.sha256.toString('hex'),
      dsha: e.dedupSha256 ? e.dedupSha256.toString('hex') : null,
      mid: e.messageId ?? null,
      typ: e.type ?? null,
      cid: e.correlationId ?? null,
      sat: e.sentAt ?? null,
      bk: e.businessKeys,
      env: e.envelope ?? null,
      st: e.status,
      err: e.errors?.length ? e.errors : null,
      ev: e.events,
      rof: e.replayOf ?? null,
      fid: e.fileId ?? null,
      fix: e.fileIndex ?? null,
      ds: dedupSender(e),
      ob: e.outbox.length ? e.outbox : null,
    })),
  );
  const inserted = await sql<{ id: string }>`
    with input as (
      select t.id, t.rc as retention_class, t.rat as received_at, t.ch as channel, t.fmt as format, t.ct as content_type,
             t.sc as sender_country, t.sa as sender_agency, decode(t.raw, 'base64') as raw, decode(t.sha, 'hex') as sha256,
             coalesce(decode(t.dsha, 'hex'), decode(t.sha, 'hex')) as dedup_sha256,
             t.mid as message_id, t.typ as type, t.cid as correlation_id, t.sat as sent_at, t.bk as business_keys,
             t.env as envelope, t.st as status, t.err as errors, t.ev as events, t.rof as replay_of, t.fid as file_id,
             t.fix as file_index, t.ds as dedup_sender, t.ob as outbox
      from jsonb_to_recordset(${input}::jsonb) as t(id uuid, rc text, rat timestamptz, ch text, fmt text, ct text, sc text, sa text,
        raw text, sha text, dsha text, mid text, typ text, cid text, sat timestamptz, bk text[], env jsonb, st text, err jsonb, ev jsonb,
        rof uuid, fid uuid, fix integer, ds text, ob jsonb)
    ),
    ${claim},
    accepted as (
      select i.* from input i where i.id in (select ledger_id from claimed) or i.replay_of is not null
    ),
    msgs as (
      insert into ledger_messages (id, retention_class, received_at, channel, format, content_type, sender_country,
        sender_agency, raw, sha256, size_bytes, message_id, type, correlation_id, sent_at, business_keys, lineage, envelope,
        status, errors, replay_of, file_id, file_index, updated_at)
      select id, retention_class, received_at, channel, format, content_type, sender_country, sender_agency, raw,
        sha256, octet_length(raw), message_id, type, correlation_id, sent_at,
        business_keys, events, envelope, status, errors,
        replay_of, file_id, file_index, now()
      from accepted
    ),
    receipts as (
      insert into outbox (id, source_ledger_id, correlation_id, recipient_country, recipient_agency, channel, format, type, envelope, status)
      select (o->>'id')::uuid, (o->>'sourceLedgerId')::uuid, o->>'correlationId', o->>'recipientCountry', o->>'recipientAgency',
             o->>'channel', o->>'format', o->>'type', o->'envelope', 'pending'
      from accepted a cross join lateral jsonb_array_elements(a.outbox) o
      where a.outbox is not null
      on conflict (id) do nothing
    )
    select id from accepted`.execute(db);
  return inserted.rows;
}

/** Each entry's outcome: stored, or a duplicate of its original (whose lineage notes the repeat). */
async function outcomesOf(db: Kysely<Database>, entries: readonly LedgerEntry[], stored: ReadonlySet<string>): Promise<StoreOutcome[]> {
  const outcomes: StoreOutcome[] = entries.map(() => ({ stored: true }));
  const duplicates = entries.map((e, i) => ({ e, i })).filter(({ e }) => !stored.has(e.id));
  if (duplicates.length) {
    const originals = await sql<{ ledger_id: string; sender: string | null; message_id: string | null; sha256: Buffer; received_at: Date; status: MessageStatus | null }>`
      select d.ledger_id, d.sender, d.message_id, d.sha256, d.received_at, m.status from ledger_dedup d
      left join ledger_messages m on m.id = d.ledger_id and m.received_at = d.received_at
      where (d.sender, d.message_id) in (select * from unnest(${duplicates.map(({ e }) => dedupSender(e))}::text[], ${duplicates.map(({ e }) => e.messageId ?? null)}::text[]))
         or d.sha256 = any(${duplicates.map(({ e }) => contentKey(e))}::bytea[])`.execute(db);
    const byKey = new Map(originals.rows.filter((r) => r.message_id).map((r) => [`${r.sender}\u0000${r.message_id}`, r]));
    const byHash = new Map(originals.rows.map((r) => [r.sha256.toString('hex'), r]));
    const repeats: LineageTarget[] = [];
    for (const { e, i } of duplicates) {
      const bySender = e.messageId ? byKey.get(`${dedupSender(e)}\u0000${e.messageId}`) : undefined;
      const original = bySender ?? byHash.get(contentKey(e).toString('hex'));
      if (!original) throw new Error(`ledger: ${e.id} was neither stored nor matched to an original`);
      outcomes[i] = { stored: false, duplicateOf: original.ledger_id, reason: bySender ? 'message-id' : 'content', originalStatus: original.status };
      repeats.push({
        id: original.ledger_id,
        receivedAt: original.received_at,
        detail: { channel: e.channel, sha256: e.sha256.toString('hex'), sameContent: original.sha256.equals(contentKey(e)) },
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
  const input = JSON.stringify(
    records.map((r, i) => ({
      id: r.id,
      src: r.sourceLedgerId,
      cid: r.correlationId,
      cc: r.recipientCountry,
      ag: r.recipientAgency,
      ch: r.channel,
      fmt: r.format,
      typ: r.type,
      env: r.envelope,
      dlv: deliverable[i],
    })),
  );
  const r = await sql<{ id: string; status: string }>`
    insert into outbox (id, source_ledger_id, correlation_id, recipient_country, recipient_agency, channel, format, type, envelope, status, delivered_at)
    select t.id, t.src, t.cid, t.cc, t.ag, t.ch, t.fmt, t.typ, t.env, d.status, case when d.status = 'delivered' then now() end
    from jsonb_to_recordset(${input}::jsonb) as t(id uuid, src uuid, cid text, cc text, ag text, ch text, fmt text, typ text, env jsonb, dlv boolean)
    cross join lateral (
      select case when t.dlv and not exists (
        select 1 from outbox p where p.channel = t.ch and p.recipient_country = t.cc and p.status in ('pending','failed'))
      then 'delivered' else 'pending' end as status) d
    on conflict (id) do nothing
    returning id, status`.execute(db);
  return new Set(r.rows.filter((x) => x.status === 'delivered').map((x) => x.id));
}
