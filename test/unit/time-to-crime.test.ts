import { describe, expect, it } from 'vitest';
import { lastRetailSale, summariseTimeToCrime, timeToCrimeBucket, TTC_BUCKETS } from '../../src/traces/time-to-crime.js';

const label = (sale: string, recovery: string) => {
  const i = timeToCrimeBucket(sale, recovery);
  return i === undefined ? undefined : TTC_BUCKETS[i]!.label;
};

describe("time-to-crime in ATF's buckets", () => {
  it('puts each bound in the bucket above it', () => {
    expect(label('2026-01-10', '2026-04-09')).toBe('under 3 months');
    expect(label('2026-01-10', '2026-04-10')).toBe('3 months to under 7 months');
    expect(label('2026-01-10', '2026-08-10')).toBe('7 months to under 1 year');
    expect(label('2026-01-10', '2027-01-10')).toBe('1 year to under 2 years');
    expect(label('2026-01-10', '2028-01-10')).toBe('2 years to under 3 years');
    expect(label('2026-01-10', '2029-01-10')).toBe('3 years and over');
    expect(label('2026-01-10', '2026-01-10')).toBe('under 3 months');
  });

  it('counts calendar months, ending on the last day of a shorter month', () => {
    // 30 November + 3 months is 28 February (2027 is no leap year).
    expect(label('2026-11-30', '2027-02-27')).toBe('under 3 months');
    expect(label('2026-11-30', '2027-02-28')).toBe('3 months to under 7 months');
  });

  it('gives no bucket when the recovery is dated before the sale', () => {
    expect(timeToCrimeBucket('2026-05-01', '2026-04-30')).toBeUndefined();
  });
});

describe('the last retail sale in a chain of custody', () => {
  const hop = (role: string, extra: Record<string, string> = {}) => ({ role, name: role, country: 'DE', ...extra }) as Parameters<typeof lastRetailSale>[0][number];

  it("is the last dealer's transfer, else the last legal holder's receipt", () => {
    expect(lastRetailSale([hop('manufacturer'), hop('dealer', { transferredOn: '2020-01-01' }), hop('dealer', { transferredOn: '2022-06-01', country: 'AT' } as Record<string, string>)])).toEqual({ date: '2022-06-01', country: 'AT' });
    expect(lastRetailSale([hop('importer'), hop('dealer'), hop('last-legal-holder', { receivedOn: '2023-03-03' })])).toEqual({ date: '2023-03-03', country: 'DE' });
    expect(lastRetailSale([hop('manufacturer', { transferredOn: '2019-01-01' }), hop('exporter')])).toBeUndefined();
  });
});

describe('a summary of time-to-crime', () => {
  it('counts the buckets, the unknown and the average in years', () => {
    const s = summariseTimeToCrime([
      { sale: '2026-01-01', recovery: '2026-02-01' },
      { sale: '2020-01-01', recovery: '2026-01-01' },
      { sale: undefined, recovery: '2026-01-01' },
      { sale: '2026-06-01', recovery: '2026-01-01' },
    ]);
    expect(s.count).toBe(2);
    expect(s.unknown).toBe(2);
    expect(s.buckets.map((b) => b.count)).toEqual([1, 0, 0, 0, 0, 1]);
    expect(s.averageYears).toBe(Math.round(((31 + 2192) / 2 / 365.25) * 100) / 100);
  });

  it('has no average when nothing could be timed', () => {
    expect(summariseTimeToCrime([{ sale: undefined, recovery: '2026-01-01' }])).toMatchObject({ count: 0, unknown: 1, averageYears: null });
  });
});
