import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { Database, TraceRequestStatus } from '../db/database-types.js';
import { serialKeys } from '../serials/serial-keys.js';
import type { TraceRow } from './trace-notifications.js';
import { visibleTraces, type Actor, type Direction, type NcbOf } from './trace-parties.js';

/**
 * The monitor: a side's incoming or outgoing trace requests, filtered, newest first, a page at a
 * time. Visibility is part of the same WHERE, so a page, a count, an export and a report never
 * hold a request the caller is no side of. The cursor is the last id of the previous page (ids
 * are time-ordered), so paging stays cheap however deep it goes and is stable while requests
 * arrive.
 */
export interface TraceQuery {
  direction?: Direction | undefined;
  status?: TraceRequestStatus[] | undefined;
  /** The other side's country. */
  counterpart?: string | undefined;
  priority?: 'routine' | 'urgent' | undefined;
  overdue?: boolean | undefined;
  /** Submitted on or after (a date means from its start, UTC). */
  from?: string | undefined;
  /** Submitted on or before (a date means to its end, UTC). */
  to?: string | undefined;
  /** Text in the case reference, the request reference, or a serial number. */
  q?: string | undefined;
  after?: string | undefined;
}

/** A viewer: an agency of a country, or a hub admin (null), who sees every request. */
export type Viewer = Actor | null;

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** The instant a `from`/`to` bound stands for; a bare date covers its whole day. */
export function periodBound(value: string, end: boolean): Date {
  if (!DATE_ONLY.test(value)) return new Date(value);
  const d = new Date(`${value}T00:00:00.000Z`);
  if (end) d.setUTCDate(d.getUTCDate() + 1);
  return d;
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function applyTraceFilters<O>(q: SelectQueryBuilder<Database, 'trace_requests', O>, query: TraceQuery, viewer: Viewer, ncbOf: NcbOf): SelectQueryBuilder<Database, 'trace_requests', O> {
  q = q.where(viewer ? visibleTraces(viewer, ncbOf, query.direction, 'trace_requests') : sql<boolean>`true`);
  if (query.status?.length) q = q.where('status', 'in', query.status);
  if (query.priority) q = q.where('priority', '=', query.priority);
  if (query.overdue !== undefined) q = q.where('overdue', '=', query.overdue);
  if (query.counterpart) {
    const cp = query.counterpart;
    if (query.direction === 'outgoing') q = q.where('addressed_country', '=', cp);
    else if (query.direction === 'incoming') q = q.where('requester_country', '=', cp);
    else q = q.where((eb) => eb.or([eb('addressed_country', '=', cp), eb('requester_country', '=', cp)]));
  }
  if (query.from) q = q.where('submitted_at', '>=', periodBound(query.from, false));
  if (query.to) {
    const bound = periodBound(query.to, true);
    q = DATE_ONLY.test(query.to) ? q.where('submitted_at', '<', bound) : q.where('submitted_at', '<=', bound);
  }
  if (query.q) {
    const text = `%${escapeLike(query.q.trim())}%`;
    const key = serialKeys(query.q).normalised;
    const serial = key ? sql<boolean>`exists (select 1 from unnest(trace_requests.serial_keys) as k where k like ${`%${escapeLike(key)}%`})` : sql<boolean>`false`;
    q = q.where((eb) => eb.or([eb('case_reference', 'ilike', text), eb('request_reference', 'ilike', text), serial]));
  }
  if (query.after) q = q.where('id', '<', query.after);
  return q;
}

export async function searchTraces(db: Kysely<Database>, viewer: Viewer, ncbOf: NcbOf, query: TraceQuery, limit: number): Promise<TraceRow[]> {
  return (await applyTraceFilters(db.selectFrom('trace_requests'), query, viewer, ncbOf).selectAll().orderBy('id', 'desc').limit(limit).execute()) as TraceRow[];
}

/** Every matching request, a page at a time, so an export holds one page in memory, never the result. */
export async function* streamTraces(db: Kysely<Database>, viewer: Viewer, ncbOf: NcbOf, query: TraceQuery, pageSize = 500): AsyncGenerator<TraceRow> {
  let after = query.after;
  for (;;) {
    const page = await searchTraces(db, viewer, ncbOf, { ...query, after }, pageSize);
    yield* page;
    if (page.length < pageSize) return;
    after = page.at(-1)!.id;
  }
}
