import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, RecordStatus, RecordsTable } from '../db/database-types.js';
import { HubError } from '../errors/hub-error.js';
import { uuidv7 } from '../ids/uuidv7.js';
import { checkTransition } from './record-lifecycle.js';
import type { PreparedRecord } from './record-preparation.js';

/**
 * Writes and reads firearm records. Upserts are set-based: a batch of any size costs a handful
 * of statements (lock existing rows, upsert all rows, append all versions, count unmapped
 * reference values), never a round trip per record, which is what makes a registry's full load
 * of hundreds of thousands of records practical.
 */
export type RecordRow = Selectable<RecordsTable>;

export interface UpsertItem {
  prepared: PreparedRecord;
  ledgerId: string | null;
  /** Years until the review date when the record gives none (the owner country's setting). */
  reviewYears: number;
}

export type UpsertResult =
  | { outcome: 'created' | 'updated' | 'unchanged'; recordId: string; version: number; previousStatus: RecordStatus | null }
  | { outcome: 'rejected'; error: HubError };

interface Current {
  id: string;
  status: RecordStatus;
  version: number;
  content_hash: Buffer;
  review_date: string;
}

function addYears(date: Date, years: number): string {
  const d = new Date(Date.UTC(date.getUTCFullYear() + years, date.getUTCMonth(), date.getUTCDate()));
  return d.toISOString().slice(0, 10);
}

export async function upsertRecords(db: Kysely<Database>, items: readonly UpsertItem[], now: Date = new Date()): Promise<UpsertResult[]> {
  if (items.length === 0) return [];
  const keyOf = (p: PreparedRecord) => `${p.ownerCountry}\u0000${p.ownerReference}`;
  const existing = await sql<Current & { owner_country: string; owner_reference: string }>`
    select id, owner_country, owner_reference, status, version, content_hash, to_char(review_date, 'YYYY-MM-DD') as review_date from records
    where (owner_country, owner_reference) in (select * from unnest(${items.map((i) => i.prepared.ownerCountry)}::text[], ${items.map((i) => i.prepared.ownerReference)}::text[]))
    order by id
    for update`.execute(db);
  const state = new Map<string, Current>(existing.rows.map((r) => [`${r.owner_country}\u0000${r.owner_reference}`, r]));

  // Decide each item in arrival order against the state left by the ones before it, so two
  // versions of one record in the same batch are applied in order.
  const results: UpsertResult[] = [];
  const finalRows = new Map<string, { item: UpsertItem; id: string; version: number; reviewDate: string }>();
  const versions: { id: string; version: number; item: UpsertItem; change: string }[] = [];
  for (const item of items) {
    const p = item.prepared;
    const key = keyOf(p);
    const cur = state.get(key);
    if (cur && cur.content_hash.equals(p.contentHash)) {
      results.push({ outcome: 'unchanged', recordId: cur.id, version: cur.version, previousStatus: cur.status });
      continue;
    }
    if (cur) {
      try {
        checkTransition(cur.status, p.status);
      } catch (err) {
        results.push({ outcome: 'rejected', error: err as HubError });
        continue;
      }
    }
    const id = cur?.id ?? uuidv7(now.getTime());
    const version = (cur?.version ?? 0) + 1;
    const reviewDate = p.reviewDate ?? cur?.review_date ?? addYears(now, item.reviewYears);
    state.set(key, { id, status: p.status, version, content_hash: p.contentHash, review_date: reviewDate });
    finalRows.set(key, { item, id, version, reviewDate });
    versions.push({ id, version, item, change: cur ? (cur.status !== p.status ? `status ${cur.status} -> ${p.status}` : 'update') : 'create' });
    results.push({ outcome: cur ? 'updated' : 'created', recordId: id, version, previousStatus: cur?.status ?? null });
  }

  const rows = [...finalRows.values()];
  if (rows.length) {
    const col = <T>(f: (r: (typeof rows)[number]) => T) => rows.map(f);
    const p = (r: (typeof rows)[number]) => r.item.prepared;
    await sql`
      insert into records (id, owner_country, owner_agency, owner_reference, status, version, serial, serial_key, match_keys,
        make_text, make_id, model, calibre_text, calibre_id, type_text, type_id, ncic_typ, country_of_manufacture, event_date,
        event_country, case_number, firearm, event, visibility, visibility_countries, confidentiality, review_date, content_hash,
        last_ledger_id, created_at, updated_at)
      select id, oc, oa, oref, st, ver, ser, skey, array(select jsonb_array_elements_text(mk::jsonb)), mt, mid, model, ct, cid, tt, tid, typ, com, ed::date,
        ec, cn, fa::jsonb, ev::jsonb, vis, array(select jsonb_array_elements_text(vc::jsonb)), conf, rd::date, hash, lid, ${now}, ${now}
      from unnest(
        ${col((r) => r.id)}::uuid[], ${col((r) => p(r).ownerCountry)}::text[], ${col((r) => p(r).ownerAgency)}::text[], ${col((r) => p(r).ownerReference)}::text[],
        ${col((r) => p(r).status)}::text[], ${col((r) => r.version)}::int[], ${col((r) => p(r).serial)}::text[], ${col((r) => p(r).serialKey)}::text[],
        ${col((r) => JSON.stringify(p(r).matchKeys))}::text[], ${col((r) => p(r).makeText)}::text[], ${col((r) => p(r).makeId)}::text[], ${col((r) => p(r).model)}::text[],
        ${col((r) => p(r).calibreText)}::text[], ${col((r) => p(r).calibreId)}::text[], ${col((r) => p(r).typeText)}::text[], ${col((r) => p(r).typeId)}::text[],
        ${col((r) => p(r).ncicTyp)}::text[], ${col((r) => p(r).countryOfManufacture)}::text[], ${col((r) => p(r).eventDate)}::text[], ${col((r) => p(r).eventCountry)}::text[],
        ${col((r) => p(r).caseNumber)}::text[], ${col((r) => JSON.stringify(p(r).firearm))}::text[], ${col((r) => JSON.stringify(p(r).event))}::text[],
        ${col((r) => p(r).visibility)}::text[], ${col((r) => JSON.stringify(p(r).visibilityCountries))}::text[], ${col((r) => p(r).confidentiality)}::text[],
        ${col((r) => r.reviewDate)}::text[], ${col((r) => p(r).contentHash)}::bytea[], ${col((r) => r.item.ledgerId)}::uuid[]
      ) as t(id, oc, oa, oref, st, ver, ser, skey, mk, mt, mid, model, ct, cid, tt, tid, typ, com, ed, ec, cn, fa, ev, vis, vc, conf, rd, hash, lid)
      on conflict (owner_country, owner_reference) do update set
        owner_agency = excluded.owner_agency, status = excluded.status, version = excluded.version, serial = excluded.serial,
        serial_key = excluded.serial_key, match_keys = excluded.match_keys, make_text = excluded.make_text, make_id = excluded.make_id,
        model = excluded.model, calibre_text = excluded.calibre_text, calibre_id = excluded.calibre_id, type_text = excluded.type_text,
        type_id = excluded.type_id, ncic_typ = excluded.ncic_typ, country_of_manufacture = excluded.country_of_manufacture,
        event_date = excluded.event_date, event_country = excluded.event_country, case_number = excluded.case_number,
        firearm = excluded.firearm, event = excluded.event, visibility = excluded.visibility,
        visibility_countries = excluded.visibility_countries, confidentiality = excluded.confidentiality,
        review_date = excluded.review_date, review_overdue = excluded.review_date < current_date, content_hash = excluded.content_hash,
        last_ledger_id = excluded.last_ledger_id, updated_at = excluded.updated_at`.execute(db);
  }
  if (versions.length) {
    await sql`
      insert into record_versions (record_id, version, status, ledger_id, agency, at, change, snapshot)
      select id, ver, st, lid, ag, ${now}, ch, snap::jsonb
      from unnest(${versions.map((v) => v.id)}::uuid[], ${versions.map((v) => v.version)}::int[], ${versions.map((v) => v.item.prepared.status)}::text[],
                  ${versions.map((v) => v.item.ledgerId)}::uuid[], ${versions.map((v) => v.item.prepared.ownerAgency)}::text[], ${versions.map((v) => v.change)}::text[],
                  ${versions.map((v) => JSON.stringify({ status: v.item.prepared.status, firearm: v.item.prepared.firearm, event: v.item.prepared.event, restrictions: { visibility: v.item.prepared.visibility, countries: v.item.prepared.visibilityCountries, confidentiality: v.item.prepared.confidentiality } }))}::text[])
        as t(id, ver, st, lid, ag, ch, snap)`.execute(db);
  }
  const unmapped = new Map<string, { kind: string; value: string; n: number }>();
  for (const r of rows) {
    for (const u of r.item.prepared.unmapped) {
      const k = `${u.kind}\u0000${u.value}`;
      unmapped.set(k, { ...u, n: (unmapped.get(k)?.n ?? 0) + 1 });
    }
  }
  if (unmapped.size) {
    const list = [...unmapped.values()].sort((a, b) => (a.kind + a.value < b.kind + b.value ? -1 : 1));
    await sql`
      insert into reference_unmapped (kind, value, occurrences, first_seen, last_seen)
      select k, v, n, ${now}, ${now} from unnest(${list.map((u) => u.kind)}::text[], ${list.map((u) => u.value)}::text[], ${list.map((u) => u.n)}::int[]) as t(k, v, n)
      on conflict (kind, value) do update set occurrences = reference_unmapped.occurrences + excluded.occurrences, last_seen = excluded.last_seen`.execute(db);
  }
  return results;
}

/** Changes the status of one record of `ownerCountry`, checking the transition; returns the new version. */
export async function changeRecordStatus(
  db: Kysely<Database>,
  args: { ownerCountry: string; ownerReference: string; status: RecordStatus; reason: string | null; agency: string; ledgerId: string | null; now?: Date },
): Promise<{ recordId: string; version: number; previousStatus: RecordStatus; changed: boolean }> {
  const now = args.now ?? new Date();
  const cur = await db
    .selectFrom('records')
    .select(['id', 'status', 'version', 'firearm', 'event', 'visibility', 'visibility_countries', 'confidentiality'])
    .where('owner_country', '=', args.ownerCountry)
    .where('owner_reference', '=', args.ownerReference)
    .forUpdate()
    .executeTakeFirst();
  if (!cur) {
    throw new HubError('NOT_FOUND', `${args.ownerCountry} has no record with reference ${args.ownerReference}`, [
      { pointer: '/payload/ownerReference', code: 'record.unknown', message: `no record ${args.ownerReference} of ${args.ownerCountry}` },
    ]);
  }
  if (cur.status === args.status) return { recordId: cur.id, version: cur.version, previousStatus: cur.status, changed: false };
  checkTransition(cur.status, args.status);
  const version = cur.version + 1;
  await db.updateTable('records').set({ status: args.status, version, updated_at: now, last_ledger_id: args.ledgerId }).where('id', '=', cur.id).execute();
  await db
    .insertInto('record_versions')
    .values({
      record_id: cur.id,
      version,
      status: args.status,
      ledger_id: args.ledgerId,
      agency: args.agency,
      at: now,
      change: `status ${cur.status} -> ${args.status}${args.reason ? `: ${args.reason}` : ''}`,
      snapshot: JSON.stringify({ status: args.status, firearm: cur.firearm, event: cur.event, restrictions: { visibility: cur.visibility, countries: cur.visibility_countries, confidentiality: cur.confidentiality } }),
    })
    .execute();
  return { recordId: cur.id, version, previousStatus: cur.status, changed: true };
}
