import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../db/database-types.js';
import { HubError } from '../errors/hub-error.js';
import type { HubConfig } from '../messages/generated-types.js';
import { suppressSmallCells } from './cell-suppression.js';
import { roundCounts } from './count-rounding.js';
import type { Subject, SubjectDefinition, TraceViewer } from './statistics-subjects.js';

/**
 * One statistics table: the counts of a subject in a period, filtered and grouped by up to three
 * dimensions, computed in PostgreSQL. A country's own figures are exact. Figures across countries
 * shown to a country are protected: they leave the country's own rows out (it has them exact, and
 * could otherwise add and cancel records of its own to step a neighbour's count across the
 * threshold), their period is whole months (day by day, a jump in a total dates one case), cells
 * below the threshold are left out (cell-suppression.ts; a listed cell would show that its cases
 * exist) and every count is rounded (count-rounding.ts). The General Secretariat (hub admin) sees
 * them exact.
 */
export const MAX_CELLS = 10_000;
export const MAX_GROUP_BY = 3;

/** What protects figures across countries shown to a country: suppression, then rounding. */
export interface DisclosureControl {
  minimumCount: number;
  roundTo: number;
}

export function disclosureControl(hub: HubConfig): DisclosureControl {
  return { minimumCount: hub.statistics?.minimumCellCount ?? 5, roundTo: hub.statistics?.roundingBase ?? 5 };
}

export interface StatisticsQuery {
  /** 'national': one country's own rows; 'global': every country's (but the viewer's own, when protected). */
  scope: 'national' | 'global';
  /** The country of a national table; the viewer's country of a protected global one. */
  country: string | null;
  /** Whose trace outcomes may be counted (seizures' traced). */
  traces: TraceViewer;
  from?: string | undefined;
  to?: string | undefined;
  groupBy: readonly string[];
  filters: Readonly<Record<string, readonly string[]>>;
  /** Null: exact figures. */
  protection: DisclosureControl | null;
}

export interface StatisticsCell {
  key: Record<string, string | null>;
  [measure: string]: unknown;
}

export interface StatisticsTable {
  subject: Subject;
  scope: 'national' | 'global';
  country: string | null;
  period: { from: string | null; to: string | null };
  groupBy: string[];
  filters: Record<string, readonly string[]>;
  measures: string[];
  /** Null when the total itself is below the suppression threshold. */
  total: Record<string, number> | null;
  /** Suppressed cells are not listed; `suppression.suppressedCells` says how many there were. */
  cells: StatisticsCell[];
  suppression: { minimumCount: number; basis: string; suppressedCells: number; roundedTo: number; excludedCountry: string | null } | null;
  notes: string[];
}

export async function statisticsTable(db: Kysely<Database>, subject: Subject, def: SubjectDefinition, q: StatisticsQuery): Promise<StatisticsTable> {
  const where: RawBuilder<boolean>[] = [];
  if (q.scope === 'national') {
    if (!q.country) throw new Error('a national statistics table needs a country');
    where.push(def.national(q.country));
  } else if (q.protection && q.country) {
    where.push(sql<boolean>`not ${def.national(q.country)}`);
  }
  const from = q.from && q.protection ? firstOfMonth(q.from) : q.from;
  const to = q.to && q.protection ? lastOfMonth(q.to) : q.to;
  if (from) where.push(sql<boolean>`${def.day} >= ${from}::date`);
  if (to) where.push(sql<boolean>`${def.day} <= ${to}::date`);
  for (const [name, values] of Object.entries(q.filters)) {
    const expr = Object.hasOwn(def.dimensions, name) ? def.dimensions[name] : undefined;
    if (!expr) throw new Error(`${subject} has no dimension ${name}`);
    where.push(sql<boolean>`${expr} = any(${values as string[]}::text[])`);
  }
  const fallback = def.defaults?.(q.filters);
  if (fallback) where.push(fallback);
  const whereSql = where.length ? sql`where ${sql.join(where, sql` and `)}` : sql``;
  const measureList = def.measures(q.traces);
  const measures = sql.join(measureList.map((m) => sql`${m.sql} as ${sql.ref(m.name)}`));

  // The total is not the sum of the cells (a seizure spans several), so it is a query of its
  // own; both run at once, each on a connection of the pool.
  const dims = q.groupBy.map((name) => def.dimensions[name]!);
  const keys = sql.join(dims.map((e, i) => sql`${e}::text as ${sql.ref(`d${i}`)}`));
  // By position: the dimensions carry bound parameters, which PostgreSQL would not recognise as
  // the same expression in GROUP BY.
  const positions = sql.raw(dims.map((_, i) => String(i + 1)).join(', '));
  const order = sql.raw(dims.map((_, i) => `d${i} nulls last`).join(', '));
  const [totals, grouped] = await Promise.all([
    sql<Record<string, string>>`select ${measures} from ${def.from} ${whereSql}`.execute(db),
    dims.length
      ? sql<Record<string, string | null>>`
          select ${keys}, ${measures} from ${def.from} ${whereSql}
          group by ${positions} order by ${sql.ref(def.basis)} desc, ${order} limit ${MAX_CELLS + 1}`.execute(db)
      : undefined,
  ]);
  const totalRow = totals.rows[0] ?? {};
  const total = Object.fromEntries(measureList.map((m) => [m.name, Number(totalRow[m.name] ?? 0)]));
  const rows = grouped?.rows ?? [];
  if (rows.length > MAX_CELLS) {
    throw new HubError('BAD_REQUEST', `grouping ${subject} by ${q.groupBy.join(', ')} gives more than ${MAX_CELLS} cells`, [
      { pointer: '/querystring/groupBy', code: 'statistics.too-many-cells', message: `gives more than ${MAX_CELLS} cells: filter, shorten the period or group by fewer dimensions` },
    ]);
  }
  const raw = rows.map((r) => ({
    key: Object.fromEntries(q.groupBy.map((name, i) => [name, r[`d${i}`] ?? null])),
    counts: Object.fromEntries(measureList.map((m) => [m.name, Number(r[m.name] ?? 0)])),
  }));

  const base = {
    subject,
    scope: q.scope,
    country: q.scope === 'national' ? q.country : null,
    period: { from: from ?? null, to: to ?? null },
    groupBy: [...q.groupBy],
    filters: { ...q.filters },
    measures: measureList.map((m) => m.name),
    notes: [...def.notes],
  };
  if (q.protection === null) {
    return { ...base, total, cells: raw.map((c) => ({ key: c.key, ...c.counts })), suppression: null };
  }
  const { minimumCount, roundTo } = q.protection;
  const published = suppressSmallCells(raw, total, def.basis, minimumCount);
  const excludedCountry = q.scope === 'global' ? q.country : null;
  const notes = [
    `Figures across countries: cells counting fewer than ${minimumCount} ${def.basis} are not listed, and neither is a second one wherever one alone would be; counts are rounded to the nearest ${roundTo}, so cells need not add up to the total; the period is whole months.`,
  ];
  if (excludedCountry) notes.push(`${excludedCountry}'s own rows are left out: its own figures are exact in scope=national.`);
  return {
    ...base,
    total: published.total && roundCounts(published.total, roundTo),
    cells: published.cells.flatMap((c) => (c.suppressed ? [] : [{ key: c.key, ...roundCounts(c.counts, roundTo) }])),
    suppression: { minimumCount, basis: def.basis, suppressedCells: published.suppressedCells, roundedTo: roundTo, excludedCountry },
    notes: [...base.notes, ...notes],
  };
}

function firstOfMonth(day: string): string {
  return `${day.slice(0, 7)}-01`;
}

function lastOfMonth(day: string): string {
  const [y, m] = day.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}
