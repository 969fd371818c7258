import { describe, expect, it } from 'vitest';
import { lastCompletePeriod } from '../../src/statistics/report-periods.js';

const at = (iso: string) => new Date(iso);

describe('the last complete period of a scheduled report', () => {
  it('is the previous calendar month, across a year end and a leap February', () => {
    expect(lastCompletePeriod('month', at('2026-11-26T10:00:00Z'))).toEqual({ label: '2026-10', from: '2026-10-01', to: '2026-10-31' });
    expect(lastCompletePeriod('month', at('2027-01-01T00:00:00Z'))).toEqual({ label: '2026-12', from: '2026-12-01', to: '2026-12-31' });
    expect(lastCompletePeriod('month', at('2028-03-15T00:00:00Z'))).toEqual({ label: '2028-02', from: '2028-02-01', to: '2028-02-29' });
  });

  it('is the previous quarter, the fourth of last year in January to March', () => {
    expect(lastCompletePeriod('quarter', at('2026-11-26T00:00:00Z'))).toEqual({ label: '2026-Q3', from: '2026-07-01', to: '2026-09-30' });
    expect(lastCompletePeriod('quarter', at('2027-02-01T00:00:00Z'))).toEqual({ label: '2026-Q4', from: '2026-10-01', to: '2026-12-31' });
    expect(lastCompletePeriod('quarter', at('2026-04-01T00:00:00Z'))).toEqual({ label: '2026-Q1', from: '2026-01-01', to: '2026-03-31' });
  });

  it('is the previous year', () => {
    expect(lastCompletePeriod('year', at('2026-11-26T00:00:00Z'))).toEqual({ label: '2025', from: '2025-01-01', to: '2025-12-31' });
  });
});
