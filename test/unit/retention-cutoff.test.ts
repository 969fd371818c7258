import { describe, expect, it } from 'vitest';
import { monthsBefore } from '../../src/operations/unpartitioned-retention.js';

describe('the retention cutoff, months before a day', () => {
  it('is the start of the same day that many months earlier', () => {
    expect(monthsBefore(new Date('2026-01-15T10:00:00Z'), 1).toISOString()).toBe('2025-12-15T00:00:00.000Z');
    expect(monthsBefore(new Date('2026-07-31T23:59:59Z'), 120).toISOString()).toBe('2016-07-31T00:00:00.000Z');
  });

  it('is the last day of the earlier month when that month is shorter, never a day of the month after it', () => {
    expect(monthsBefore(new Date('2026-05-31T10:00:00Z'), 3).toISOString()).toBe('2026-02-28T00:00:00.000Z');
    expect(monthsBefore(new Date('2024-05-31T10:00:00Z'), 3).toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(monthsBefore(new Date('2026-05-31T10:00:00Z'), 1).toISOString()).toBe('2026-04-30T00:00:00.000Z');
    expect(monthsBefore(new Date('2026-01-31T10:00:00Z'), 13).toISOString()).toBe('2024-12-31T00:00:00.000Z');
  });
});
