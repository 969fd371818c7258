import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { csvMappedFormat, parseMappedDate } from '../../adapters/formats/csv-mapped-format.js';
import { loadCsvMappings } from '../../adapters/formats/csv-mappings.js';
import { formatCsvRow, parseCsvRecords } from '../../adapters/formats/csv-record.js';
import type { AdapterContext } from '../../adapters/formats/format-adapter.js';
import { builtInFormats } from '../../adapters/formats/format-registry.js';
import { ConfigError } from '../../src/config/config-error.js';
import { projectRoot } from '../../src/config/project-root.js';
import type { CsvMapping } from '../../src/messages/generated-types.js';
import { adapterContext } from './adapter-context.js';

/**
 * CSV with a per-partner column mapping: a layout is a configuration file (config/formats/),
 * each row one canonical message; errors name the column as the partner wrote it.
 */
const base = adapterContext();
const ctx = { ...base, sender: { country: 'GB', agency: 'NCB-MANCHESTER' }, receivedAt: new Date('2025-03-02T08:00:00Z') };
const gb = builtInFormats({ configDir: join(projectRoot(), 'config'), catalog: base.catalog }).get('csv-gb-firearms')!;

const HEADER = 'Record Ref,Status,Serial No,Make,Model,Calibre,Weapon Type,Country of Manufacture,Year of Manufacture,Date Reported,Crime Ref,Town,Circumstances,Description';
const ROW = 'GB-2025-0001,Stolen,ABC1234;XYZ 99,Glock,17,9mm Luger,Pistol,AT,2015,14/02/2025,CR/2025/0001,Leeds,"Taken in a burglary, the safe ""forced""",';

const normalise = (text: string, format = gb, context: AdapterContext = ctx) => format.normalise(Buffer.from(text, 'utf8'), context);
function errorsOf(outcome: ReturnType<typeof normalise>) {
  if (outcome.ok) throw new Error(`expected errors, got ${JSON.stringify(outcome.envelope)}`);
  return outcome.errors;
}
function payloadOf(outcome: ReturnType<typeof normalise>): Record<string, any> {
  if (!outcome.ok) throw new Error(`expected ok, got ${JSON.stringify(outcome.errors)}`);
  return (outcome.envelope as { payload: Record<string, any> }).payload;
}

describe('the GB register layout (config/formats/csv-gb-firearms.json)', () => {
  it('maps a header and a row to a canonical record.upsert that passes the schemas', () => {
    const outcome = normalise(`${HEADER}\n${ROW}`);
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
    const e = outcome.envelope as Record<string, any>;
    expect(e).toMatchObject({ type: 'record.upsert', sender: { country: 'GB', agency: 'NCB-MANCHESTER' }, sentAt: '2025-03-02T08:00:00.000Z' });
    expect(e.messageId).toMatch(/^csv-gb-firearms-[0-9a-f]{32}$/);
    expect(e.payload).toStrictEqual({
      ownerReference: 'GB-2025-0001',
      status: 'STOLEN',
      firearm: { serials: [{ value: 'ABC1234' }, { value: 'XYZ 99' }], make: 'Glock', model: '17', calibre: '9mm Luger', type: 'Pistol', countryOfManufacture: 'AT', yearOfManufacture: 2015 },
      event: { date: '2025-02-14', caseNumber: 'CR/2025/0001', place: { locality: 'Leeds', country: 'GB' }, circumstances: 'Taken in a burglary, the safe "forced"' },
    });
    expect(base.catalog.check('urn:tracehub:schema:envelope', e)).toEqual([]);
    expect(base.catalog.check('urn:tracehub:schema:record.upsert', e.payload, '/payload')).toEqual([]);
  });

  it('gives the same row the same messageId whatever file it comes in, and a changed row another', () => {
    const id = (text: string) => (normalise(text) as { envelope: { messageId: string } }).envelope.messageId;
    expect(id(`${HEADER}\n${ROW}`)).toBe(id(`${HEADER}\r\n${ROW}\r\n`));
    expect(id(`${HEADER}\n${ROW.replace('Leeds', 'York')}`)).not.toBe(id(`${HEADER}\n${ROW}`));
  });

  it('finds columns by header name, whatever their order', () => {
    const cols = HEADER.split(',');
    const values = parseCsvRecords(ROW, { delimiter: ',', quote: '"' });
    if (!values.ok) throw new Error('bad row');
    const order = cols.map((_, i) => i).reverse();
    const text = `${formatCsvRow(order.map((i) => cols[i]!), { delimiter: ',', quote: '"' })}\n${formatCsvRow(order.map((i) => values.records[0]![i]!), { delimiter: ',', quote: '"' })}`;
    expect(payloadOf(normalise(text))).toStrictEqual(payloadOf(normalise(`${HEADER}\n${ROW}`)));
  });

  describe('mapping errors name the column', () => {
    it('reports every bad value of a row at once', () => {
      const bad = ROW.replace('Stolen', 'Borrowed').replace('14/02/2025', '31/02/2025').replace(',2015,', ',twenty,');
      const errors = errorsOf(normalise(`${HEADER}\n${bad}`));
      expect(errors).toEqual([
        { pointer: '/payload/status', source: 'Status', code: 'csv.unknown-code', message: '"Borrowed" is not one of "Lost", "Stolen", "Trafficked", "Smuggled", "Seized for tracing"' },
        { pointer: '/payload/firearm/yearOfManufacture', source: 'Year of Manufacture', code: 'csv.not-an-integer', message: '"twenty" is not a whole number' },
        { pointer: '/payload/event/date', source: 'Date Reported', code: 'csv.not-a-date', message: '"31/02/2025" is not a date written DD/MM/YYYY' },
      ]);
    });

    it('rejects an empty required column, and leaves out an empty optional one', () => {
      const cells = parseCsvRecords(ROW, { delimiter: ',', quote: '"' });
      if (!cells.ok) throw new Error('bad row');
      const row = [...cells.records[0]!];
      row[3] = '';
      row[4] = '';
      const outcome = normalise(`${HEADER}\n${formatCsvRow(row, { delimiter: ',', quote: '"' })}`);
      expect(errorsOf(outcome)).toEqual([{ pointer: '/payload/firearm/make', source: 'Make', code: 'csv.value-missing', message: 'is empty' }]);
    });

    it('names a column the file lacks, and a row with the wrong number of fields', () => {
      const noTown = HEADER.replace('Town', 'City');
      expect(errorsOf(normalise(`${noTown}\n${ROW}`))).toEqual([expect.objectContaining({ source: 'Town', code: 'csv.column-missing' })]);
      expect(errorsOf(normalise(`${HEADER}\nGB-1,Stolen,ABC`))).toEqual([{ pointer: '/', source: 'row', code: 'csv.field-count', message: 'has 3 fields where the header names 14 columns' }]);
      expect(errorsOf(normalise(`${HEADER}\nGB-1,"open`))[0]).toMatchObject({ code: 'csv.malformed' });
    });

    it('refuses a header naming a column it reads twice, naming the column, rather than keep either cell', () => {
      expect(errorsOf(normalise(`${HEADER},Serial No\n${ROW},OTHER-SERIAL`))).toEqual([
        { pointer: '/', source: 'Serial No', code: 'csv.duplicate-column', message: 'the header names the column "Serial No" more than once' },
      ]);
      // A column the layout does not read may repeat: nothing is taken from it.
      expect(payloadOf(normalise(`${HEADER},Notes,Notes\n${ROW},a,b`))).toStrictEqual(payloadOf(normalise(`${HEADER}\n${ROW}`)));
    });

    it('needs a sender from the channel: CSV rows carry none', () => {
      expect(errorsOf(normalise(`${HEADER}\n${ROW}`, gb, base))).toEqual([expect.objectContaining({ pointer: '/sender', code: 'format.no-sender' })]);
    });

    it('points validation errors back at the column (sourceOf)', () => {
      expect(gb.sourceOf!('/payload/firearm/serials/1/value')).toBe('Serial No');
      expect(gb.sourceOf!('/payload/event/date')).toBe('Date Reported');
      expect(gb.sourceOf!('/payload/event/place/country')).toBeUndefined();
    });
  });

  it('declares that it renders its own message type only, so it is never chosen to carry replies', () => {
    expect(gb.renders).toEqual(['record.upsert']);
  });

  it('renders a record.upsert back into the layout', () => {
    const envelope = (normalise(`${HEADER}\n${ROW}`) as { envelope: unknown }).envelope;
    const text = gb.render(envelope, ctx).toString();
    expect(payloadOf(normalise(text))).toStrictEqual(payloadOf(normalise(`${HEADER}\n${ROW}`)));
    expect(text).toContain('14/02/2025');
    expect(() => gb.render({ type: 'hub.notice', payload: {} }, ctx)).toThrow(/record\.upsert messages only/);
  });
});

describe('a layout without a header, with a messageId column and a transform module', () => {
  const mapping: CsvMapping = {
    name: 'csv-xx-test',
    type: 'record.upsert',
    csv: { delimiter: ';', header: false, columns: ['id', 'ref', 'serial', 'make', 'cal', 'typ', 'date', 'case'] },
    messageId: { column: 'id', prefix: 'XX-' },
    fields: {
      '/ownerReference': { column: 'ref' },
      '/status': { const: 'LOST' },
      '/firearm/serials/0/value': { column: 'serial' },
      '/firearm/make': { column: 'make' },
      '/firearm/calibre': { column: 'cal' },
      '/firearm/type': { column: 'typ' },
      '/event/date': { column: 'date', as: 'date', dateFormat: 'YYYYMMDD' },
      '/event/caseNumber': { column: 'case' },
    },
  };
  const xx = csvMappedFormat(mapping, { transform: (payload) => ((payload.firearm as Record<string, unknown>).make = String((payload.firearm as Record<string, unknown>).make).toUpperCase()) });

  it('reads the row by column position, takes the messageId from its column and lets the module adjust the payload', () => {
    const outcome = normalise('M-77;XX-1;S1;beretta;.22 LR;rifle;20250105;C-1\n', xx);
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
    expect((outcome.envelope as { messageId: string }).messageId).toBe('XX-M-77');
    expect(payloadOf(outcome)).toStrictEqual({ ownerReference: 'XX-1', status: 'LOST', firearm: { serials: [{ value: 'S1' }], make: 'BERETTA', calibre: '.22 LR', type: 'rifle' }, event: { date: '2025-01-05', caseNumber: 'C-1' } });
  });
});

describe('numbers', () => {
  const mapping: CsvMapping = {
    name: 'csv-nn-test',
    type: 'record.upsert',
    csv: { delimiter: ';', header: false, columns: ['ref', 'serial', 'length', 'date'] },
    fields: {
      '/ownerReference': { column: 'ref' },
      '/status': { const: 'LOST' },
      '/firearm/serials/0/value': { column: 'serial' },
      '/firearm/make': { const: 'Glock' },
      '/firearm/calibre': { const: '9mm Luger' },
      '/firearm/type': { const: 'pistol' },
      '/firearm/barrelLength/value': { column: 'length', as: 'number' },
      '/firearm/barrelLength/unit': { const: 'mm' },
      '/event/date': { column: 'date', as: 'date', dateFormat: 'YYYYMMDD' },
      '/event/caseNumber': { const: 'C-1' },
    },
  };
  const nn = csvMappedFormat(mapping);
  const length = (text: string) => normalise(`R-1;S1;${text};20250105\n`, nn);

  it('reads a decimal point or a decimal comma', () => {
    expect(payloadOf(length('114.5')).firearm.barrelLength).toEqual({ value: 114.5, unit: 'mm' });
    expect(payloadOf(length('114,5')).firearm.barrelLength).toEqual({ value: 114.5, unit: 'mm' });
  });

  it('refuses a number that reads two ways, or is not written as a plain decimal, naming the column', () => {
    expect(errorsOf(length('1,143'))).toEqual([expect.objectContaining({ source: 'length', code: 'csv.ambiguous-number' })]);
    for (const odd of ['0x72', '1e2', '1,2,3', '114 mm']) expect(errorsOf(length(odd)), odd).toEqual([expect.objectContaining({ source: 'length', code: 'csv.not-a-number' })]);
  });
});

describe('date formats', () => {
  it.each([
    ['2025-02-14', 'YYYY-MM-DD', '2025-02-14'],
    ['14/02/2025', 'DD/MM/YYYY', '2025-02-14'],
    ['02/14/2025', 'MM/DD/YYYY', '2025-02-14'],
    ['14.2.2025', 'DD.MM.YYYY', '2025-02-14'],
    ['20250214', 'YYYYMMDD', '2025-02-14'],
    ['29/02/2024', 'DD/MM/YYYY', '2024-02-29'],
    ['29/02/2025', 'DD/MM/YYYY', undefined],
    ['14/02/2025', 'MM/DD/YYYY', undefined],
  ])('%s written %s is %s', (text, format, iso) => {
    expect(parseMappedDate(text, format)).toBe(iso);
  });
});

describe('CSV records', () => {
  it('parses quoted fields holding delimiters, doubled quotes and line breaks', () => {
    expect(parseCsvRecords('a,"b,c","d ""e""","f\ng"\r\n1,,3,', { delimiter: ',', quote: '"' })).toEqual({ ok: true, records: [['a', 'b,c', 'd "e"', 'f\ng'], ['1', '', '3', '']] });
    expect(parseCsvRecords('a,"b"x', { delimiter: ',', quote: '"' })).toMatchObject({ ok: false });
  });

  it('quotes only the fields that need it', () => {
    expect(formatCsvRow(['a', 'b,c', 'say "hi"', ' pad'], { delimiter: ',', quote: '"' })).toBe('a,"b,c","say ""hi"""," pad"');
  });
});

describe('loading layouts from config/formats', () => {
  // A spec may make several; each is removed after it.
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  function configWith(name: string, mapping: unknown): string {
    const dir = mkdtempSync(join(tmpdir(), 'csv-mappings-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'formats'));
    cpSync(join(projectRoot(), 'config', 'formats'), join(dir, 'formats'), { recursive: true });
    writeFileSync(join(dir, 'formats', name), JSON.stringify(mapping));
    return dir;
  }

  it('makes one format per file, named by the file', () => {
    const formats = loadCsvMappings(configWith('csv-xx-test.json', { ...{ name: 'csv-xx-test', type: 'record.upsert', fields: { '/ownerReference': { column: 'ref' } } } }), base.catalog);
    expect(formats.map((f) => f.name)).toEqual(['csv-gb-firearms', 'csv-xx-test']);
  });

  it('stops with the file, field and fault of a bad layout', () => {
    const cases: [unknown, string, RegExp][] = [
      [{ name: 'csv-xx-test', type: 'record.upsert', fields: { '/firearm/serials/*/value': { column: 'serial' } } }, '/fields/~1firearm~1serials~1*~1value', /needs `split`/],
      [{ name: 'csv-xx-test', type: 'record.upsert', csv: { header: false }, fields: { '/a': { column: 'a' } } }, '/csv/columns', /required when the file has no header/],
      [{ name: 'csv-xx-test', type: 'record.upsert', fields: { '/a': { column: 'a', as: 'date', dateFormat: 'D/M/Y' } } }, '/fields/~1a/dateFormat', /must be one of: YYYY-MM-DD/],
      [{ name: 'csv-other', type: 'record.upsert', fields: { '/a': { column: 'a' } } }, '/name', /name it csv-other\.json/],
    ];
    for (const [mapping, pointer, message] of cases) {
      try {
        loadCsvMappings(configWith('csv-xx-test.json', mapping), base.catalog);
        throw new Error('expected a ConfigError');
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as ConfigError).file).toMatch(/formats[\\/]csv-xx-test\.json$/);
        expect((err as ConfigError).problems).toEqual(expect.arrayContaining([expect.objectContaining({ pointer, message: expect.stringMatching(message) })]));
      }
    }
  });
});
