import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { safeText } from '../traces/trace-export.js';
import type { TableLabels } from './statistics-labels.js';
import type { StatisticsTable } from './statistics-query.js';

/**
 * A statistics table as CSV or XLSX for a spreadsheet: one column per dimension grouped by, a
 * `<dimension>Name` column after each that has labels (make, calibre, type), and one per measure;
 * one row per listed cell, then a TOTAL row, whose counts are empty when it is suppressed.
 * A table is at most statistics-query.ts MAX_CELLS rows, so it is written whole.
 */
/** The table's rows as cells: dimension columns (with names), the measures, then a TOTAL row. */
function tableRows(table: StatisticsTable, labels: TableLabels): { header: string[]; rows: (string | number | null)[][] } {
  const dimensionColumns = table.groupBy.flatMap((d) => (labels[d] ? [d, `${d}Name`] : [d]));
  const count = (v: unknown) => (typeof v === 'number' ? v : null);
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
  return { header: [...dimensionColumns, ...table.measures], rows };
}

export function statisticsCsv(table: StatisticsTable, labels: TableLabels = {}): string {
  const { header, rows } = tableRows(table, labels);
  return stringify([header, ...rows.map((r) => r.map((v) => (v === null ? '' : String(v))))], { record_delimiter: '\r\n' });
}

/**
 * The same table as a workbook: the table on its first sheet, and on a second what it counts
 * (subject, scope, period, filters, disclosure control and the notes), which a CSV cannot carry.
 */
export async function statisticsXlsx(table: StatisticsTable, labels: TableLabels = {}): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Table');
  const { header, rows } = tableRows(table, labels);
  sheet.addRow(header).font = { bold: true };
  for (const r of rows) sheet.addRow(r);
  sheet.lastRow!.font = { bold: true };
  const about = workbook.addWorksheet('About');
  const facts: [string, string][] = [
    ['subject', table.subject],
    ['scope', table.scope],
    ['country', table.country ?? ''],
    ['from', table.period.from ?? ''],
    ['to', table.period.to ?? ''],
    ['filters', Object.entries(table.filters).map(([d, v]) => `${d}: ${v.join(', ')}`).join('; ')],
    ['suppressed cells', table.suppression ? String(table.suppression.suppressedCells) : ''],
    ...table.notes.map((n): [string, string] => ['note', n]),
  ];
  for (const [k, v] of facts) about.addRow([k, safeText(v)]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
