import { createHash } from 'node:crypto';
import type { CsvFieldMapping, CsvMapping, FieldError } from '../../src/messages/generated-types.js';
import { formatCsvRow, parseCsvRecords, type CsvDialect } from './csv-record.js';
import type { AdapterContext, FormatAdapter, NormaliseOutcome } from './format-adapter.js';
import { decodeText, encodeText, type TextEncoding } from './text-decoding.js';

/**
 * A partner's CSV layout read through its mapping (config/formats/<name>.json): each row is one
 * canonical message of the mapping's type, each mapped column one payload field. The adapter only
 * translates (split, convert, look up codes); whether the result is acceptable is validation's job.
 * Errors name the column as the partner wrote it (`source`), next to the canonical pointer.
 *
 * A message is the header line plus one row (see the CSV splitter), or the row alone for a layout
 * without a header.
 */
export interface CsvMappingOptions {
  /** Code for what data cannot say: a last pass over the payload (a small mapping module). */
  transform?: (payload: Record<string, unknown>, row: ReadonlyMap<string, string>) => void;
}

interface CompiledField {
  pointer: string;
  /** Path segments below the payload; '*' is the array of split values. */
  path: string[];
  spec: CsvFieldMapping;
  values?: Map<string, string>;
}

type Value = string | number | boolean;

const DATE_PATTERNS: Record<string, { re: RegExp; order: ['y', 'm', 'd'] | ['d', 'm', 'y'] | ['m', 'd', 'y'] }> = {
  'YYYY-MM-DD': { re: /^(\d{4})-(\d{1,2})-(\d{1,2})$/, order: ['y', 'm', 'd'] },
  'DD/MM/YYYY': { re: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, order: ['d', 'm', 'y'] },
  'MM/DD/YYYY': { re: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, order: ['m', 'd', 'y'] },
  'DD.MM.YYYY': { re: /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/, order: ['d', 'm', 'y'] },
  'DD-MM-YYYY': { re: /^(\d{1,2})-(\d{1,2})-(\d{4})$/, order: ['d', 'm', 'y'] },
  YYYYMMDD: { re: /^(\d{4})(\d{2})(\d{2})$/, order: ['y', 'm', 'd'] },
};

/** A date column in the mapping's format -> YYYY-MM-DD, or undefined when it is not one. */
export function parseMappedDate(text: string, format: string): string | undefined {
  const p = DATE_PATTERNS[format];
  const m = p?.re.exec(text);
  if (!p || !m) return undefined;
  const part = (k: 'y' | 'm' | 'd') => Number(m[p.order.indexOf(k as never) + 1]);
  const y = part('y');
  const mo = part('m');
  const d = part('d');
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return undefined;
  return `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function formatMappedDate(iso: string, format: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) return iso;
  const [, y, mo, d] = m as unknown as [string, string, string, string];
  switch (format) {
    case 'DD/MM/YYYY':
      return `${d}/${mo}/${y}`;
    case 'MM/DD/YYYY':
      return `${mo}/${d}/${y}`;
    case 'DD.MM.YYYY':
      return `${d}.${mo}.${y}`;
    case 'DD-MM-YYYY':
      return `${d}-${mo}-${y}`;
    case 'YYYYMMDD':
      return `${y}${mo}${d}`;
    default:
      return `${y}-${mo}-${d}`;
  }
}

function setAt(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node: Record<string, unknown> | unknown[] = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    const nextIsIndex = /^\d+$/.test(path[i + 1]!);
    const container = node as Record<string, unknown>;
    container[key] ??= nextIsIndex ? [] : {};
    node = container[key] as Record<string, unknown> | unknown[];
  }
  (node as Record<string, unknown>)[path[path.length - 1]!] = value;
}

function getAt(source: unknown, path: readonly string[]): unknown {
  let node = source;
  for (const key of path) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  return node;
}

export function csvMappedFormat(mapping: CsvMapping, options: CsvMappingOptions = {}): FormatAdapter {
  const dialect: CsvDialect = { delimiter: mapping.csv?.delimiter ?? ',', quote: mapping.csv?.quote ?? '"' };
  const encoding: TextEncoding = mapping.csv?.encoding ?? 'utf-8';
  const hasHeader = mapping.csv?.header ?? true;
  const fixedColumns = mapping.csv?.columns;
  const fields: CompiledField[] = Object.entries(mapping.fields).map(([pointer, spec]) => ({
    pointer,
    path: pointer.split('/').slice(1),
    spec: spec!,
    ...(spec!.values ? { values: new Map(Object.entries(spec!.values).map(([k, v]) => [k.trim().toLowerCase(), v!])) } : {}),
  }));
  // The columns the mapping reads: one of them named twice leaves no telling which cell is meant.
  const readColumns = new Set([...fields.flatMap((f) => (f.spec.column ? [f.spec.column] : [])), ...(mapping.messageId ? [mapping.messageId.column] : [])]);
  type Header = { columns: string[] } | { error: string; source: string; code: string };
  // The header repeats on every message of a file; its parse is kept between rows.
  let lastHeader: { text: string; header: Header } | undefined;

  function headerColumns(text: string): Header {
    if (lastHeader?.text === text) return lastHeader.header;
    const header = readHeader(text);
    lastHeader = { text, header };
    return header;
  }

  function readHeader(text: string): Header {
    const parsed = parseCsvRecords(text, dialect);
    if (!parsed.ok) return { error: parsed.message, source: 'header', code: 'csv.malformed' };
    const columns = (parsed.records[0] ?? []).map((c) => c.trim());
    const repeated = columns.find((c, i) => readColumns.has(c) && columns.indexOf(c) !== i);
    if (repeated !== undefined) return { error: `the header names the column "${repeated}" more than once`, source: repeated, code: 'csv.duplicate-column' };
    return { columns };
  }

  function convert(field: CompiledField, text: string, column: string, errors: FieldError[]): Value | undefined {
    const pointer = `/payload${field.pointer.replace('*', '0')}`;
    let value = text;
    if (field.values) {
      const mapped = field.values.get(value.toLowerCase());
      if (mapped !== undefined) value = mapped;
      else if (field.spec.otherValues !== 'keep') {
        errors.push({ pointer, source: column, code: 'csv.unknown-code', message: `"${text}" is not one of ${[...Object.keys(field.spec.values ?? {})].map((k) => `"${k}"`).join(', ')}` });
        return undefined;
      }
    }
    switch (field.spec.as ?? 'string') {
      case 'integer': {
        if (!/^[+-]?\d+$/.test(value)) {
          errors.push({ pointer, source: column, code: 'csv.not-an-integer', message: `"${text}" is not a whole number` });
          return undefined;
        }
        return Number(value);
      }
      case 'number': {
        // Plain decimals only, with a point or a decimal comma: Number() would also take "0x10" and
        // "1e3". A comma before exactly three digits is the one form that reads two ways.
        if (/^[+-]?\d+,\d{3}$/.test(value)) {
          errors.push({ pointer, source: column, code: 'csv.ambiguous-number', message: `"${text}" is ${value.replace(',', '')} with a thousands separator or ${value.replace(',', '.')} with a decimal comma; write it without the separator, or with a decimal point` });
          return undefined;
        }
        if (!/^[+-]?\d+([.,]\d+)?$/.test(value)) {
          errors.push({ pointer, source: column, code: 'csv.not-a-number', message: `"${text}" is not a number` });
          return undefined;
        }
        return Number(value.replace(',', '.'));
      }
      case 'boolean': {
        const v = value.toLowerCase();
        if (['true', 'yes', 'y', '1'].includes(v)) return true;
        if (['false', 'no', 'n', '0'].includes(v)) return false;
        errors.push({ pointer, source: column, code: 'csv.not-a-boolean', message: `"${text}" is not yes/no, true/false or 1/0` });
        return undefined;
      }
      case 'date': {
        const format = field.spec.dateFormat ?? 'YYYY-MM-DD';
        const iso = parseMappedDate(value, format);
        if (!iso) {
          errors.push({ pointer, source: column, code: 'csv.not-a-date', message: `"${text}" is not a date written ${format}` });
          return undefined;
        }
        return iso;
      }
      default:
        return value;
    }
  }

  function normalise(raw: Buffer, ctx: AdapterContext): NormaliseOutcome {
    const decoded = decodeText(raw, encoding);
    if (!decoded.ok) return { ok: false, errors: [decoded.error] };
    const text = decoded.text;
    const parsed = parseCsvRecords(text, dialect);
    if (!parsed.ok) return { ok: false, errors: [{ pointer: '/', source: `line ${parsed.line}`, code: 'csv.malformed', message: parsed.message }] };
    let columns: string[];
    let row: string[] | undefined;
    if (hasHeader) {
      const headerText = text.slice(0, Math.max(0, text.search(/\r?\n/)));
      const header = headerColumns(headerText || text);
      if ('error' in header) return { ok: false, errors: [{ pointer: '/', source: header.source, code: header.code, message: header.error }] };
      columns = header.columns;
      if (parsed.records.length > 2) return { ok: false, errors: [{ pointer: '/', code: 'csv.several-rows', message: `holds ${parsed.records.length - 1} rows; one message is one row` }] };
      row = parsed.records[1];
    } else {
      columns = fixedColumns ?? [];
      if (parsed.records.length > 1) return { ok: false, errors: [{ pointer: '/', code: 'csv.several-rows', message: `holds ${parsed.records.length} rows; one message is one row` }] };
      row = parsed.records[0];
    }
    if (!row) return { ok: false, errors: [{ pointer: '/', code: 'csv.empty', message: 'holds no row' }] };
    if (row.length !== columns.length) {
      return { ok: false, errors: [{ pointer: '/', source: 'row', code: 'csv.field-count', message: `has ${row.length} fields where the ${hasHeader ? 'header names' : 'layout has'} ${columns.length} columns` }] };
    }
    const byColumn = new Map<string, string>();
    columns.forEach((c, i) => byColumn.set(c, row![i]!.trim()));

    const errors: FieldError[] = [];
    const payload: Record<string, unknown> = {};
    for (const field of fields) {
      const { spec } = field;
      if (spec.const !== undefined) {
        setAt(payload, field.path, spec.const);
        continue;
      }
      const column = spec.column!;
      const cell = byColumn.get(column);
      if (cell === undefined) {
        errors.push({ pointer: `/payload${field.pointer.replace('*', '0')}`, source: column, code: 'csv.column-missing', message: `the file has no column "${column}" (it has ${columns.map((c) => `"${c}"`).join(', ')})` });
        continue;
      }
      const parts = spec.split ? cell.split(spec.split).map((p) => p.trim()).filter((p) => p !== '') : cell === '' ? [] : [cell];
      if (parts.length === 0) {
        if (!spec.optional) errors.push({ pointer: `/payload${field.pointer.replace('*', '0')}`, source: column, code: 'csv.value-missing', message: 'is empty' });
        continue;
      }
      const converted = parts.map((p) => convert(field, p, column, errors));
      if (converted.some((v) => v === undefined)) continue;
      const star = field.path.indexOf('*');
      if (star >= 0) {
        converted.forEach((v, i) => setAt(payload, field.path.map((s, k) => (k === star ? String(i) : s)), v));
      } else setAt(payload, field.path, spec.split ? converted : converted[0]);
    }
    if (errors.length) return { ok: false, errors };
    options.transform?.(payload, byColumn);

    const sender = ctx.sender;
    if (!sender?.country || !sender.agency) {
      return { ok: false, errors: [{ pointer: '/sender', code: 'format.no-sender', message: `${mapping.name} rows name no sender; they are accepted only over a channel that authenticates the partner agency` }] };
    }
    let messageId: string;
    if (mapping.messageId) {
      const id = byColumn.get(mapping.messageId.column);
      if (!id) return { ok: false, errors: [{ pointer: '/messageId', source: mapping.messageId.column, code: 'csv.value-missing', message: 'is empty; it gives the row its messageId' }] };
      messageId = `${mapping.messageId.prefix ?? ''}${id}`;
    } else if (ctx.origin) {
      messageId = `${mapping.name}-${ctx.origin.fileId}-${ctx.origin.index}`;
    } else {
      // From the row alone (not the header), so the same row in a file with its columns reordered
      // still differs only if its content does.
      messageId = `${mapping.name}-${createHash('sha256').update(row.join('\u0000')).digest('hex').slice(0, 32)}`;
    }
    return {
      ok: true,
      envelope: {
        messageId,
        type: mapping.type,
        sender: { country: sender.country, agency: sender.agency },
        sentAt: (ctx.receivedAt ?? new Date()).toISOString(),
        payload,
      },
    };
  }

  function render(envelope: unknown): Buffer {
    const e = envelope as { type?: string; payload?: unknown };
    if (e.type !== mapping.type) throw new Error(`the ${mapping.name} layout carries ${mapping.type} messages only, not ${e.type}`);
    const columns = hasHeader ? fields.filter((f) => f.spec.column).map((f) => f.spec.column!) : (fixedColumns ?? []);
    const cells = new Map<string, string>();
    for (const field of fields) {
      if (!field.spec.column) continue;
      const star = field.path.indexOf('*');
      let values: unknown[];
      if (star >= 0) {
        const list = getAt(e.payload, field.path.slice(0, star));
        values = Array.isArray(list) ? list.map((item) => getAt(item, field.path.slice(star + 1))) : [];
      } else {
        const v = getAt(e.payload, field.path);
        values = Array.isArray(v) ? v : v === undefined ? [] : [v];
      }
      const reverse = field.spec.values ? new Map(Object.entries(field.spec.values).map(([k, v]) => [v, k])) : undefined;
      const texts = values
        .filter((v) => v !== undefined && v !== null)
        .map((v) => (field.spec.as === 'date' ? formatMappedDate(String(v), field.spec.dateFormat ?? 'YYYY-MM-DD') : String(v)))
        .map((v) => reverse?.get(v) ?? v);
      cells.set(field.spec.column, texts.join(field.spec.split ?? ''));
    }
    const row = formatCsvRow(columns.map((c) => cells.get(c) ?? ''), dialect);
    return encodeText(hasHeader ? `${formatCsvRow(columns, dialect)}\n${row}\n` : `${row}\n`, encoding);
  }

  function sourceOf(pointer: string): string | undefined {
    if (!pointer.startsWith('/payload/')) return pointer === '/messageId' ? mapping.messageId?.column : undefined;
    const segments = pointer.slice('/payload'.length).split('/').slice(1);
    for (const field of fields) {
      if (!field.spec.column || field.path.length > segments.length) continue;
      // A pointer at or below the field names its column ('/firearm/serials/1/value' -> the serials column).
      if (field.path.every((s, i) => s === segments[i] || (s === '*' && /^\d+$/.test(segments[i]!)))) return field.spec.column;
    }
    return undefined;
  }

  return {
    name: mapping.name,
    mediaTypes: ['text/csv'],
    normalise,
    render,
    renders: [mapping.type],
    sourceOf,
    file: { framing: 'csv', extension: '.csv', quote: dialect.quote, delimiter: dialect.delimiter, header: hasHeader },
  };
}
