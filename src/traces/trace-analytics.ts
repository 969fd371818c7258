import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database-types.js';
import type { TraceCustodyHop } from '../messages/generated-types.js';
import type { ReferenceCatalogue, Resolution } from '../reference/reference-catalogue.js';
import { lastRetailSale, summariseTimeToCrime, type TimeToCrime } from './time-to-crime.js';
import type { Actor, NcbOf } from './trace-parties.js';
import { reportConditions, type ReportQuery } from './trace-report.js';

/**
 * eTrace-style analytics over the answered trace requests (COMPLETED or PARTIAL) of one side and
 * period: time-to-crime, where the firearms were last sold against where they were recovered,
 * and the makes and calibres traced most. Each request counts with its latest answer; follow-ups
 * are not counted again.
 */
export interface TraceAnalytics {
  answered: number;
  timeToCrime: TimeToCrime;
  /** Country of the last retail sale x country of recovery; `source` null where no sale is known. */
  sourceByRecovery: { source: string | null; recovery: string; count: number }[];
  topMakes: { make: string; count: number }[];
  topCalibres: { calibre: string; count: number }[];
  notes: string[];
}

const TOP = 10;

const PAGE = 2000;

interface AnsweredRow {
  id: string;
  recovery_date: string;
  recovery_country: string;
  make: string;
  calibre: string;
  chain: TraceCustodyHop[] | null;
}

/** The reference id of a maker or calibre as written, or the text itself when it names none. */
function labelOf(resolution: Resolution, text: string): string {
  return resolution.status === 'mapped' ? resolution.id : text.trim().toUpperCase();
}

function top<K extends string>(values: readonly string[], key: K): ({ count: number } & Record<K, string>)[] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, TOP)
    .map(([v, count]) => ({ [key]: v, count }) as { count: number } & Record<K, string>);
}

export async function traceAnalytics(db: Kysely<Database>, reference: ReferenceCatalogue, viewer: Actor, ncbOf: NcbOf, query: ReportQuery, pageSize = PAGE): Promise<TraceAnalytics> {
  // A follow-up traces the same firearm onward in a third country: counting it too would count the
  // firearm twice, and its answer is not the original addressee's to see.
  const scope = [...reportConditions(viewer, ncbOf, query), sql<boolean>`t.outcome in ('COMPLETED', 'PARTIAL')`, sql<boolean>`t.follow_up_of is null`];
  // Paged by id, so that a long period holds one page of chains in memory, not every answer.
  const matrix = new Map<string, { source: string | null; recovery: string; count: number }>();
  const cases: { sale: string | undefined; recovery: string }[] = [];
  const makes: string[] = [];
  const calibres: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page: AnsweredRow[] = (
      await sql<AnsweredRow>`
        select t.id, t.request -> 'recovery' ->> 'date' as recovery_date,
               coalesce(t.request -> 'recovery' -> 'place' ->> 'country', t.requester_country) as recovery_country,
               t.make, t.calibre,
               (select e.body -> 'chainOfCustody' from trace_events e
                 where e.trace_id = t.id and e.kind = 'response' order by e.seq desc limit 1) as chain
        from trace_requests t where ${sql.join(scope, sql` and `)} ${after === null ? sql`` : sql`and t.id > ${after}`}
        order by t.id limit ${pageSize}`.execute(db)
    ).rows;
    for (const r of page) {
      const sale = lastRetailSale(r.chain ?? []);
      const cellKey = `${sale?.country ?? ''}>${r.recovery_country}`;
      const cell = matrix.get(cellKey) ?? { source: sale?.country ?? null, recovery: r.recovery_country, count: 0 };
      cell.count++;
      matrix.set(cellKey, cell);
      cases.push({ sale: sale?.date, recovery: r.recovery_date });
      makes.push(labelOf(reference.resolveMake(r.make), r.make));
      calibres.push(labelOf(reference.resolveCalibre(r.calibre), r.calibre));
    }
    if (page.length < pageSize) break;
    after = page.at(-1)!.id;
  }
  return {
    answered: cases.length,
    timeToCrime: summariseTimeToCrime(cases),
    sourceByRecovery: [...matrix.values()].sort((a, b) => b.count - a.count || (a.source ?? '~').localeCompare(b.source ?? '~') || a.recovery.localeCompare(b.recovery)),
    topMakes: top(makes, 'make'),
    topCalibres: top(calibres, 'calibre'),
    notes: [
      'Traced firearms are not a random sample of firearms used in crime: they are the ones agencies chose to trace (ATF\'s caveat).',
      'Time-to-crime runs from the last retail sale in the answer\'s chain of custody (the last dealer\'s transfer, else the last legal holder\'s receipt) to the recovery date of the request.',
    ],
  };
}
