import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../adapters/formats/canonical-json.js';
import { canonicalXml } from '../../adapters/formats/canonical-xml.js';
import { csvMappedFormat } from '../../adapters/formats/csv-mapped-format.js';
import { decodeText, decodeXml, encodeText } from '../../adapters/formats/text-decoding.js';
import type { CsvMapping } from '../../src/messages/generated-types.js';
import { adapterContext } from './adapter-context.js';

/**
 * Bytes become text strictly: bytes that are not valid in the encoding are an error naming where
 * they are, never a silent U+FFFD in a name or a serial. A partner in another encoding names it:
 * XML in its declaration, CSV in its format's configuration.
 */
const ctx = { ...adapterContext(), sender: { country: 'FR', agency: 'NCB-PARIS' }, receivedAt: new Date('2026-11-26T10:00:00Z') };
const latin1 = (text: string) => Buffer.from(text, 'latin1');

describe('UTF-8', () => {
  it('is read without its byte-order mark', () => {
    expect(decodeText(Buffer.from('\ufeffLiège', 'utf8'))).toEqual({ ok: true, text: 'Liège' });
  });

  it('refuses a byte that cannot stand where it is, naming its offset and line', () => {
    expect(decodeText(latin1('{"a": 1,\n "town": "Liège"}'))).toEqual({
      ok: false,
      error: {
        pointer: '/',
        code: 'encoding.not-utf8',
        message: 'is not UTF-8: the byte 0xE8 at offset 21 (line 2) cannot stand there; send UTF-8, or name the encoding (an XML declaration, or the CSV format\'s csv.encoding)',
      },
    });
  });

  it('refuses overlong forms, encoded surrogates and a sequence cut short, as RFC 3629 does', () => {
    for (const bytes of [[0xc0, 0xaf], [0xed, 0xa0, 0x80], [0x41, 0xe2, 0x82]]) {
      expect(decodeText(Buffer.from(bytes)).ok).toBe(false);
    }
    expect(decodeText(Buffer.from('€ 𝄞', 'utf8'))).toEqual({ ok: true, text: '€ 𝄞' });
  });
});

describe('single-byte encodings', () => {
  it('read every byte and write back the same bytes', () => {
    const bytes = Buffer.from([0x4c, 0x69, 0xe8, 0x67, 0x65, 0x20, 0x80]);
    const decoded = decodeText(bytes, 'windows-1252');
    expect(decoded).toEqual({ ok: true, text: 'Liège €' });
    expect(encodeText('Liège €', 'windows-1252')).toEqual(bytes);
  });

  it('cannot write a character they have no byte for, and say which', () => {
    expect(() => encodeText('Česká zbrojovka', 'windows-1252')).toThrow('"Č" (U+010C) has no byte in windows-1252');
    expect(encodeText('Česká zbrojovka', 'iso-8859-2')[0]).toBe(0xc8);
  });
});

describe('JSON', () => {
  it('takes a byte-order mark and refuses bytes that are not UTF-8', () => {
    const envelope = { messageId: 'FR-1', type: 'hub.notice', sender: ctx.sender, sentAt: '2026-11-26T10:00:00Z', payload: { to: [{ country: 'DE' }], subject: 'Liège', body: 'b' } };
    expect(canonicalJson.normalise(Buffer.from(`\ufeff${JSON.stringify(envelope)}`, 'utf8'), ctx)).toEqual({ ok: true, envelope });
    const outcome = canonicalJson.normalise(latin1(JSON.stringify(envelope)), ctx);
    expect(outcome.ok ? [] : outcome.errors.map((e) => e.code)).toEqual(['encoding.not-utf8']);
  });
});

describe('XML', () => {
  const doc = (declaration: string) =>
    `${declaration}<message xmlns="urn:tracehub:message:1"><messageId>FR-2</messageId><type>hub.notice</type><sender><country>FR</country><agency>NCB-PARIS</agency></sender><sentAt>2026-11-26T10:00:00Z</sentAt><payload><to><country>DE</country></to><subject>Liège</subject><body>b</body></payload></message>`;

  it('is read in the encoding its declaration names', () => {
    const outcome = canonicalXml.normalise(latin1(doc('<?xml version="1.0" encoding="ISO-8859-1"?>')), ctx);
    expect(outcome.ok && (outcome.envelope as { payload: { subject: string } }).payload.subject).toBe('Liège');
  });

  it('is UTF-8 when it declares nothing, and refuses an encoding the hub does not read, by name', () => {
    expect(decodeXml(latin1(doc(''))).ok).toBe(false);
    expect(decodeXml(Buffer.from(doc('<?xml version="1.0" encoding="Shift_JIS"?>')))).toEqual({
      ok: false,
      error: { pointer: '/', code: 'xml.unsupported-encoding', message: 'declares encoding "Shift_JIS", which the hub does not read (it reads utf-8, windows-1252, iso-8859-1, iso-8859-2, iso-8859-15)' },
    });
  });
});

describe('XML with a charset in its media type', () => {
  const doc = (declaration: string) =>
    `${declaration}<message xmlns="urn:tracehub:message:1"><messageId>FR-3</messageId><type>hub.notice</type><sender><country>FR</country><agency>NCB-PARIS</agency></sender><sentAt>2026-11-26T10:00:00Z</sentAt><payload><to><country>DE</country></to><subject>Liège</subject><body>b</body></payload></message>`;
  const subject = (outcome: ReturnType<typeof canonicalXml.normalise>) => outcome.ok && (outcome.envelope as { payload: { subject: string } }).payload.subject;

  it('is read in that charset when the document declares none', () => {
    expect(subject(canonicalXml.normalise(latin1(doc('')), { ...ctx, contentType: 'application/xml; charset=ISO-8859-1' }))).toBe('Liège');
    expect(subject(canonicalXml.normalise(latin1(doc('')), { ...ctx, contentType: 'text/xml;charset="windows-1252"' }))).toBe('Liège');
  });

  it('is read in that charset over its declaration, as RFC 7303 says, and refuses one the hub does not read', () => {
    expect(subject(canonicalXml.normalise(Buffer.from(doc('<?xml version="1.0" encoding="ISO-8859-1"?>')), { ...ctx, contentType: 'application/xml; charset=utf-8' }))).toBe('Liège');
    expect(canonicalXml.normalise(Buffer.from(doc('')), { ...ctx, contentType: 'application/xml; charset=koi8-r' })).toEqual({
      ok: false,
      errors: [{ pointer: '/', code: 'xml.unsupported-encoding', message: 'was sent as charset "koi8-r", which the hub does not read (it reads utf-8, windows-1252, iso-8859-1, iso-8859-2, iso-8859-15)' }],
    });
  });
});

describe('CSV in a partner\'s encoding', () => {
  const mapping: CsvMapping = {
    name: 'csv-be-test',
    type: 'hub.notice',
    csv: { header: true, encoding: 'windows-1252' },
    fields: { '/to/*/country': { column: 'To' }, '/subject': { column: 'Subject' }, '/body': { column: 'Body' } },
  };
  const csv = csvMappedFormat(mapping);

  it('is read as the format names it, and written back in it', () => {
    const raw = latin1('To,Subject,Body\nDE,Liège,Brünner\n');
    const outcome = csv.normalise(raw, ctx);
    expect(outcome.ok && (outcome.envelope as { payload: unknown }).payload).toMatchObject({ to: [{ country: 'DE' }], subject: 'Liège', body: 'Brünner' });
    const rendered = csv.render(outcome.ok ? outcome.envelope : undefined, ctx);
    expect(rendered.includes(latin1('Liège'))).toBe(true);
    expect(rendered.includes(Buffer.from('Liège', 'utf8'))).toBe(false);
  });
});
