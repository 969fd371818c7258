import { withoutByteOrderMark } from './byte-order-mark.js';
import type { Framed, SplitLimits } from './framed-item.js';

const LF = 0x0a;
const CR = 0x0d;
const NEWLINE = Buffer.from('\n');

export interface CsvFraming {
  /** The quote character (RFC 4180: '"'); line breaks inside quotes belong to the field. */
  quote: string;
  /** The field delimiter (default ','): a quote opens a quoted field only right after it. */
  delimiter?: string;
  /** The first record names the columns: each message is then that header line plus its row. */
  header: boolean;
}

/**
 * Where the reading of a row stands, as the row parser (csv-record.ts) reads it: a quote opens a
 * quoted field only at the start of a field and is an ordinary character anywhere else (the inch
 * mark in `12" barrel`); inside quotes a doubled quote is one quote, so a quote there settles
 * nothing until the next byte.
 */
type Scan = 'field-start' | 'unquoted' | 'quoted' | 'quote-in-quoted';

function oneByte(text: string, what: string): number {
  const b = Buffer.from(text, 'utf8');
  if (b.length !== 1) throw new Error(`CSV ${what} must be one byte, got "${text}"`);
  return b[0]!;
}

function isBlank(b: Buffer): boolean {
  for (const c of b) if (c !== 0x20 && c !== 0x09 && c !== CR) return false;
  return true;
}

/**
 * CSV framing: finds where each record ends (a line break outside quotes) without splitting
 * fields, which is the format adapter's job. With a header, every message is the header line and
 * one row, so each stored message reads on its own (and can be replayed) like a one-row CSV file.
 * Only the row being read is held in memory; a row longer than the limit is skipped as it
 * streams. A quote left open runs to the end of the file, which is then reported as fatal.
 */
export async function* splitCsvRows(source: AsyncIterable<Buffer>, framing: CsvFraming, limits: SplitLimits): AsyncGenerator<Framed> {
  const q = oneByte(framing.quote, 'quote');
  const d = oneByte(framing.delimiter ?? ',', 'delimiter');
  let header: Buffer | undefined;
  let scan: Scan = 'field-start';
  let line = 1;
  let rowLine = 1;
  let index = 0;
  let pieces: Buffer[] = [];
  let bytes = 0;
  let oversized = false;
  let stopped = false;

  function* endRow(chunk: Buffer, from: number, end: number): Generator<Framed> {
    const tooLarge = oversized || bytes + (end - from) > limits.maxMessageBytes;
    if (tooLarge) {
      if (framing.header && !header) {
        stopped = true;
        yield { kind: 'fault', line: rowLine, code: 'file.header-too-large', message: `the header line is longer than ${limits.maxMessageBytes} bytes`, fatal: true };
      } else {
        yield { kind: 'fault', index: index++, line: rowLine, code: 'file.message-too-large', message: `row is longer than ${limits.maxMessageBytes} bytes`, fatal: false };
      }
    } else {
      let row = pieces.length ? Buffer.concat([...pieces, chunk.subarray(from, end)]) : Buffer.from(chunk.subarray(from, end));
      if (row.length && row[row.length - 1] === CR) row = row.subarray(0, row.length - 1);
      if (!isBlank(row)) {
        if (framing.header && !header) header = row;
        else yield { kind: 'message', index: index++, line: rowLine, raw: header ? Buffer.concat([header, NEWLINE, row]) : row };
      }
    }
    pieces = [];
    bytes = 0;
    oversized = false;
  }

  for await (const chunk of withoutByteOrderMark(source)) {
    let from = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (scan === 'quoted') {
        if (c === q) scan = 'quote-in-quoted';
        else if (c === LF) line += 1;
        continue;
      }
      if (scan === 'quote-in-quoted') {
        if (c === q) {
          scan = 'quoted';
          continue;
        }
        // The quote closed the field; this byte is read as after any other field text.
        scan = 'unquoted';
      }
      if (c === d) scan = 'field-start';
      else if (c === LF) {
        line += 1;
        scan = 'field-start';
        yield* endRow(chunk, from, i);
        if (stopped) return;
        from = i + 1;
        rowLine = line;
      } else if (scan === 'field-start') scan = c === q ? 'quoted' : 'unquoted';
    }
    if (from < chunk.length) {
      bytes += chunk.length - from;
      if (bytes > limits.maxMessageBytes) {
        oversized = true;
        pieces = [];
      } else if (!oversized) pieces.push(Buffer.from(chunk.subarray(from)));
    }
  }
  if (scan === 'quoted') {
    yield { kind: 'fault', index, line: rowLine, code: 'file.unclosed-quote', message: `the quoted field in the row starting on line ${rowLine} is never closed`, fatal: true };
    return;
  }
  if (bytes || oversized) yield* endRow(Buffer.alloc(0), 0, 0);
}
