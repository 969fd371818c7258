import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { Database, RecordStatus } from '../db/database-types.js';
import { withIndexProbes } from '../db/index-probes.js';
import type { ReferenceCatalogue } from '../reference/reference-catalogue.js';
import { candidateKeysForQuery } from '../serials/serial-index-keys.js';
import { serialKeys } from '../serials/serial-keys.js';
import { MATCH_KEY_PREFIX } from './record-preparation.js';
import type { RecordRow } from './record-store.js';
import { visibleTo, type Viewer } from './record-visibility.js';

/**
 * Record search. Every condition is an indexed one: serials through the GIN-indexed match keys,
 * make and calibre through their reference ids when the text maps to one, and the owner's
 * restrictions are part of the same WHERE, so a restricted record never reaches a result page,
 * a count or an export.
 */
export interface RecordQuery {
  serial?: string | undefined;
  serialMatch?: 'exact' | 'normalised' | 'fuzzy' | undefined;
  make?: string | undefined;
  model?: string | undefined;
  calibre?: string | undefined;
  type?: string | undefined;
  status?: RecordStatus[] | undefined;
  owner?: string | undefined;
  eventFrom?: string | undefined;
  eventTo?: string | undefined;
  reviewOverdue?: boolean | undefined;
  /** Cursor: the last id of the previous page (ids are time-ordered). */
  after?: string | undefined;
}

export function serialLookupKeys(serial: string, match: 'exact' | 'normalised' | 'fuzzy'): string[] {
  const k = serialKeys(serial);
  if (match === 'exact') return [`${MATCH_KEY_PREFIX.exact}${k.asMarked}`];
  if (match === 'normalised') return [`${MATCH_KEY_PREFIX.normalised}${k.normalised}`];
  return [...new Set(candidateKeysForQuery(k).map((c) => `${MATCH_KEY_PREFIX[c.kind]}${c.key}`))];
}

function applyFilters(
  q: SelectQueryBuilder<Database, 'records', object>,
  query: RecordQuery,
  viewer: Viewer,
  reference: ReferenceCatalogue,
): SelectQueryBuilder<Database, 'records', object> {
  q = q.where(visibleTo(viewer));
  if (query.make) {
    const r = reference.resolveMake(query.make);
    q = r.status === 'mapped' ? q.where('make_id', '=', r.id) : r.status === 'ambiguous' ? q.where('make_id', 'in', r.candidates) : q.where('make_text', 'ilike', `%${query.make}%`);
  }
  if (query.calibre) {
    const r = reference.resolveCalibre(query.calibre);
    q = r.status === 'mapped' ? q.where('calibre_id', '=', r.id) : r.status === 'ambiguous' ? q.where('calibre_id', 'in', r.candidates) : q.where('calibre_text', 'ilike', `%${query.calibre}%`);
  }
  if (query.type) {
    const r = reference.resolveType(query.type);
    q = r.status === 'mapped' ? q.where('type_id', '=', r.id) : q.where('type_text', 'ilike', `%${query.type}%`);
  }
  if (query.model) q = q.where('model', 'ilike', `%${query.model}%`);
  if (query.status?.length) q = q.where('status', 'in', query.status);
  if (query.owner) q = q.where('owner_country', '=', query.owner);
  if (query.eventFrom) q = q.where('event_date', '>=', new Date(query.eventFrom));
  if (query.eventTo) q = q.where('event_date', '<=', new Date(query.eventTo));
  if (query.reviewOverdue !== undefined) {
    // The review state is the owner's business (views show it to the owner only): filtering on it
    // narrows to the caller's own records, or the filter would tell it about others'.
    q = q.where('review_overdue', '=', query.reviewOverdue);
    if (viewer.role !== 'hub_admin') q = q.where('owner_country', '=', viewer.country);
  }
  if (query.after) q = q.where('id', '<', query.after);
  return q;
}

export async function searchRecords(db: Kysely<Database>, reference: ReferenceCatalogue, viewer: Viewer, query: RecordQuery, limit: number): Promise<RecordRow[]> {
  if (!query.serial) return applyFilters(db.selectFrom('records'), query, viewer, reference).selectAll().orderBy('id', 'desc').limit(limit).execute() as Promise<RecordRow[]>;
  // A serial's few records come from the GIN index first, in a materialised CTE that shadows the
  // table, and are filtered and ordered after. Asked in one query, PostgreSQL estimates thousands
  // of matches for any key outside its statistics and walks the primary key backwards instead,
  // filtering every row: 1.2 s for an exact serial at 1,000,000 records. Fuzzy lookups (two dozen
  // keys) also need sequential scans off (see withIndexProbes).
  const keys = serialLookupKeys(query.serial, query.serialMatch ?? 'normalised');
  return withIndexProbes(db, (trx) =>
    trx
      .with(
        (cte) => cte('records').materialized(),
        (inner) => inner.selectFrom('records').selectAll().where(sql<boolean>`match_keys && ${keys}::text[]`),
      )
      .selectFrom('records')
      .$call((q) => applyFilters(q as unknown as SelectQueryBuilder<Database, 'records', object>, query, viewer, reference))
      .selectAll()
      .orderBy('id', 'desc')
      .limit(limit)
      .execute(),
  ) as Promise<RecordRow[]>;
}

/**
 * Every matching record, a page at a time (keyset pagination), so an export of a million records
 * holds one page in memory, never the result.
 */
export async function* streamRecords(db: Kysely<Database>, reference: ReferenceCatalogue, viewer: Viewer, query: RecordQuery, pageSize = 1000): AsyncGenerator<RecordRow> {
  let after = query.after;
  for (;;) {
    const page = await searchRecords(db, reference, viewer, { ...query, after }, pageSize);
    yield* page;
    if (page.length < pageSize) return;
    after = page.at(-1)!.id;
  }
}
