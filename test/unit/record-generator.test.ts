import { beforeAll, describe, expect, it } from 'vitest';
import { COUNTRIES } from '../../bench/support/country-profiles.js';
import { generateRecords, makerFamilies, patternMatches, plainSerial, readGeneratorReference, type GeneratedRecord, type GeneratorReference } from '../../bench/support/record-generator.js';
import { MAKERS } from '../../bench/support/maker-profiles.js';
import { loadSchemaCatalog } from '../../src/messages/schema-catalog.js';
import { loadReferenceCatalogue, type ReferenceCatalogue, type Resolution } from '../../src/reference/reference-catalogue.js';

/**
 * The benchmark's record generator: realistic records are only useful if they are valid messages,
 * their texts mean what the truth says, and their serials have the shapes and collisions of real
 * ones. Deterministic, so a figure measured on it can be reproduced.
 */
let reference: GeneratorReference;
let catalogue: ReferenceCatalogue;
let records: GeneratedRecord[];

beforeAll(() => {
  reference = readGeneratorReference();
  catalogue = loadReferenceCatalogue();
  records = generateRecords({ seed: 7, reference }, 30_000);
});

const names = (r: Resolution): string[] => (r.status === 'mapped' ? [r.id] : r.status === 'ambiguous' ? r.candidates : []);

describe('determinism', () => {
  it('gives the same records for the same seed and different ones for another seed', () => {
    const again = generateRecords({ seed: 7, reference }, 500);
    expect(JSON.stringify(again)).toBe(JSON.stringify(records.slice(0, 500)));
    const other = generateRecords({ seed: 8, reference }, 500);
    expect(other.map((r) => r.truth.serial)).not.toEqual(again.map((r) => r.truth.serial));
  });
});

describe('records are valid record.upsert messages of several owner countries', () => {
  it('validates every payload against the message schema', () => {
    const schemas = loadSchemaCatalog();
    const invalid = records.slice(0, 5000).flatMap((r) => schemas.check('urn:tracehub:schema:record.upsert', r.payload).map((e) => `${r.payload.ownerReference}: ${e.pointer} ${e.message}`));
    expect(invalid).toEqual([]);
  });

  it('spreads records over every country profile, with owner references unique per country', () => {
    const owners = new Set(records.map((r) => r.owner.country));
    expect([...owners].sort()).toEqual(COUNTRIES.map((c) => c.country).sort());
    const refs = records.map((r) => `${r.owner.country}/${r.payload.ownerReference}`);
    expect(new Set(refs).size).toBe(refs.length);
  });

  it('keeps to the countries asked for, owned by the agencies given', () => {
    const some = generateRecords({ seed: 1, reference, countries: ['FR', 'US'], agencies: { US: 'NCB-DC' } }, 300);
    expect(new Set(some.map((r) => r.owner.country))).toEqual(new Set(['FR', 'US']));
    expect(new Set(some.filter((r) => r.owner.country === 'US').map((r) => r.owner.agency))).toEqual(new Set(['NCB-DC']));
    expect(new Set(some.filter((r) => r.owner.country === 'FR').map((r) => r.owner.agency))).toEqual(new Set(['NCB-PARIS']));
  });
});

describe('descriptions are written the ways people write them and still mean the truth', () => {
  it('writes each maker, calibre and type in many ways, each resolving to the true id (or an ambiguity including it)', () => {
    const problems: string[] = [];
    for (const r of records) {
      const f = r.payload.firearm;
      const make = catalogue.resolveMake(f.make);
      if (r.truth.unmapped.includes('make')) {
        if (make.status === 'mapped' && make.id !== r.truth.makeId) problems.push(`misspelt make ${f.make} maps to ${make.id}`);
      } else if (!names(make).includes(r.truth.makeId)) problems.push(`make ${f.make} is not ${r.truth.makeId}`);
      if (!names(catalogue.resolveCalibre(f.calibre)).includes(r.truth.calibreId)) problems.push(`calibre ${f.calibre} is not ${r.truth.calibreId}`);
      const type = catalogue.resolveType(f.type);
      if (r.truth.unmapped.includes('type')) {
        if (type.status === 'mapped' && type.id !== r.truth.typeId) problems.push(`local type word ${f.type} maps to ${type.id}`);
        continue;
      }
      const truthType = catalogue.type(r.truth.typeId)!;
      const ok = type.status === 'mapped' && (type.id === r.truth.typeId || (catalogue.type(type.id)!.ncicCategory === truthType.ncicCategory && !catalogue.type(type.id)!.ncicTyp));
      if (!ok) problems.push(`type ${f.type} is neither ${r.truth.typeId} nor its category`);
    }
    expect([...new Set(problems)]).toEqual([]);
    const spellings = (id: string) => new Set(records.filter((r) => r.truth.makeId === id).map((r) => r.payload.firearm.make));
    expect(spellings('smith-wesson').size).toBeGreaterThan(8);
    expect([...spellings('smith-wesson')]).toEqual(expect.arrayContaining(['S&W', 'Smith & Wesson']));
    const calibres = new Set(records.filter((r) => r.truth.calibreId === '9x19mm').map((r) => r.payload.firearm.calibre));
    expect(calibres.size).toBeGreaterThan(10);
    expect(records.some((r) => r.payload.firearm.calibre === '9mm')).toBe(true); // ambiguous, as in real records
    expect(records.some((r) => /^\d,\d/.test(r.payload.firearm.calibre))).toBe(true); // decimal comma
    expect(records.some((r) => r.payload.firearm.type === 'PI')).toBe(true); // NCIC TYP
    expect(records.some((r) => r.payload.firearm.type === 'Selbstladepistole')).toBe(true);
  });

  it('draws a few deliberately unmappable texts and flags them in the truth', () => {
    const misspelt = records.filter((r) => r.truth.unmapped.includes('make'));
    expect(misspelt.length).toBeGreaterThan(0);
    expect(misspelt.length).toBeLessThan(records.length * 0.02);
    for (const r of misspelt.slice(0, 50)) expect(catalogue.resolveMake(r.payload.firearm.make).status).not.toBe('mapped');
  });
});

describe('serials have each maker\'s real formats', () => {
  const byMaker = (id: string) => records.filter((r) => r.truth.makeId === id).map((r) => r.truth.serial);

  it('draws every maker number from one of its maker\'s formats', () => {
    const formats = new Map(MAKERS.map((m) => [m.id, m.formats.map(([p]) => p)]));
    const wrong = records.filter((r) => !formats.get(r.truth.makeId)!.includes(r.truth.format) || !patternMatches(r.truth.format, r.truth.serial));
    expect(wrong.map((r) => `${r.truth.makeId} ${r.truth.format} ${r.truth.serial}`)).toEqual([]);
  });

  it.each([
    ['glock-gmbh', /^[A-Z]{3,4}\d{3}$/],
    ['smith-wesson', /^([A-Z]{1,2})?\d{5,6}$/],
    ['sturm-ruger', /^\d{3,4}-\d{5}$/],
    ['cz-ub', /^[A-Z]\d{4,6}$/],
    ['izhmekh', /^[\u0400-\u04FF]{2} ?\d{3,4}$|^\d{11}$/],
    ['kel-tec', /^\d{3}[A-Z]\d{3}$|^[A-Z]{3}\d{2}$/],
  ])('%s numbers look like %s', (maker, shape) => {
    const serials = byMaker(maker);
    expect(serials.length).toBeGreaterThan(10);
    for (const s of serials) expect(s).toMatch(shape);
  });

  it('marks US licensee prefixes, importer numbers after a semicolon or apart, padding zeros, Cyrillic and pure digits', () => {
    const values = records.flatMap((r) => r.payload.firearm.serials.map((s) => s.value));
    expect(values.some((v) => /^\d{8}-[A-Z0-9]+$/.test(v))).toBe(true);
    expect(values.some((v) => /;[A-Z]+\d{5}$/.test(v))).toBe(true);
    expect(records.some((r) => r.payload.firearm.serials.some((s) => s.kind === 'importer'))).toBe(true);
    expect(values.some((v) => /^0\d{4,}$/.test(v) || /^[A-Z]0\d+/.test(v))).toBe(true);
    expect(values.some((v) => /\p{Script=Cyrillic}/u.test(v))).toBe(true);
    expect(values.some((v) => /^\d{6}$/.test(v))).toBe(true);
    // Frame, slide and barrel carrying the same number.
    expect(records.some((r) => r.payload.firearm.serials.map((s) => s.location).join() === 'frame,slide,barrel')).toBe(true);
  });

  it('keeps numbers unique per maker, while the same number occurs at unrelated makers', () => {
    const seen = new Set<string>();
    for (const r of records) {
      const key = `${r.truth.makeId}|${plainSerial(r.truth.serial)}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
    }
    const families = makerFamilies(reference);
    const makersOf = new Map<string, Set<string>>();
    for (const r of records) {
      const k = plainSerial(r.truth.serial);
      if (!makersOf.has(k)) makersOf.set(k, new Set());
      makersOf.get(k)!.add(families.get(r.truth.makeId)!);
    }
    const shared = [...makersOf.values()].filter((m) => m.size > 1);
    expect(shared.length).toBeGreaterThan(50);
    expect(records.filter((r) => r.truth.crossMakerDuplicate).length).toBeGreaterThan(50);
    // A copied number really is another maker's number too.
    const dup = records.find((r) => r.truth.crossMakerDuplicate)!;
    expect(records.some((r) => r.truth.serial === dup.truth.serial && families.get(r.truth.makeId) !== families.get(dup.truth.makeId))).toBe(true);
  });
});
