import { describe, expect, it } from 'vitest';
import type { AdapterContext } from '../../adapters/formats/format-adapter.js';
import { builtInFormats } from '../../adapters/formats/format-registry.js';
import { NIEM_CORE_20, NIEM_EXCHANGE_NAMESPACE, NIEM_FORMAT, niemFirearmFormat } from '../../adapters/formats/niem-firearm.js';
import { loadReferenceCatalogue } from '../../src/reference/reference-catalogue.js';
import { adapterContext } from './adapter-context.js';

/**
 * NIEM 2.0 firearm records (nc:Firearm, NCIC codes) read into canonical record.upsert messages.
 * The sample follows niem-core 2.0 element names and order, with a state-style extension
 * namespace for the make code as public IEPDs use.
 */
const base = adapterContext();
const ctx = { ...base, sender: { country: 'IT', agency: 'NCB-ROMA' }, receivedAt: new Date('2025-03-02T08:00:00Z') };
const reference = loadReferenceCatalogue(undefined, base.catalog);
const niem = builtInFormats({ reference }).get(NIEM_FORMAT)!;

const SAMPLE = `<?xml version="1.0" encoding="UTF-8"?>
<fre:FirearmRecord xmlns:fre="${NIEM_EXCHANGE_NAMESPACE}" xmlns:nc="${NIEM_CORE_20}"
    xmlns:s="http://niem.gov/niem/structures/2.0" xmlns:ext="http://example.org/state/firearm-codes/1.0">
  <nc:DocumentIdentification><nc:IdentificationID>SDI-2025-000731</nc:IdentificationID></nc:DocumentIdentification>
  <nc:DocumentCreationDate><nc:DateTime>2025-03-01T17:45:00+01:00</nc:DateTime></nc:DocumentCreationDate>
  <fre:RecordIdentification><nc:IdentificationID>IT-SDI-778812</nc:IdentificationID></fre:RecordIdentification>
  <fre:RecordStatusCode>Stolen</fre:RecordStatusCode>
  <nc:Firearm s:id="F1">
    <nc:ItemSerialIdentification><nc:IdentificationID>BER 0047821</nc:IdentificationID></nc:ItemSerialIdentification>
    <nc:ItemSerialIdentification><nc:IdentificationID>S-44190</nc:IdentificationID></nc:ItemSerialIdentification>
    <nc:ItemModelName>17 Gen4</nc:ItemModelName>
    <nc:ItemModelYearDate>2016</nc:ItemModelYearDate>
    <ext:FirearmMakeCode>GLC</ext:FirearmMakeCode>
    <nc:FirearmCategoryCode>P</nc:FirearmCategoryCode>
    <nc:FirearmCategoryDescriptionCode>I</nc:FirearmCategoryDescriptionCode>
    <nc:FirearmCaliberText>9mm Luger</nc:FirearmCaliberText>
    <nc:FirearmFinishText>black polymer</nc:FirearmFinishText>
  </nc:Firearm>
  <nc:Incident>
    <nc:ActivityIdentification><nc:IdentificationID>PROC-RM-2025-1187</nc:IdentificationID></nc:ActivityIdentification>
    <nc:ActivityDate><nc:Date>2025-02-27</nc:Date></nc:ActivityDate>
    <nc:ActivityDescriptionText>Stolen from a locked vehicle</nc:ActivityDescriptionText>
    <nc:IncidentLocation>
      <nc:LocationDescriptionText>Car park, Via Tiburtina</nc:LocationDescriptionText>
      <nc:LocationAddress><nc:StructuredAddress>
        <nc:LocationCityName>Roma</nc:LocationCityName>
        <nc:LocationCountryISO3166Alpha2Code>IT</nc:LocationCountryISO3166Alpha2Code>
      </nc:StructuredAddress></nc:LocationAddress>
    </nc:IncidentLocation>
  </nc:Incident>
</fre:FirearmRecord>`;

function normalise(xml: string, context: AdapterContext = ctx) {
  return niem.normalise(Buffer.from(xml, 'utf8'), context);
}

function errorsOf(outcome: ReturnType<typeof normalise>) {
  if (outcome.ok) throw new Error(`expected errors, got ${JSON.stringify(outcome.envelope)}`);
  return outcome.errors;
}

const glock = reference.resolveMake('GLC');
const glockName = glock.status === 'mapped' ? reference.manufacturer(glock.id)!.name : 'not in the reference data';

describe('NIEM 2.0 firearm record adapter', () => {
  it('maps a realistic record to the canonical record.upsert, every field in place', () => {
    const outcome = normalise(SAMPLE);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.envelope).toStrictEqual({
      messageId: 'SDI-2025-000731',
      type: 'record.upsert',
      sender: { country: 'IT', agency: 'NCB-ROMA' },
      sentAt: '2025-03-01T16:45:00.000Z',
      payload: {
        ownerReference: 'IT-SDI-778812',
        status: 'STOLEN',
        firearm: {
          serials: [{ value: 'BER 0047821' }, { value: 'S-44190' }],
          make: glockName,
          model: '17 Gen4',
          calibre: '9mm Luger',
          type: 'PI',
          finish: 'black polymer',
          yearOfManufacture: 2016,
        },
        event: {
          caseNumber: 'PROC-RM-2025-1187',
          date: '2025-02-27',
          circumstances: 'Stolen from a locked vehicle',
          place: { country: 'IT', locality: 'Roma', description: 'Car park, Via Tiburtina' },
        },
      },
    });
  });

  it('produces an envelope and payload that pass the hub\'s schemas', () => {
    const outcome = normalise(SAMPLE);
    if (!outcome.ok) throw new Error('not ok');
    const e = outcome.envelope as { payload: unknown };
    expect(base.catalog.check('urn:tracehub:schema:envelope', e)).toEqual([]);
    expect(base.catalog.check('urn:tracehub:schema:record.upsert', e.payload, '/payload')).toEqual([]);
  });

  it('translates an NCIC make code through the reference data, to a name the records module resolves to the same maker', () => {
    expect(glock.status).toBe('mapped');
    const make = ((normalise(SAMPLE) as { envelope: { payload: { firearm: { make: string } } } }).envelope.payload.firearm.make);
    const again = reference.resolveMake(make);
    expect(again).toMatchObject({ status: 'mapped', id: glock.status === 'mapped' ? glock.id : '' });
  });

  it('passes a make code the reference data lacks on as written, and takes free-text makes as they are', () => {
    const unknownCode = normalise(SAMPLE.replace('<ext:FirearmMakeCode>GLC</ext:FirearmMakeCode>', '<ext:FirearmMakeCode>QQX</ext:FirearmMakeCode>'));
    expect((unknownCode as { envelope: { payload: { firearm: { make: string } } } }).envelope.payload.firearm.make).toBe('QQX');
    const text = normalise(SAMPLE.replace('<ext:FirearmMakeCode>GLC</ext:FirearmMakeCode>', '<nc:FirearmMakeText>Pietro Beretta</nc:FirearmMakeText>'));
    expect((text as { envelope: { payload: { firearm: { make: string } } } }).envelope.payload.firearm.make).toBe('Pietro Beretta');
  });

  it('takes nc:FirearmMakeText when nc:FirearmMakeCode does not resolve, or is ZZZ (make unknown)', () => {
    const withText = (code: string) => SAMPLE.replace('<ext:FirearmMakeCode>GLC</ext:FirearmMakeCode>', `<ext:FirearmMakeCode>${code}</ext:FirearmMakeCode><nc:FirearmMakeText>Sturm, Ruger &amp; Co.</nc:FirearmMakeText>`);
    const makeOf = (xml: string) => (normalise(xml) as { envelope: { payload: { firearm: { make: string } } } }).envelope.payload.firearm.make;
    expect(makeOf(withText('QQQ'))).toBe('Sturm, Ruger & Co.');
    expect(makeOf(withText('ZZZ'))).toBe('Sturm, Ruger & Co.');
    // A code the reference data resolves names the maker, whatever text is beside it.
    expect(makeOf(withText('GLC'))).toBe(glockName);
  });

  it('keeps the unknown make ZZZ with its description (NCIC MIS), so the schema still demands one', () => {
    const zzz = SAMPLE.replace('<ext:FirearmMakeCode>GLC</ext:FirearmMakeCode>', '<ext:FirearmMakeCode>ZZZ</ext:FirearmMakeCode>').replace('<nc:ItemModelName>', '<nc:ItemDescriptionText>Black semi-automatic, no markings</nc:ItemDescriptionText><nc:ItemModelName>');
    const outcome = normalise(zzz);
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
    const firearm = (outcome.envelope as { payload: { firearm: Record<string, unknown> } }).payload.firearm;
    expect(firearm.make).toBe(reference.manufacturer('unknown')?.name);
    expect(firearm.makeDescription).toBe('Black semi-automatic, no markings');
  });

  it('takes the gauge when no calibre is given, and the category alone when the characteristic is missing', () => {
    const shotgun = SAMPLE.replace('<nc:FirearmCaliberText>9mm Luger</nc:FirearmCaliberText>', '<nc:FirearmGaugeText>12</nc:FirearmGaugeText>').replace('<nc:FirearmCategoryCode>P</nc:FirearmCategoryCode>', '<nc:FirearmCategoryCode>S</nc:FirearmCategoryCode>').replace('<nc:FirearmCategoryDescriptionCode>I</nc:FirearmCategoryDescriptionCode>', '');
    const firearm = (normalise(shotgun) as { envelope: { payload: { firearm: Record<string, unknown> } } }).envelope.payload.firearm;
    expect(firearm.calibre).toBe('12 gauge');
    expect(firearm.type).toBe('S');
  });

  it('derives the messageId from the bytes when the document has no identification, and sentAt from receipt', () => {
    const bare = SAMPLE.replace(/<nc:DocumentIdentification>.*<\/nc:DocumentIdentification>/, '').replace(/<nc:DocumentCreationDate>.*<\/nc:DocumentCreationDate>/, '');
    const a = normalise(bare) as { envelope: { messageId: string; sentAt: string } };
    const b = normalise(bare) as { envelope: { messageId: string } };
    expect(a.envelope.messageId).toMatch(/^niem-[0-9a-f]{32}$/);
    expect(b.envelope.messageId).toBe(a.envelope.messageId);
    expect(a.envelope.sentAt).toBe('2025-03-02T08:00:00.000Z');
  });

  describe('mapping errors', () => {
    it('refuses a creation date that is not an xsd:dateTime, naming its element, and reads one without a zone as UTC', () => {
      const dated = (value: string) => normalise(SAMPLE.replace('2025-03-01T17:45:00+01:00', value));
      for (const bad of ['01/02/2025', '2025-02-30T10:00:00Z', '2025-03-01 10:00:00Z', '2025-03-01T10:00:60Z']) {
        expect(dated(bad), bad).toEqual({ ok: false, errors: [expect.objectContaining({ pointer: '/sentAt', code: 'niem.date-time', source: expect.stringContaining('nc:DateTime') })] });
      }
      expect((dated('2025-03-01T10:00:00') as { envelope: { sentAt: string } }).envelope.sentAt).toBe('2025-03-01T10:00:00.000Z');
    });

    it('names every missing element by its XML path, all at once', () => {
      const broken = SAMPLE.replace(/<nc:ItemSerialIdentification>.*?<\/nc:ItemSerialIdentification>/g, '').replace(/<nc:ActivityDate>.*?<\/nc:ActivityDate>/, '').replace('<fre:RecordStatusCode>Stolen</fre:RecordStatusCode>', '');
      const errors = errorsOf(normalise(broken));
      expect(errors).toEqual(
        expect.arrayContaining([
          { pointer: '/payload/status', source: 'fre:FirearmRecord/fre:RecordStatusCode', code: 'niem.missing', message: 'the record status is missing' },
          expect.objectContaining({ pointer: '/payload/firearm/serials', source: 'fre:FirearmRecord/nc:Firearm/nc:ItemSerialIdentification/nc:IdentificationID', code: 'niem.missing' }),
          expect.objectContaining({ pointer: '/payload/event/date', source: 'fre:FirearmRecord/nc:Incident/nc:ActivityDate/nc:Date', code: 'niem.missing' }),
        ]),
      );
      expect(errors).toHaveLength(3);
    });

    it('names the element holding a value that is not a code of its list', () => {
      const errors = errorsOf(normalise(SAMPLE.replace('<nc:FirearmCategoryCode>P</nc:FirearmCategoryCode>', '<nc:FirearmCategoryCode>Pistol</nc:FirearmCategoryCode>').replace('>Stolen<', '>Borrowed<')));
      expect(errors).toEqual([
        expect.objectContaining({ source: 'fre:FirearmRecord/fre:RecordStatusCode', code: 'niem.unknown-status' }),
        expect.objectContaining({ source: 'fre:FirearmRecord/nc:Firearm/nc:FirearmCategoryCode', code: 'niem.bad-code' }),
      ]);
    });

    it('refuses another root element, DTDs, and records with no authenticated sender', () => {
      expect(errorsOf(normalise(`<nc:Firearm xmlns:nc="${NIEM_CORE_20}"/>`))[0]).toMatchObject({ code: 'niem.wrong-root' });
      expect(errorsOf(normalise(`<!DOCTYPE x [<!ENTITY a "b">]>${SAMPLE.replace(/^<\?xml[^>]*>/, '')}`))[0]).toMatchObject({ code: 'xml.dtd-forbidden' });
      expect(errorsOf(normalise(SAMPLE, base))[0]).toMatchObject({ pointer: '/sender', code: 'format.no-sender' });
    });

    it('points validation errors back at the element (sourceOf)', () => {
      expect(niem.sourceOf!('/payload/firearm/serials/0/value')).toBe('fre:FirearmRecord/nc:Firearm/nc:ItemSerialIdentification/nc:IdentificationID');
      expect(niem.sourceOf!('/payload/event/place/country')).toMatch(/nc:LocationCountryISO3166Alpha2Code$/);
      expect(niem.sourceOf!('/payload/restrictions')).toBeUndefined();
    });
  });

  it('names, for an error found in a value later, the element this document gave it in', () => {
    const raw = Buffer.from(SAMPLE.replace('<nc:FirearmCaliberText>9mm Luger</nc:FirearmCaliberText>', '<nc:FirearmCaliberCode>9MM</nc:FirearmCaliberCode>').replace('<ext:FirearmMakeCode>GLC</ext:FirearmMakeCode>', '<nc:FirearmMakeText>Glock</nc:FirearmMakeText>'));
    expect(niem.normalise(raw, ctx).ok).toBe(true);
    expect(niem.sourceOf!('/payload/firearm/calibre', raw)).toBe('fre:FirearmRecord/nc:Firearm/nc:FirearmCaliberCode');
    expect(niem.sourceOf!('/payload/firearm/make', raw)).toBe('fre:FirearmRecord/nc:Firearm/nc:FirearmMakeText');
    expect(niem.sourceOf!('/payload/firearm/serials/1/value', raw)).toBe('fre:FirearmRecord/nc:Firearm/nc:ItemSerialIdentification/nc:IdentificationID');
    const sample = Buffer.from(SAMPLE);
    niem.normalise(sample, ctx);
    expect(niem.sourceOf!('/payload/firearm/calibre', sample)).toBe('fre:FirearmRecord/nc:Firearm/nc:FirearmCaliberText');
    expect(niem.sourceOf!('/payload/firearm/make', sample)).toBe('fre:FirearmRecord/nc:Firearm/ext:FirearmMakeCode');
  });

  it('declares that it renders record.upsert only, so it is never chosen to carry replies', () => {
    expect(niem.renders).toEqual(['record.upsert']);
  });

  it('renders a record.upsert back to a NIEM record that reads to the same payload', () => {
    const first = normalise(SAMPLE);
    if (!first.ok) throw new Error('not ok');
    const xml = niem.render(first.envelope, ctx);
    expect(xml.toString()).toContain('<nc:FirearmMakeCode>GLC</nc:FirearmMakeCode>');
    const again = normalise(xml.toString());
    if (!again.ok) throw new Error(JSON.stringify(again.errors));
    expect((again.envelope as { payload: unknown }).payload).toStrictEqual((first.envelope as { payload: unknown }).payload);
  });

  it('works without reference data, passing codes through', () => {
    const plain = niemFirearmFormat();
    const outcome = plain.normalise(Buffer.from(SAMPLE), ctx);
    expect((outcome as { envelope: { payload: { firearm: { make: string } } } }).envelope.payload.firearm.make).toBe('GLC');
  });
});
