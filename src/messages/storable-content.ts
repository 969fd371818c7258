import type { FieldError } from './generated-types.js';

/**
 * What the hub can hold and pass on of a message beyond its raw bytes. PostgreSQL's text and
 * jsonb take no U+0000 (NUL), jsonb takes no unpaired UTF-16 surrogate (not Unicode text at all),
 * and its JSON parser gives up at a nesting depth its stack allows. XML 1.0, which partners
 * receive, cannot carry the other C0 control characters (but tab, line feed and carriage return)
 * nor U+FFFE and U+FFFF, so a message routed to an XML partner could never be delivered. JSON and
 * CSV can carry all of these, XML character references some. Such a message used to fail the
 * statement that stored it and, with it, every other sender's message in the same group commit.
 * Intake now finds them first: the message is rejected naming each field, and only its raw bytes
 * (bytea) are kept.
 */

// Without the `u` flag a regular expression sees UTF-16 code units, so lone surrogates are visible.
// eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
const UNSTORABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

/** A report is about where the problems are; a million bad array items need not each be named. */
const MAX_REPORTED = 20;

export function hasUnstorableText(s: string): boolean {
  return UNSTORABLE.test(s);
}

/** The string with each character the ledger cannot hold replaced by U+FFFD (for errors and logs about it). */
export function storableText(s: string): string {
  return UNSTORABLE.test(s) ? s.replace(UNSTORABLE_ALL, '\ufffd') : s;
}

/** A channel property fit to stand in for an envelope field (a messageId, a correlationId): short, storable text. */
export function storableHeaderValue(v: string | undefined): string | undefined {
  return v !== undefined && v.length > 0 && v.length <= 128 && storableText(v) === v ? v : undefined;
}

function whatIsWrong(s: string): string {
  const code = UNSTORABLE.exec(s)![0]!.charCodeAt(0);
  const name = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  if (code === 0) return `${name} (NUL), which the hub does not accept in text`;
  if (code >= 0xd800 && code <= 0xdfff) return `an unpaired UTF-16 surrogate (${name}), which is not Unicode text`;
  return code < 0x20 ? `${name}, a control character that XML, which partners receive, cannot carry` : `${name}, a noncharacter that XML, which partners receive, cannot carry`;
}

interface Visit {
  value: unknown;
  key: string | number | undefined;
  up: Visit | undefined;
  depth: number;
}

/** The JSON pointer of a visit, built only when there is something to report. */
function pointerOf(v: Visit): string {
  const steps: string[] = [];
  for (let at: Visit | undefined = v; at?.key !== undefined; at = at.up) steps.push(`/${String(at.key).replaceAll('~', '~0').replaceAll('/', '~1')}`);
  return storableText(steps.reverse().join('')) || '/';
}

/**
 * The places in a normalised message that the ledger cannot hold: structures nested deeper than
 * `maxDepth` (the message itself is depth 1) and text with a character named above, member names
 * included. Walks without recursion, so no input can exhaust the stack.
 */
export function unstorableContent(value: unknown, maxDepth: number): { errors: FieldError[]; tooDeep: boolean } {
  const errors: FieldError[] = [];
  let tooDeep = false;
  const stack: Visit[] = [{ value, key: undefined, up: undefined, depth: 1 }];
  while (stack.length && errors.length < MAX_REPORTED) {
    const visit = stack.pop()!;
    const v = visit.value;
    if (typeof v === 'string') {
      if (UNSTORABLE.test(v)) errors.push({ pointer: pointerOf(visit), code: 'text.unstorable', message: `contains ${whatIsWrong(v)}` });
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (visit.depth > maxDepth) {
      tooDeep = true;
      errors.push({ pointer: pointerOf(visit), code: 'structure.too-deep', message: `nests deeper than the ${maxDepth} levels a message may have` });
      continue;
    }
    const depth = visit.depth + 1;
    // Pushed in reverse so that problems are reported in document order.
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], key: i, up: visit, depth });
    } else {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        const child: Visit = { value: (v as Record<string, unknown>)[key], key, up: visit, depth };
        if (UNSTORABLE.test(key)) errors.push({ pointer: pointerOf(child), code: 'text.unstorable', message: `is a member whose name contains ${whatIsWrong(key)}` });
        stack.push(child);
      }
    }
  }
  return { errors, tooDeep };
}

/** The error with text the ledger can hold (adapters and parsers may quote the offending input). */
export function storableError(e: FieldError): FieldError {
  const clean = { ...e };
  for (const k of Object.keys(clean) as (keyof FieldError)[]) {
    const v = clean[k];
    if (typeof v === 'string' && UNSTORABLE.test(v)) (clean as Record<string, unknown>)[k] = storableText(v);
  }
  return clean;
}

// Dates as RFC 3339 writes them, within what PostgreSQL's date and timestamptz take: years 0001 to
// 9999, real calendar days, and UTC offsets of at most 14 hours (RFC 3339 allows 23:59; the
// database refuses more than 15:59, and no place on Earth is beyond 14).
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

function isCalendarDay(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

/** JSON Schema's "date", as the database can store it. */
export function isStorableDate(s: string): boolean {
  const m = DATE.exec(s);
  return m !== null && isCalendarDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** JSON Schema's "date-time", as the database can store it (leap second 60 included, as RFC 3339 has it). */
export function isStorableDateTime(s: string): boolean {
  const m = DATE_TIME.exec(s);
  if (m === null || !isCalendarDay(Number(m[1]), Number(m[2]), Number(m[3]))) return false;
  if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 60) return false;
  return m[7] === undefined || (Number(m[7]) <= 14 && Number(m[8]) <= 59);
}
