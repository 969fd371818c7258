import { once } from 'node:events';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import type { TraceParty } from './trace-lifecycle.js';
import type { TraceRow } from './trace-notifications.js';
import { EXPORT_COLUMNS, exportRow, traceSummary, type ExportCell } from './trace-views.js';

/**
 * Exports of a filtered list of trace requests as CSV, XLSX or JSON. Each is a stream fed a page
 * at a time from the database and written as the client reads it (backpressure is honoured), so
 * an export of any size holds one page in memory. XLSX is written by exceljs' streaming
 * WorkbookWriter, row by row, without building the workbook in memory.
 */
export type ExportFormat = 'csv' | 'xlsx' | 'json';

export const EXPORT_MEDIA_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  json: 'application/json; charset=utf-8',
};

/** A text cell a spreadsheet would run as a formula (= + - @) is prefixed with a quote. */
export function safeText(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function textCell(v: ExportCell): string {
  if (v === null) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return safeText(v);
}

/** Waits until `stream` wants more; fails if it closes first (the client went away), so the producer stops. */
async function drained(stream: Writable): Promise<void> {
  const ac = new AbortController();
  try {
    await Promise.race([
      once(stream, 'drain', { signal: ac.signal }),
      once(stream, 'close', { signal: ac.signal }).then(() => {
        throw new Error('the export stream was closed before it was finished');
      }),
    ]);
  } finally {
    ac.abort();
  }
}

async function write(stream: Writable, chunk: unknown): Promise<void> {
  if (stream.destroyed) throw new Error('the export stream was closed before it was finished');
  if (!stream.write(chunk)) await drained(stream);
}

/** Runs `produce` into `out`, ending it when done and destroying it (the response fails visibly) on error. */
function feed<S extends Writable & Readable>(out: S, produce: () => Promise<void>): S {
  produce().catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  return out;
}

export function exportTraces(rows: AsyncIterable<TraceRow>, format: ExportFormat, roleOf: (t: TraceRow) => Exclude<TraceParty, 'hub'> | null): Readable {
  if (format === 'csv') {
    const csv = stringify({ header: true, columns: [...EXPORT_COLUMNS], record_delimiter: '\r\n' });
    return feed(csv, async () => {
      for await (const t of rows) await write(csv, exportRow(t).map(textCell));
      csv.end();
    });
  }
  if (format === 'json') {
    const out = new PassThrough();
    return feed(out, async () => {
      await write(out, '[');
      let first = true;
      for await (const t of rows) {
        await write(out, `${first ? '\n' : ',\n'}${JSON.stringify(traceSummary(t, roleOf(t)))}`);
        first = false;
      }
      out.end(first ? ']\n' : '\n]\n');
    });
  }
  const out = new PassThrough();
  return feed(out, async () => {
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    const sheet = workbook.addWorksheet('Trace requests', { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = EXPORT_COLUMNS.map((c) => ({ header: c, key: c, width: Math.max(12, c.length + 2), ...(/At$|By$/.test(c) ? { style: { numFmt: 'yyyy-mm-dd hh:mm:ss' } } : {}) }));
    sheet.getRow(1).font = { bold: true };
    sheet.getRow(1).commit();
    for await (const t of rows) {
      sheet.addRow(exportRow(t).map((v) => (typeof v === 'string' ? safeText(v) : v))).commit();
      // The zip stream buffers what the client has not read yet; wait for it to drain.
      if (out.destroyed) throw new Error('the export stream was closed before it was finished');
      if (out.writableNeedDrain) await drained(out);
    }
    sheet.commit();
    await workbook.commit();
  });
}
