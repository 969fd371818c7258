import { isUtf8 } from 'node:buffer';
import type { CsvMapping, FieldError } from '../../src/messages/generated-types.js';

/**
 * Bytes to text for the format adapters, strictly. Node's lenient decoding puts U+FFFD in place of
 * any byte that is not UTF-8, so a registry exporting Latin-1 or Windows-1252 ("Liège", "Brünner",
 * "Česká zbrojovka") had its names and serials corrupted without anyone being told. Now such bytes
 * are an error naming their offset and line, unless the partner's configuration (CSV) or the
 * document itself (an XML declaration) names the encoding they are in.
 *
 * Only encodings that are ASCII-compatible are offered, so that files still split into lines and
 * elements byte by byte.
 */
export type TextEncoding = NonNullable<NonNullable<CsvMapping['csv']>['encoding']>;
/** The encodings of schemas/config/csv-mapping.schema.json, which is where a partner names one. */
export const TEXT_ENCODINGS: readonly TextEncoding[] = ['utf-8', 'windows-1252', 'iso-8859-1', 'iso-8859-2', 'iso-8859-15'];

export type Decoded = { ok: true; text: string } | { ok: false; error: FieldError };

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Windows-1252's bytes 0x80-0x9F (the rest is Latin-1). Node 20's TextDecoder decodes
 * "windows-1252" as Latin-1, so 0x80 came out as a control character instead of "€". The five
 * bytes Windows leaves undefined stay the C1 controls, as the WHATWG Encoding Standard has them.
 */
const CP1252_80_9F = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/** A single-byte encoding's text; "iso-8859-1" is read as Windows-1252, as the Encoding Standard (and every browser) reads it. */
function decodeSingleByte(raw: Uint8Array, encoding: Exclude<TextEncoding, 'utf-8'>): string {
  if (encoding === 'windows-1252' || encoding === 'iso-8859-1') {
    return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1').replace(/[\u0080-\u009f]/g, (c) => CP1252_80_9F[c.charCodeAt(0) - 0x80]!);
  }
  return new TextDecoder(encoding).decode(raw);
}

/** Offset of the first byte that cannot stand where it is in UTF-8 (RFC 3629), or -1. */
function firstInvalidUtf8(b: Buffer): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    const follow = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (follow < 0) return i;
    // The second byte's range excludes overlong forms, surrogates and code points past U+10FFFF.
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k <= follow; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += follow + 1;
  }
  return -1;
}

/**
 * The bytes as text in `encoding`. A UTF-8 byte-order mark is dropped (RFC 8259 lets a parser
 * ignore it, and Windows tools write it); bytes that are not UTF-8 are an error. The single-byte
 * encodings give every byte a character, so they cannot fail.
 */
export function decodeText(raw: Buffer, encoding: TextEncoding = 'utf-8'): Decoded {
  if (encoding !== 'utf-8') return { ok: true, text: decodeSingleByte(raw, encoding) };
  const bytes = raw.subarray(0, 3).equals(UTF8_BOM) ? raw.subarray(3) : raw;
  if (isUtf8(bytes)) return { ok: true, text: bytes.toString('utf8') };
  const at = firstInvalidUtf8(bytes);
  let line = 1;
  for (let i = 0; i < at; i++) if (bytes[i] === 0x0a) line++;
  const offset = at + (bytes === raw ? 0 : 3);
  return {
    ok: false,
    error: {
      pointer: '/',
      code: 'encoding.not-utf8',
      message: `is not UTF-8: the byte 0x${bytes[at]!.toString(16).toUpperCase().padStart(2, '0')} at offset ${offset} (line ${line}) cannot stand there; send UTF-8, or name the encoding (an XML declaration, or the CSV format's csv.encoding)`,
    },
  };
}

/**
 * A decoder for a stream of chunks cut anywhere; `decode` throws on bytes that are not UTF-8
 * (a UTF-8 byte-order mark at the start is dropped).
 */
export function streamDecoder(encoding: TextEncoding): { readonly encoding: TextEncoding; decode(chunk: Uint8Array, end: boolean): string } {
  if (encoding !== 'utf-8') return { encoding, decode: (chunk) => decodeSingleByte(chunk, encoding) };
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  return { encoding, decode: (chunk, end) => utf8.decode(chunk, { stream: !end }) };
}

const XML_DECLARATION = /^<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/;

/** Labels an XML declaration may use, by the encoding they name (others are refused, by name). */
const XML_LABELS: Readonly<Record<string, TextEncoding>> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'us-ascii': 'utf-8',
  ascii: 'utf-8',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252',
  'iso-8859-1': 'iso-8859-1',
  'iso_8859-1': 'iso-8859-1',
  latin1: 'iso-8859-1',
  'latin-1': 'iso-8859-1',
  'iso-8859-2': 'iso-8859-2',
  latin2: 'iso-8859-2',
  'iso-8859-15': 'iso-8859-15',
  latin9: 'iso-8859-15',
};

/**
 * The encoding an XML document's declaration names, from its first bytes (UTF-8 when it names
 * none); `unsupported` holds a name the hub does not read.
 */
export function xmlDeclaredEncoding(head: Buffer): TextEncoding | { unsupported: string } {
  const text = head.subarray(head.subarray(0, 3).equals(UTF8_BOM) ? 3 : 0, 256).toString('latin1');
  const declared = XML_DECLARATION.exec(text)?.[1];
  if (declared === undefined) return 'utf-8';
  return XML_LABELS[declared.toLowerCase()] ?? { unsupported: declared };
}

export function unsupportedXmlEncoding(name: string): FieldError {
  return { pointer: '/', code: 'xml.unsupported-encoding', message: `declares encoding "${name}", which the hub does not read (it reads ${TEXT_ENCODINGS.join(', ')})` };
}

/** The charset parameter of a media type ("application/xml; charset=ISO-8859-1"), if it has one. */
export function charsetOf(contentType: string | undefined): string | undefined {
  const m = contentType ? /;\s*charset\s*=\s*"?([A-Za-z0-9._:-]+)"?/i.exec(contentType) : null;
  return m?.[1];
}

/**
 * An XML document as text: in the charset its media type names, which takes precedence (RFC 7303,
 * section 3.2: the transport knows how the bytes were sent, a declaration may be stale); else in
 * the encoding its declaration names; else UTF-8.
 */
export function decodeXml(raw: Buffer, charset?: string): Decoded {
  if (charset !== undefined) {
    const named = XML_LABELS[charset.toLowerCase()];
    return named
      ? decodeText(raw, named)
      : { ok: false, error: { pointer: '/', code: 'xml.unsupported-encoding', message: `was sent as charset "${charset}", which the hub does not read (it reads ${TEXT_ENCODINGS.join(', ')})` } };
  }
  const encoding = xmlDeclaredEncoding(raw);
  return typeof encoding === 'string' ? decodeText(raw, encoding) : { ok: false, error: unsupportedXmlEncoding(encoding.unsupported) };
}

/**
 * Text to bytes in `encoding`. A character the encoding has no byte for is an error naming it:
 * replacing it with "?" would hand the partner a serial or a name that is not the one recorded.
 */
export function encodeText(text: string, encoding: TextEncoding = 'utf-8'): Buffer {
  if (encoding === 'utf-8') return Buffer.from(text, 'utf8');
  const table = byteTable(encoding);
  const out = Buffer.alloc(text.length);
  let n = 0;
  for (const ch of text) {
    const byte = table.get(ch);
    if (byte === undefined) throw new Error(`"${ch}" (U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}) has no byte in ${encoding}`);
    out[n++] = byte;
  }
  return out.subarray(0, n);
}

const tables = new Map<Exclude<TextEncoding, 'utf-8'>, Map<string, number>>();

/** Character to byte for a single-byte encoding: the inverse of its decoder. */
function byteTable(encoding: Exclude<TextEncoding, 'utf-8'>): Map<string, number> {
  let table = tables.get(encoding);
  if (!table) {
    table = new Map();
    for (let b = 0xff; b >= 0; b--) table.set(decodeSingleByte(Uint8Array.of(b), encoding), b);
    tables.set(encoding, table);
  }
  return table;
}
