import { beforeAll, describe, expect, it } from 'vitest';
import {
  CORRUPTIONS,
  CYRILLIC_TO_LATIN,
  LOOKALIKE_CLASSES,
  labelledSeizures,
  NEGATIVE_KINDS,
  POSITIVE_KINDS,
  seizedFirearm,
  summarise,
  type LabelledSeizure,
} from '../../bench/support/labelled-seizures.js';
import { loadSchemaCatalog } from '../../src/messages/schema-catalog.js';
import { generateRecords, makerFamilies, plainSerial, readGeneratorReference, type GeneratedRecord, type GeneratorReference } from '../../bench/support/record-generator.js';
import { Random } from '../../bench/support/seeded-random.js';

/**
 * The labelled seizure set the matcher is measured on. Its labels are the truth a precision and
 * recall figure rests on, so each is checked here independently of the hub's own serial code:
 * a corruption changes the serial exactly the way its kind says, a decoy shares the number but
 * not the maker, a gun "not recorded" is in no record, and the set is reproducible from its seed.
 */
let reference: GeneratorReference;
let records: GeneratedRecord[];
let seizures: LabelledSeizure[];
const recordOf = new Map<string, GeneratedRecord>();

beforeAll(() => {
  reference = readGeneratorReference();
  records = generateRecords({ seed: 11, reference, countries: ['FR', 'DE', 'US'] }, 8000);
  for (const r of records) recordOf.set(`${r.owner.country}/${r.payload.ownerReference}`, r);
  seizures = labelledSeizures(records, { seed: 12, reference, count: 1500 });
});

const ofKind = (kind: string) => seizures.filter((s) => s.label.kind === kind);
const truthOf = (s: LabelledSeizure) => recordOf.get(`${s.label.truth!.ownerCountry}/${s.label.truth!.ownerReference}`)!;
const sameClass = (a: string, b: string) => LOOKALIKE_CLASSES.some((c) => c.includes(a) && c.includes(b));
const isSep = (ch: string) => ch === ' ' || ch === '-';

describe('the set', () => {
  it('is reproducible from its seed and changes with it', () => {
    const again = labelledSeizures(records, { seed: 12, reference, count: 1500 });
    expect(JSON.stringify(again)).toBe(JSON.stringify(seizures));
    const other = labelledSeizures(records, { seed: 13, reference, count: 1500 });
    expect(other.map((s) => s.label.seizedSerial)).not.toEqual(seizures.map((s) => s.label.seizedSerial));
  });

  it('contains every kind, positives and negatives, with each recorded gun seized at most once', () => {
    const summary = summarise(seizures);
    for (const kind of [...POSITIVE_KINDS, ...NEGATIVE_KINDS]) expect(summary.kinds[kind] ?? 0, kind).toBeGreaterThan(5);
    expect(summary.negatives / summary.total).toBeGreaterThan(0.15);
    const truths = seizures.filter((s) => s.label.truth).map((s) => `${s.label.truth!.ownerCountry}/${s.label.truth!.ownerReference}`);
    expect(new Set(truths).size).toBe(truths.length);
  });

  it('labels every seizure of a recorded gun with a record that exists and the true reference ids', () => {
    for (const s of seizures.filter((x) => x.label.truth)) {
      const r = truthOf(s);
      expect(r, s.id).toBeDefined();
      expect(s.label.truthIds).toEqual({ makeId: r.truth.makeId, calibreId: r.truth.calibreId, typeId: r.truth.typeId });
      expect(s.label.recordSerial).toBe(r.payload.firearm.serials[0]!.value);
      expect(Date.parse(s.report.date)).toBeGreaterThan(Date.parse(r.payload.event.date));
    }
  });

  it('is made of valid seizure.report payloads', () => {
    const schemas = loadSchemaCatalog();
    const invalid = seizures.flatMap((s) => schemas.check('urn:tracehub:schema:seizure.report', s.report).map((e) => `${s.id}: ${e.pointer} ${e.message}`));
    expect(invalid).toEqual([]);
  });

  it('puts the seized serial, exactly as labelled, in a one-firearm seizure report', () => {
    for (const s of seizures) {
      expect(s.report.firearms).toHaveLength(1);
      expect(seizedFirearm(s).serials[0]!.value).toBe(s.label.seizedSerial);
      expect(s.report.place.country).toBe(s.seizingCountry);
    }
  });
});

describe('each corruption changes the serial exactly as its kind says', () => {
  it('exact, make-variant and calibre-alias keep the serial as marked', () => {
    for (const kind of ['exact', 'make-variant', 'calibre-alias']) for (const s of ofKind(kind)) expect(s.label.seizedSerial).toBe(s.label.recordSerial);
  });

  it('make-variant writes the same maker differently; calibre-alias the same cartridge differently', () => {
    const key = (t: string) => t.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
    for (const s of ofKind('make-variant')) expect(key(seizedFirearm(s).make)).not.toBe(key(truthOf(s).payload.firearm.make));
    for (const s of ofKind('calibre-alias')) expect(key(seizedFirearm(s).calibre)).not.toBe(key(truthOf(s).payload.firearm.calibre));
  });

  it('lookalike replaces one or two characters, each by a member of its look-alike class', () => {
    for (const s of ofKind('lookalike')) {
      const [a, b] = [[...s.label.recordSerial!], [...s.label.seizedSerial]];
      expect(b).toHaveLength(a.length);
      const diff = a.map((ch, i) => [ch, b[i]!] as const).filter(([x, y]) => x !== y);
      expect(diff.length).toBeGreaterThanOrEqual(1);
      expect(diff.length).toBeLessThanOrEqual(2);
      for (const [x, y] of diff) expect(sameClass(x, y), `${x}/${y} in ${s.id}`).toBe(true);
    }
  });

  it('dropped-char removes one character, doubled-char repeats one, transposition swaps two adjacent ones', () => {
    for (const s of ofKind('dropped-char')) {
      const r = s.label.recordSerial!;
      expect([...r].some((_, i) => r.slice(0, i) + r.slice(i + 1) === s.label.seizedSerial)).toBe(true);
    }
    for (const s of ofKind('doubled-char')) {
      const r = s.label.recordSerial!;
      expect([...r].some((ch, i) => r.slice(0, i + 1) + ch + r.slice(i + 1) === s.label.seizedSerial)).toBe(true);
    }
    for (const s of ofKind('transposition')) {
      const r = s.label.recordSerial!;
      expect(s.label.seizedSerial).not.toBe(r);
      expect([...r].some((_, i) => i + 1 < r.length && r.slice(0, i) + r[i + 1] + r[i] + r.slice(i + 2) === s.label.seizedSerial)).toBe(true);
    }
  });

  it('spacing changes only spaces and hyphens', () => {
    for (const s of ofKind('spacing')) {
      expect(s.label.seizedSerial).not.toBe(s.label.recordSerial);
      expect(s.label.seizedSerial.replace(/[ -]/g, '')).toBe(s.label.recordSerial!.replace(/[ -]/g, ''));
    }
  });

  it('missing-prefix drops a licence prefix or the leading letters, keeping the rest', () => {
    for (const s of ofKind('missing-prefix')) {
      const r = s.label.recordSerial!;
      expect(r.endsWith(s.label.seizedSerial)).toBe(true);
      const dropped = r.slice(0, r.length - s.label.seizedSerial.length);
      expect(dropped).toMatch(/^(\d{8}-|\p{L}+[ -]?)$/u);
    }
  });

  it('leading-zeros adds or removes padding zeros in front of the number, nothing else', () => {
    const unpadded = (v: string) => v.replace(/^(\p{L}*[ -]?)0+(?=\d)/u, '$1');
    for (const s of ofKind('leading-zeros')) {
      expect(s.label.seizedSerial).not.toBe(s.label.recordSerial);
      expect(unpadded(s.label.seizedSerial)).toBe(unpadded(s.label.recordSerial!));
    }
  });

  it('cyrillic-restamp swaps the script of the look-alike letters and nothing else', () => {
    const toLatin = (v: string) => [...v].map((ch) => CYRILLIC_TO_LATIN[ch] ?? ch).join('');
    for (const s of ofKind('cyrillic-restamp')) {
      expect(s.label.seizedSerial).not.toBe(s.label.recordSerial);
      expect(toLatin(s.label.seizedSerial)).toBe(toLatin(s.label.recordSerial!));
      const cyr = (v: string) => /\p{Script=Cyrillic}/u.test(v);
      expect(cyr(s.label.seizedSerial)).not.toBe(cyr(s.label.recordSerial!));
    }
  });

  it('partial replaces unreadable characters by ? (flagged partial) and keeps the readable ones in place', () => {
    for (const s of ofKind('partial')) {
      const [r, p] = [[...s.label.recordSerial!], [...s.label.seizedSerial]];
      expect(p).toHaveLength(r.length);
      expect(p.filter((ch) => ch === '?').length).toBeGreaterThanOrEqual(1);
      p.forEach((ch, i) => ch !== '?' && expect(ch).toBe(r[i]));
      expect(p.filter((ch) => ch !== '?' && !isSep(ch)).length).toBeGreaterThanOrEqual(4);
      expect(seizedFirearm(s).serials[0]!.partial).toBe(true);
    }
  });

  it('one-of-two-numbers reads only one of the numbers a gun carries', () => {
    for (const s of ofKind('one-of-two-numbers')) {
      const parts = truthOf(s).payload.firearm.serials.flatMap((x) => x.value.split(';'));
      expect(new Set(parts).size).toBeGreaterThan(1);
      expect(parts).toContain(s.label.seizedSerial);
    }
  });

  it('a corruption that cannot apply says so instead of inventing a change', () => {
    const rnd = new Random(1);
    expect(CORRUPTIONS['missing-prefix'](rnd, '123456')).toBeUndefined();
    expect(CORRUPTIONS['cyrillic-restamp'](rnd, '123456')).toBeUndefined();
    expect(CORRUPTIONS['cyrillic-restamp'](rnd, 'БД 1234')).toBeUndefined(); // no Latin look-alike for Б or Д
    expect(CORRUPTIONS.lookalike(rnd, 'AHK')).toBeUndefined();
    expect(CORRUPTIONS['missing-prefix'](rnd, '12345678-ABC123')).toEqual({ serial: 'ABC123', change: "licence prefix '12345678-' not read" });
  });
});

describe('guns in no record', () => {
  it('decoys share a recorded gun\'s number exactly but come from another, unrelated maker that has no such record', () => {
    const families = makerFamilies(reference);
    const decoys = ofKind('decoy-same-serial');
    for (const s of decoys) {
      expect(s.label.truth).toBeNull();
      const shared = recordOf.get(`${s.label.decoyOf!.ownerCountry}/${s.label.decoyOf!.ownerReference}`)!;
      expect(s.label.seizedSerial).toBe(shared.payload.firearm.serials[0]!.value);
      expect(s.label.truthIds.makeId).not.toBe(shared.truth.makeId);
      expect(families.get(s.label.truthIds.makeId)).not.toBe(families.get(shared.truth.makeId));
      const sameMaker = records.filter((r) => r.truth.makeId === s.label.truthIds.makeId && plainSerial(r.truth.serial) === plainSerial(s.label.seizedSerial));
      expect(sameMaker).toEqual([]);
    }
  });

  it('not-recorded guns carry a number that is no record\'s number, even folded for case, separators and look-alikes', () => {
    const fold = (v: string) =>
      [...plainSerial(v)].map((ch) => {
        const l = CYRILLIC_TO_LATIN[ch] ?? ch;
        return LOOKALIKE_CLASSES.find((c) => c.includes(l))?.[0] ?? l;
      }).join('');
    const recorded = new Set(records.flatMap((r) => r.payload.firearm.serials.flatMap((x) => x.value.split(';')).map(fold)));
    for (const s of ofKind('not-recorded')) {
      expect(s.label.truth).toBeNull();
      expect(recorded.has(fold(s.label.seizedSerial)), s.label.seizedSerial).toBe(false);
    }
  });
});
