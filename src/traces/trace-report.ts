import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../db/database-types.js';
import { TRACE_STATUSES } from './trace-lifecycle.js';
import { visibleTraces, type Actor, type Direction, type NcbOf } from './trace-parties.js';
import { periodBound } from './trace-search.js';

/**
 * Reporting on trace requests for one side (incoming or outgoing) and a period of submission:
 * counts by status and by counterpart country, median time to acknowledge and to respond (from
 * submission, in hours, over the requests that were acknowledged or answered), how many missed a
 * due date, and the outcomes of the answered ones. Computed in PostgreSQL over the same
 * visibility rule as the lists.
 *
 * A request "missed a due date" when it was acknowledged or answered after the due date, or was
 * still owed an acknowledgement or an answer when the due date passed (up to `now`, or to its
 * cancellation or rejection).
 */
export interface ReportQuery {
  direction: Direction;
  from?: string | undefined;
  to?: string | undefined;
}

export interface TraceReport {
  direction: Direction;
  country: string | null;
  period: { from: string | null; to: string | null };
  total: number;
  byStatus: Record<string, number>;
  byCounterpart: { country: string; total: number; byStatus: Record<string, number> }[];
  timeToAcknowledge: { count: number; medianHours: number | null };
  timeToRespond: { count: number; medianHours: number | null };
  overdue: { count: number; share: number | null; openNow: number };
  outcomes: { COMPLETED: number; PARTIAL: number; NOT_COMPLETED: number; reasons: Record<string, number> };
}

function zeroes(): Record<string, number> {
  return Object.fromEntries(TRACE_STATUSES.map((s) => [s, 0]));
}

function hours(seconds: number | string | null): number | null {
  if (seconds === null) return null;
  return Math.round((Number(seconds) / 3600) * 100) / 100;
}

/** The requests a report covers: the viewer's side of them, submitted in the period (`trace_requests` as t). */
export function reportConditions(viewer: Actor, ncbOf: NcbOf, query: ReportQuery): RawBuilder<boolean>[] {
  const scope = [visibleTraces(viewer, ncbOf, query.direction, 't')];
  if (query.from) scope.push(sql<boolean>`t.submitted_at >= ${periodBound(query.from, false)}`);
  if (query.to) scope.push(/^\d{4}-\d{2}-\d{2}$/.test(query.to) ? sql<boolean>`t.submitted_at < ${periodBound(query.to, true)}` : sql<boolean>`t.submitted_at <= ${periodBound(query.to, true)}`);
  return scope;
}

export async function traceReport(db: Kysely<Database>, viewer: Actor, ncbOf: NcbOf, query: ReportQuery, now: Date = new Date()): Promise<TraceReport> {
  const where = sql.join(reportConditions(viewer, ncbOf, query), sql` and `);
  const counterpart = query.direction === 'outgoing' ? sql`t.addressed_country` : sql`t.requester_country`;

  const counts = await sql<{ counterpart: string; status: string; n: string }>`
    select ${counterpart} as counterpart, t.status, count(*) as n from trace_requests t where ${where} group by 1, 2`.execute(db);

  const figures = await sql<{ ack_n: string; ack_median: number | null; resp_n: string; resp_median: number | null; missed: string; open_now: string }>`
    select
      count(t.acknowledged_at) as ack_n,
      percentile_cont(0.5) within group (order by extract(epoch from t.acknowledged_at - t.submitted_at)) filter (where t.acknowledged_at is not null) as ack_median,
      count(t.responded_at) as resp_n,
      percentile_cont(0.5) within group (order by extract(epoch from t.responded_at - t.submitted_at)) filter (where t.responded_at is not null) as resp_median,
      count(*) filter (where coalesce(t.acknowledged_at, t.finished_at, ${now}) > t.ack_due_at
                          or coalesce(t.responded_at, t.finished_at, ${now}) > t.response_due_at) as missed,
      count(*) filter (where (t.status in ('SUBMITTED','DELIVERED') and t.ack_due_at < ${now})
                          or (t.status in ('SUBMITTED','DELIVERED','ACKNOWLEDGED','IN_PROGRESS') and t.response_due_at < ${now})) as open_now
    from trace_requests t where ${where}`.execute(db);

  const outcomes = await sql<{ outcome: string; reason: string | null; n: string }>`
    select t.outcome, t.not_completed_reason as reason, count(*) as n from trace_requests t
    where ${where} and t.outcome is not null group by 1, 2`.execute(db);

  const byStatus = zeroes();
  const perCountry = new Map<string, { country: string; total: number; byStatus: Record<string, number> }>();
  let total = 0;
  for (const r of counts.rows) {
    const n = Number(r.n);
    total += n;
    byStatus[r.status] = (byStatus[r.status] ?? 0) + n;
    const c = perCountry.get(r.counterpart) ?? { country: r.counterpart, total: 0, byStatus: zeroes() };
    c.total += n;
    c.byStatus[r.status] = (c.byStatus[r.status] ?? 0) + n;
    perCountry.set(r.counterpart, c);
  }
  const f = figures.rows[0]!;
  const missed = Number(f.missed);
  const out: TraceReport['outcomes'] = { COMPLETED: 0, PARTIAL: 0, NOT_COMPLETED: 0, reasons: {} };
  for (const r of outcomes.rows) {
    const n = Number(r.n);
    out[r.outcome as 'COMPLETED' | 'PARTIAL' | 'NOT_COMPLETED'] += n;
    if (r.reason) out.reasons[r.reason] = (out.reasons[r.reason] ?? 0) + n;
  }
  return {
    direction: query.direction,
    country: viewer.country,
    period: { from: query.from ?? null, to: query.to ?? null },
    total,
    byStatus,
    byCounterpart: [...perCountry.values()].sort((a, b) => b.total - a.total || a.country.localeCompare(b.country)),
    timeToAcknowledge: { count: Number(f.ack_n), medianHours: hours(f.ack_median) },
    timeToRespond: { count: Number(f.resp_n), medianHours: hours(f.resp_median) },
    overdue: { count: missed, share: total ? Math.round((missed / total) * 10000) / 10000 : null, openNow: Number(f.open_now) },
    outcomes: out,
  };
}
