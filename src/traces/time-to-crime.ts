import type { TraceCustodyHop } from '../messages/generated-types.js';

/**
 * Time-to-crime, as ATF's eTrace reports it: the time from a firearm's last known retail sale to
 * its recovery by law enforcement. A short time suggests trafficking (ATF has used under three
 * years as a red flag). The buckets are ATF's.
 *
 * Internationally, the sale is read from a trace response's chain of custody: the last dealer's
 * transfer, or failing that the day the last legal holder received it.
 */
export const TTC_BUCKETS = [
  { label: 'under 3 months', belowMonths: 3 },
  { label: '3 months to under 7 months', belowMonths: 7 },
  { label: '7 months to under 1 year', belowMonths: 12 },
  { label: '1 year to under 2 years', belowMonths: 24 },
  { label: '2 years to under 3 years', belowMonths: 36 },
  { label: '3 years and over', belowMonths: Number.POSITIVE_INFINITY },
] as const;

export interface Sale {
  /** YYYY-MM-DD */
  date: string;
  country: string;
}

export function lastRetailSale(chain: readonly TraceCustodyHop[]): Sale | undefined {
  const dealer = chain.findLast((h) => h.role === 'dealer' && h.transferredOn);
  if (dealer) return { date: dealer.transferredOn!, country: dealer.country };
  const holder = chain.findLast((h) => h.role === 'last-legal-holder' && h.receivedOn);
  return holder ? { date: holder.receivedOn!, country: holder.country } : undefined;
}

/** `day` plus `months` calendar months; the 31st plus one month is the last day of the next month. */
function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d, last));
  return first.toISOString().slice(0, 10);
}

/** The bucket index of a sale and a recovery, or undefined when the recovery is dated before the sale (the dates contradict each other). */
export function timeToCrimeBucket(sale: string, recovery: string): number | undefined {
  if (recovery < sale) return undefined;
  return TTC_BUCKETS.findIndex((b) => !Number.isFinite(b.belowMonths) || recovery < addMonths(sale, b.belowMonths));
}

const DAY_MS = 86_400_000;

export interface TimeToCrime {
  /** Traces with a sale and a consistent recovery date. */
  count: number;
  /** Answered traces whose chain of custody names no retail sale, or whose dates contradict. */
  unknown: number;
  buckets: { label: string; count: number }[];
  averageYears: number | null;
}

export function summariseTimeToCrime(cases: readonly { sale: string | undefined; recovery: string }[]): TimeToCrime {
  const counts = TTC_BUCKETS.map(() => 0);
  let count = 0;
  let unknown = 0;
  let days = 0;
  for (const c of cases) {
    const bucket = c.sale === undefined ? undefined : timeToCrimeBucket(c.sale, c.recovery);
    if (bucket === undefined) {
      unknown++;
      continue;
    }
    counts[bucket]!++;
    count++;
    days += (Date.parse(c.recovery) - Date.parse(c.sale!)) / DAY_MS;
  }
  return {
    count,
    unknown,
    buckets: TTC_BUCKETS.map((b, i) => ({ label: b.label, count: counts[i]! })),
    averageYears: count ? Math.round((days / count / 365.25) * 100) / 100 : null,
  };
}
