import { describe, expect, it } from 'vitest';
import { roundCount, roundCounts } from '../../src/statistics/count-rounding.js';

describe('rounding of published counts', () => {
  it('rounds to the nearest multiple of the base, halves up', () => {
    expect([0, 1, 2, 3, 7, 12, 13].map((n) => roundCount(n, 5))).toEqual([0, 0, 0, 5, 5, 10, 15]);
    expect(roundCount(2.5 * 4, 4)).toBe(12);
  });

  it('publishes exact counts with base 1', () => {
    expect([0, 1, 2, 3, 1234].map((n) => roundCount(n, 1))).toEqual([0, 1, 2, 3, 1234]);
  });

  it('rounds every measure of a cell', () => {
    expect(roundCounts({ firearms: 11, seizures: 4, traced: 1 }, 5)).toEqual({ firearms: 10, seizures: 5, traced: 0 });
  });
});
