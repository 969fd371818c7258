import { describe, expect, it } from 'vitest';
import { suppressSmallCells } from '../../src/statistics/cell-suppression.js';

const cell = (key: string, cases: number, firearms = cases) => ({ key, counts: { cases, firearms } });
const shown = (r: ReturnType<typeof suppressSmallCells<string>>) => r.cells.map((c) => (c.suppressed ? `${c.key}:-` : `${c.key}:${c.counts.cases}`));

describe('small-cell suppression', () => {
  it('publishes every cell at or above the threshold as it is, in its order', () => {
    const r = suppressSmallCells([cell('a', 9), cell('b', 5), cell('c', 5)], { cases: 19, firearms: 19 }, 'cases', 5);
    expect(shown(r)).toEqual(['a:9', 'b:5', 'c:5']);
    expect(r).toMatchObject({ total: { cases: 19 }, suppressedCells: 0 });
  });

  it('suppresses the cells below the threshold and keeps the total', () => {
    const r = suppressSmallCells([cell('a', 9), cell('b', 2), cell('c', 1)], { cases: 12, firearms: 12 }, 'cases', 3);
    expect(shown(r)).toEqual(['a:9', 'b:-', 'c:-']);
    expect(r.total).toEqual({ cases: 12, firearms: 12 });
  });

  it('suppresses the smallest other cell with a lone small one, so the total does not give it away', () => {
    const r = suppressSmallCells([cell('a', 9), cell('b', 4), cell('c', 6), cell('d', 1)], { cases: 20, firearms: 20 }, 'cases', 3);
    expect(shown(r)).toEqual(['a:9', 'b:-', 'c:6', 'd:-']);
    expect(r.suppressedCells).toBe(2);
  });

  it('judges the basis measure only: a cell of many firearms from one case is small', () => {
    const r = suppressSmallCells([cell('a', 1, 40), cell('b', 7, 7), cell('c', 8, 8)], { cases: 16, firearms: 55 }, 'cases', 3);
    expect(shown(r)).toEqual(['a:-', 'b:-', 'c:8']);
  });

  it('publishes neither total nor cells when the total is below the threshold', () => {
    const r = suppressSmallCells([cell('a', 1), cell('b', 1)], { cases: 2, firearms: 2 }, 'cases', 3);
    expect(r.total).toBeNull();
    expect(shown(r)).toEqual(['a:-', 'b:-']);
  });

  it('has nothing to hide in an empty table with a large enough total', () => {
    expect(suppressSmallCells([], { cases: 10, firearms: 10 }, 'cases', 3)).toEqual({ cells: [], total: { cases: 10, firearms: 10 }, suppressedCells: 0 });
  });
});
