import { describe, expect, it } from 'vitest';
import { splitCsvRows } from '../../adapters/streams/csv-row-splitter.js';
import { joinMessages, splitFile } from '../../adapters/streams/file-splitter.js';
import type { Framed } from '../../adapters/streams/framed-item.js';
import { splitJson } from '../../adapters/streams/json-splitter.js';
import { splitLines } from '../../adapters/streams/line-splitter.js';
import { splitXmlElements } from '../../adapters/streams/xml-element-splitter.js';
import { encodeText } from '../../adapters/formats/text-decoding.js';

/**
 * File splitters: files arrive as a stream of chunks cut anywhere (mid-character, mid-tag,
 * mid-quote), and each splitter must frame the same messages whatever the cuts, holding only one
 * message at a time. Every case runs with 1-byte, 7-byte and whole-file chunks.
 */
async function* chunks(text: string | Buffer, size: number): AsyncGenerator<Buffer> {
  const b = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  for (let i = 0; i < b.length; i += size) yield Buffer.from(b.subarray(i, i + size));
}

type Shown = { kind: 'message'; index: number; line: number; text: string } | { kind: 'fault'; index?: number; line: number; code: string; fatal: boolean };
async function collect(gen: AsyncGenerator<Framed>): Promise<Shown[]> {
  const out: Shown[] = [];
  for await (const f of gen) {
    out.push(f.kind === 'message' ? { kind: 'message', index: f.index, line: f.line, text: f.raw.toString('utf8') } : { kind: 'fault', ...(f.index !== undefined ? { index: f.index } : {}), line: f.line, code: f.code, fatal: f.fatal });
  }
  return out;
}

/** The same result for every chunking. */
async function split(text: string, make: (source: AsyncIterable<Buffer>) => AsyncGenerator<Framed>): Promise<Shown[]> {
  const results = await Promise.all([1, 7, 1 << 20].map((size) => collect(make(chunks(text, size)))));
  expect(results[1]).toEqual(results[0]);
  expect(results[2]).toEqual(results[0]);
  return results[0]!;
}

const m = (index: number, line: number, text: string): Shown => ({ kind: 'message', index, line, text });
const limits = { maxMessageBytes: 200 };

describe('NDJSON lines', () => {
  it('yields each non-blank line with its line number, CRLF and a byte-order mark accepted', async () => {
    expect(await split('\uFEFF{"a":1}\r\n\n  \n{"b":"é"}\nlast', (s) => splitLines(s, limits))).toEqual([m(0, 1, '{"a":1}'), m(1, 4, '{"b":"é"}'), m(2, 5, 'last')]);
  });

  it('skips an over-long line as it streams, reporting it in its place', async () => {
    expect(await split(`${'x'.repeat(300)}\nok\n`, (s) => splitLines(s, limits))).toEqual([{ kind: 'fault', index: 0, line: 1, code: 'file.message-too-large', fatal: false }, m(1, 2, 'ok')]);
  });
});

describe('JSON arrays and values', () => {
  it('yields each element of an array, strings and brackets inside strings notwithstanding', async () => {
    const text = '[ {"a": "x]}\\"y"},\n {"b":[1,{"c":2}]}, 3, "s\\"]" , null ]\n';
    expect(await split(text, (s) => splitJson(s, limits))).toEqual([m(0, 1, '{"a": "x]}\\"y"}'), m(1, 2, '{"b":[1,{"c":2}]}'), m(2, 2, '3'), m(3, 2, '"s\\"]"'), m(4, 2, 'null')]);
  });

  it('yields each top-level value of a file that is not an array (one pretty-printed envelope, or several)', async () => {
    expect(await split('{\n  "a": 1\n}\n{"b":2} 7', (s) => splitJson(s, limits))).toEqual([m(0, 1, '{\n  "a": 1\n}'), m(1, 4, '{"b":2}'), m(2, 4, '7')]);
  });

  it('stops at a fault in the array structure, after the elements before it', async () => {
    expect(await split('[{"a":1} {"b":2}]', (s) => splitJson(s, limits))).toEqual([m(0, 1, '{"a":1}'), { kind: 'fault', line: 1, code: 'file.malformed-json', fatal: true }]);
    expect(await split('[{"a":1},\n{"b":', (s) => splitJson(s, limits))).toEqual([m(0, 1, '{"a":1}'), { kind: 'fault', line: 2, code: 'file.truncated', fatal: true }]);
    expect(await split('[1,,2]', (s) => splitJson(s, limits))).toEqual([m(0, 1, '1'), { kind: 'fault', line: 1, code: 'file.malformed-json', fatal: true }]);
    expect(await split('[1] x', (s) => splitJson(s, limits))).toEqual([m(0, 1, '1'), { kind: 'fault', line: 1, code: 'file.malformed-json', fatal: true }]);
  });

  it('reports an element over the size limit without keeping it, and goes on', async () => {
    expect(await split(`[{"big":"${'y'.repeat(300)}"},{"ok":1}]`, (s) => splitJson(s, limits))).toEqual([{ kind: 'fault', index: 0, line: 1, code: 'file.message-too-large', fatal: false }, m(1, 1, '{"ok":1}')]);
  });
});

describe('CSV rows', () => {
  const framing = { quote: '"', header: true };

  it('makes each message the header line plus one row; quoted line breaks stay in their row', async () => {
    expect(await split('\uFEFFa,b,c\r\n1,"x\ny",3\r\n\r\n4,"q""q",6\n7,8,9', (s) => splitCsvRows(s, framing, limits))).toEqual([
      m(0, 2, 'a,b,c\n1,"x\ny",3'),
      m(1, 5, 'a,b,c\n4,"q""q",6'),
      m(2, 6, 'a,b,c\n7,8,9'),
    ]);
  });

  it('yields rows alone for a layout without a header', async () => {
    expect(await split('1,2\n3,4\n', (s) => splitCsvRows(s, { quote: '"', header: false }, limits))).toEqual([m(0, 1, '1,2'), m(1, 2, '3,4')]);
  });

  it('reports a quote left open as fatal, where its row starts', async () => {
    expect(await split('a,b\n1,2\n3,"open\n4,5\n', (s) => splitCsvRows(s, framing, limits))).toEqual([m(0, 2, 'a,b\n1,2'), { kind: 'fault', index: 1, line: 3, code: 'file.unclosed-quote', fatal: true }]);
  });

  it('reads a quote inside an unquoted field as a character, as the row parser does (an inch mark)', async () => {
    expect(await split('a,b\n1,Barrel cut to 12" length\n2,x\n3,"y"\n', (s) => splitCsvRows(s, framing, limits))).toEqual([
      m(0, 2, 'a,b\n1,Barrel cut to 12" length'),
      m(1, 3, 'a,b\n2,x'),
      m(2, 4, 'a,b\n3,"y"'),
    ]);
  });

  it('opens a quoted field only at the start of a field, after the layout\'s own delimiter', async () => {
    expect(await split('a;b\n1;"x;\ny"\n2;5 "6\n', (s) => splitCsvRows(s, { ...framing, delimiter: ';' }, limits))).toEqual([m(0, 2, 'a;b\n1;"x;\ny"'), m(1, 4, 'a;b\n2;5 "6')]);
  });

  it('keeps a doubled quote inside quotes in the field, line breaks after it included', async () => {
    expect(await split('a,b\n1,"say ""12""""\nthen"\n2,3\n', (s) => splitCsvRows(s, framing, limits))).toEqual([m(0, 2, 'a,b\n1,"say ""12""""\nthen"'), m(1, 4, 'a,b\n2,3')]);
  });

  it('skips an over-long row as it streams', async () => {
    expect(await split(`a\n${'z'.repeat(300)}\nshort\n`, (s) => splitCsvRows(s, framing, limits))).toEqual([{ kind: 'fault', index: 0, line: 2, code: 'file.message-too-large', fatal: false }, m(1, 3, 'a\nshort')]);
  });
});

describe('XML elements', () => {
  const framing = { messageElements: ['message', 'FirearmRecord'], maxDepth: 10 };

  it('cuts each child of the root out as written, carrying the root\'s namespace declarations', async () => {
    const text = '<?xml version="1.0" encoding="UTF-8"?>\n<r:Batch xmlns:r="urn:r" xmlns:nc="urn:nc">\n  <nc:Firearm a="1"><nc:X>é😀&amp;</nc:X></nc:Firearm>\n  <nc:Firearm xmlns:nc="urn:other"/>\n</r:Batch>\n';
    expect(await split(text, (s) => splitXmlElements(s, framing, limits))).toEqual([
      m(0, 3, '<nc:Firearm xmlns:r="urn:r" xmlns:nc="urn:nc" a="1"><nc:X>é😀&amp;</nc:X></nc:Firearm>'),
      m(1, 4, '<nc:Firearm xmlns:r="urn:r" xmlns:nc="urn:other"/>'),
    ]);
  });

  it('gives the line of an element\'s "<" when its start tag runs over several lines', async () => {
    const text = '<?xml version="1.0"?>\n<r xmlns="urn:r">\n<m\n   a="1"\n   b="2"><x/></m>\n<m\n/>\n</r>\n';
    expect(await split(text, (s) => splitXmlElements(s, framing, limits))).toEqual([m(0, 3, '<m xmlns="urn:r"\n   a="1"\n   b="2"><x/></m>'), m(1, 6, '<m xmlns="urn:r"\n/>')]);
  });

  it('takes a file whose root is a message element as that one message', async () => {
    expect(await split('<?xml version="1.0"?>\n<message xmlns="urn:m"><a>1</a></message>\n', (s) => splitXmlElements(s, framing, limits))).toEqual([m(0, 2, '<message xmlns="urn:m"><a>1</a></message>')]);
  });

  it('stops at the first well-formedness fault, keeping the elements before it', async () => {
    expect(await split('<r><m>1</m><m>2</x><m>3</m></r>', (s) => splitXmlElements(s, framing, limits))).toEqual([m(0, 1, '<m>1</m>'), { kind: 'fault', line: 1, code: 'xml.malformed', fatal: true }]);
  });

  it('refuses DTDs, encodings it does not read, excessive depth, truncation and emptiness', async () => {
    const fault = async (text: string) => (await split(text, (s) => splitXmlElements(s, { ...framing, maxDepth: 3 }, limits))).at(-1);
    expect(await fault('<!DOCTYPE r [<!ENTITY a "b">]><r><m>&a;</m></r>')).toMatchObject({ code: 'xml.dtd-forbidden', fatal: true });
    expect(await fault('<?xml version="1.0" encoding="Shift_JIS"?><r/>')).toMatchObject({ code: 'xml.unsupported-encoding', fatal: true });
    expect(await fault('<r><a><b><c>deep</c></b></a></r>')).toMatchObject({ code: 'xml.too-deep' });
    expect(await fault('<r><m>1</m>')).toMatchObject({ code: 'file.truncated' });
    expect(await fault('   ')).toMatchObject({ code: 'file.empty' });
  });

  it('skips an element over the size limit and goes on', async () => {
    expect(await split(`<r><m>1</m><m>${'x'.repeat(300)}</m><m>3</m></r>`, (s) => splitXmlElements(s, framing, limits))).toEqual([
      m(0, 1, '<m>1</m>'),
      { kind: 'fault', index: 1, line: 1, code: 'file.message-too-large', fatal: false },
      m(2, 1, '<m>3</m>'),
    ]);
  });
});

describe('files not in UTF-8', () => {
  const framing = { messageElements: ['m'], maxDepth: 10 };
  /** The same result for every chunking, from bytes. */
  async function splitBytes(bytes: Buffer): Promise<Shown[]> {
    const results = await Promise.all([1, 7, 1 << 20].map((size) => collect(splitXmlElements(chunks(bytes, size), framing, limits))));
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
    return results[0]!;
  }

  it('are read in the encoding their XML declaration names, each message handed on as UTF-8', async () => {
    const file = encodeText('<?xml version="1.0" encoding="windows-1252"?>\n<r><m>Liège €</m><m>Brünner</m></r>', 'windows-1252');
    expect(await splitBytes(file)).toEqual([m(0, 2, '<m>Liège €</m>'), m(1, 2, '<m>Brünner</m>')]);
  });

  it('stop at bytes that are not UTF-8 when the file declares no encoding, rather than corrupt them', async () => {
    expect(await splitBytes(Buffer.from('<r><m>Liège</m></r>', 'latin1'))).toEqual([{ kind: 'fault', line: 1, code: 'encoding.invalid', fatal: true }]);
  });

  it('are joined as bytes, so rows in a single-byte encoding keep theirs', () => {
    const csv = { framing: 'csv' as const, extension: '.csv', quote: '"', header: true };
    const joined = joinMessages(csv, [Buffer.from('Town\nLiège\n', 'latin1'), Buffer.from('Town\nBrünner\n', 'latin1')]);
    expect(joined).toEqual(Buffer.from('Town\nLiège\nBrünner\n', 'latin1'));
  });
});

describe('choosing and joining by format', () => {
  it('reads .ndjson by lines and other JSON files by structure', async () => {
    const json = { framing: 'json' as const, extension: '.ndjson' };
    const lim = { maxMessageBytes: 200, xmlMaxDepth: 10 };
    expect(await collect(splitFile(chunks('{"a":\n1}\n', 64), json, 'x.ndjson', lim))).toEqual([m(0, 1, '{"a":'), m(1, 2, '1}')]);
    expect(await collect(splitFile(chunks('{"a":\n1}\n', 64), json, 'x.json', lim))).toEqual([m(0, 1, '{"a":\n1}')]);
  });

  it('joins rendered messages into one file of each framing', () => {
    expect(joinMessages({ framing: 'json', extension: '.ndjson' }, [Buffer.from('{"a":1}'), Buffer.from('{"b":2}')]).toString()).toBe('{"a":1}\n{"b":2}\n');
    expect(joinMessages({ framing: 'csv', extension: '.csv', quote: '"', header: true }, [Buffer.from('h1,h2\n1,2\n'), Buffer.from('h1,h2\n3,4\n')]).toString()).toBe('h1,h2\n1,2\n3,4\n');
    const xml = joinMessages(
      { framing: 'xml', extension: '.xml', messageElements: ['message'], batchRoot: { name: 'messages', namespaces: { xmlns: 'urn:m' } } },
      [Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<message xmlns="urn:m"><a>1</a></message>'), Buffer.from('<?xml version="1.0"?><message xmlns="urn:m"><a>2</a></message>')],
    ).toString();
    expect(xml).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<messages xmlns="urn:m">\n<message xmlns="urn:m"><a>1</a></message>\n<message xmlns="urn:m"><a>2</a></message>\n</messages>\n');
  });
});
