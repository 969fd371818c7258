import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, RecordStatus, RecordsTable } from '../db/database-types.js';
import { HubError } from '../errors/hub-error.js';
import { uuidv7 } from '../ids/uuidv7.js';
import { checkTransition } from './record-lifecycle.js';
import { writeRecordVersions, type VersionRow } from './record-bulk-load.js';
import type { PreparedRecord } from './record-preparation.js';
import { countUnmapped, listUnmapped, tallyUnmapped, type UnmappedTally } from './unmapped-values.js';

/**
 * Writes and reads firearm records. Upserts are set-based: a batch of any size costs three
 * statements (lock the existing rows; write all record rows and all versions in one
 * (record-bulk-load.ts); list unmapped reference values), never a round trip per record, which
 * is what makes a registry's full load of hundreds of thousands of records practical.
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

export interface UpsertOptions {
  /**
   * Takes over counting the unmapped reference values (see unmapped-values.ts), to do it after
   * the caller's transaction commits; without it they are counted in `db`.
   */
  deferCount?: (tally: UnmappedTally[]) => void;
}

export async function upsertRecords(db: Kysely<Database>, items: readonly UpsertItem[], now: Date = new Date(), options: UpsertOptions = {}): Promise<UpsertResult[]> {
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
  const versions: VersionRow[] = [];
  /** Per record, its last version in `versions`: the state its row is left in. */
  const lastVersion = new Map<string, VersionRow>();
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
    const row: VersionRow = {
      prepared: p,
      recordId: id,
      version,
      ledgerId: item.ledgerId,
      change: cur ? (cur.status !== p.status ? `status ${cur.status} -> ${p.status}` : 'update') : 'create',
      final: false,
      reviewDate,
    };
    versions.push(row);
    lastVersion.set(key, row);
    results.push({ outcome: cur ? 'updated' : 'created', recordId: id, version, previousStatus: cur?.status ?? null });
  }
  for (const row of lastVersion.values()) row.final = true;
  await writeRecordVersions(db, versions, now);

  const unmapped = tallyUnmapped([...lastVersion.values()].flatMap((r) => r.prepared.unmapped));
  await listUnmapped(db, unmapped, now);
  if (options.deferCount) options.deferCount(unmapped);
  else await countUnmapped(db, unmapped, now);
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
