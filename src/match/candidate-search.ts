import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database, RecordStatus } from '../db/database-types.js';
import { withIndexProbes } from '../db/index-probes.js';
import type { FirearmDescription, FirearmEvent } from '../messages/generated-types.js';
import { MATCH_KEY_PREFIX } from '../records/record-preparation.js';
import { candidateKeysForQuery } from '../serials/serial-index-keys.js';
import { serialKeys } from '../serials/serial-keys.js';
import { LOOKALIKE_FOLD_SQL, MIN_READABLE, partialPattern } from './partial-serial.js';

/**
 * Candidate generation, keyed on the serial as iARMS does (domain.md 1.4): make and calibre confirm
 * a candidate, they never find one. Whole serials are looked up by their keys in the GIN-indexed
 * match_keys arrays (one index probe per seized firearm however many derivations it has); partial
 * serials by a LIKE pattern over the trigram-indexed look-alike fold of the records' serial key.
 * Works in both directions: records for a seized firearm, and past seized firearms for a record.
 */

/** Records that can still be hit: a record that was found, cleared or cancelled is not looked for. */
export const MATCHABLE_STATUSES: readonly RecordStatus[] = ['LOST', 'STOLEN', 'TRAFFICKED', 'SMUGGLED', 'SEIZED_FOR_TRACING'];

export interface CandidateRecord {
  id: string;
  owner_country: string;
  owner_agency: string;
  owner_reference: string;
  status: RecordStatus;
  firearm: FirearmDescription;
  event: FirearmEvent;
  visibility: 'all' | 'allow' | 'deny';
  visibility_countries: string[];
  confidentiality: string;
  serial_key: string;
}

export interface SerialQuery {
  /** Prefixed match keys (record-preparation MATCH_KEY_PREFIX) to look up. */
  keys: string[];
  /** LIKE patterns over the look-alike fold of a serial key, for partial serials. */
  patterns: string[];
}

type Db = Kysely<Database>;

const RECORD_COLUMNS = ['id', 'owner_country', 'owner_agency', 'owner_reference', 'status', 'firearm', 'event', 'visibility', 'visibility_countries', 'confidentiality', 'serial_key'] as const;

/** What scoring reads of a candidate: the rest of the row is fetched for the few that rank. */
export type CandidateFirearm = Pick<CandidateRecord, 'id' | 'status' | 'firearm'>;

/** What to look up for a set of serials: keys for whole ones, patterns for partial ones. */
export function serialQuery(serials: readonly { value: string; partial?: boolean | undefined }[]): SerialQuery {
  const keys = new Set<string>();
  const patterns = new Set<string>();
  for (const s of serials) {
    const k = serialKeys(s.value);
    const pattern = partialPattern(k.normalised, s.partial === true);
    if (pattern && !pattern.isSingleUnknown) {
      if (pattern.readable >= MIN_READABLE) patterns.add(pattern.like);
      continue;
    }
    // A record with the same serial as marked has the same normalised key, which is looked up
    // anyway: the exact key would only cost an index probe (scoring tells exact from normalised).
    const exactIsCovered = k.parts.length > 0;
    for (const c of candidateKeysForQuery(k)) if (c.kind !== 'exact' || !exactIsCovered) keys.add(`${MATCH_KEY_PREFIX[c.kind]}${c.key}`);
  }
  return { keys: [...keys], patterns: [...patterns] };
}

/** The look-alike fold of a serial key column, as the trigram index has it. */
function foldedKey(column = 'serial_key'): RawBuilder<string> {
  return sql<string>`translate(${sql.ref(column)}, ${sql.lit(LOOKALIKE_FOLD_SQL.from)}, ${sql.lit(LOOKALIKE_FOLD_SQL.to)})`;
}

/**
 * Records that may be the seized firearm, at most `limit` of them, with only what scoring reads. A
 * short numeric serial can meet a few hundred records through its one-edit keys; fetching and
 * parsing their events, owners and restrictions only to score the firearm doubled the look-up.
 */
export async function findRecordCandidates(db: Db, query: SerialQuery, limit: number): Promise<CandidateFirearm[]> {
  if (query.keys.length === 0 && query.patterns.length === 0) return [];
  let rows: CandidateFirearm[];
  if (query.patterns.length === 0) {
    // Whole serials, the common case: one round trip (migration 0008 says why it is a function).
    rows = (await sql<CandidateFirearm>`select * from record_candidates(${query.keys}::text[], ${limit})`.execute(db)).rows;
  } else {
    const conditions: RawBuilder<unknown>[] = [];
    if (query.keys.length > 0) conditions.push(sql`match_keys && ${query.keys}::text[]`);
    for (const p of query.patterns) conditions.push(sql`${foldedKey()} like ${p}`);
    rows = (await withIndexProbes(db, (q) =>
      q
        .selectFrom('records')
        .select(['id', 'status', 'firearm'])
        .where(sql<boolean>`(${sql.join(conditions, sql` or `)})`)
        .limit(limit)
        .execute(),
    )) as unknown as CandidateFirearm[];
  }
  // The status is checked here rather than in SQL: given `status in (...)`, the planner prefers the
  // partial review index (same predicate) to the GIN index.
  return rows.filter((r) => MATCHABLE_STATUSES.includes(r.status));
}

/** The given records, when they can still be hit, in the shape the matcher scores. */
export async function loadMatchableRecords(db: Db, ids: readonly string[]): Promise<CandidateRecord[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('records')
    .select(RECORD_COLUMNS)
    .where('id', 'in', ids)
    .where('status', 'in', MATCHABLE_STATUSES)
    .execute();
  return rows as unknown as CandidateRecord[];
}

export interface CandidateSeizedItem {
  id: string;
  seizure_id: string;
  item_index: number;
  item_reference: string | null;
  firearm: FirearmDescription;
  country: string;
  agency: string;
  seizure_reference: string;
  seized_on: Date;
  report: Record<string, unknown>;
  /** The record it may be (a seized firearm appears once per record it may be). */
  record_id: string;
}

/**
 * Past seized firearms that may be one of these records: those whose lookup keys meet a record's
 * stored match_keys (exactly the pairs a seizure reported today would find), and partial ones whose
 * pattern fits a record's folded serial key. One query for a whole batch of records; nothing is
 * derived again, so a bulk load pays one index probe per record.
 */
export async function findSeizedCandidates(db: Db, recordIds: readonly string[], limit: number): Promise<CandidateSeizedItem[]> {
  if (recordIds.length === 0) return [];
  const columns = sql`si.id, si.seizure_id, si.item_index, si.item_reference, si.firearm, s.country, s.agency, s.seizure_reference, s.seized_on, s.report, r.id as record_id`;
  const ids = [...recordIds];
  const result = await withIndexProbes(db, (q) =>
    sql<CandidateSeizedItem>`
      select ${columns}
      from records r
      join seizure_items si on si.query_keys && r.match_keys
      join seizures s on s.id = si.seizure_id
      where r.id = any(${ids}::uuid[])
      union
      select ${columns}
      from records r
      join seizure_items si on si.serial_pattern is not null and ${foldedKey('r.serial_key')} like si.serial_pattern
      join seizures s on s.id = si.seizure_id
      where r.id = any(${ids}::uuid[])
      limit ${limit}`.execute(q),
  );
  return result.rows;
}
