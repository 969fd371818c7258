/**
 * The periods of scheduled reports: calendar months, quarters and years in UTC. A report is sent
 * for a period once it has ended, so the one due at any moment is the last complete period.
 */
export const REPORT_EVERY = ['month', 'quarter', 'year'] as const;
export type ReportEvery = (typeof REPORT_EVERY)[number];

export interface ReportPeriod {
  /** 2026-10, 2026-Q3, 2026 */
  label: string;
  /** First day, YYYY-MM-DD */
  from: string;
  /** Last day, YYYY-MM-DD */
  to: string;
}

const day = (y: number, monthIndex: number, d: number) => new Date(Date.UTC(y, monthIndex, d)).toISOString().slice(0, 10);

export function lastCompletePeriod(every: ReportEvery, now: Date): ReportPeriod {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  if (every === 'year') return { label: String(y - 1), from: day(y - 1, 0, 1), to: day(y - 1, 11, 31) };
  if (every === 'quarter') {
    const current = Math.floor(m / 3);
    const qy = current === 0 ? y - 1 : y;
    const q = current === 0 ? 3 : current - 1;
    return { label: `${qy}-Q${q + 1}`, from: day(qy, q * 3, 1), to: day(qy, q * 3 + 3, 0) };
  }
  const first = new Date(Date.UTC(y, m - 1, 1));
  const label = first.toISOString().slice(0, 7);
  return { label, from: day(first.getUTCFullYear(), first.getUTCMonth(), 1), to: day(y, m, 0) };
}
