import { stringify } from 'csv-stringify/sync';
import { safeText } from '../traces/trace-export.js';
import type { TableLabels } from './statistics-labels.js';
import type { StatisticsTable } from './statistics-query.js';

/**
 * A statistics table as CSV for a spreadsheet: one column per dimension grouped by, a
 * `<dimension>Name` column after each that has labels (make, calibre, type), and one per measure;
 * one row per listed cell, then a TOTAL row, whose counts are empty when it is suppressed.
 * A table is at most statistics-query.ts MAX_CELLS rows, so it is written whole.
 */
export function statisticsCsv(table: StatisticsTable, labels: TableLabels = {}): string {
  const dimensionColumns = table.groupBy.flatMap((d) => (labels[d] ? [d, `${d}Name`] : [d]));
  const header = [...dimensionColumns, ...table.measures];
  const count = (v: unknown) => (typeof v === 'number' ? String(v) : '');
  const rows = table.cells.map((c) => [
    ...table.groupBy.flatMap((d) => {
      const id = c.key[d] ?? '';
      const named = labels[d];
      return named ? [safeText(id), safeText(named[id] ?? '')] : [safeText(id)];
    }),
    ...table.measures.map((m) => count(c[m])),
  ]);
  const totalLabel = dimensionColumns.map((_, i) => (i === 0 ? 'TOTAL' : ''));
  rows.push([...totalLabel, ...table.measures.map((m) => count(table.total?.[m]))]);
  return stringify([header, ...rows], { record_delimiter: '\r\n' });
}
