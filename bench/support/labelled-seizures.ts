/**
 * A labelled evaluation set for the seizure matcher (issue 4, item 5): seizures of recorded guns,
 * read the ways serials are misread in practice, and seizures of guns that are in no record,
 * including guns of another maker that carry the very same number. Every seizure carries its
 * label, so precision and recall can be computed against the truth.
 *
 * Shape (one `LabelledSeizure` per seized firearm; the CLI bench/generate-labelled-set.ts writes
 * them one per line to seizures.ndjson, next to records.ndjson with the records they refer to):
 *
 *   {
 *     "id": "S000042",                         // unique in the set
 *     "seizingCountry": "DE", "seizingAgency": "NCB-WIESBADEN",
 *     "report": { ...seizure.report payload with exactly one firearm... },
 *     "label": {
 *       "kind": "lookalike",                   // SeizureKind: how the serial (or text) was read
 *       "truth": { "ownerCountry": "FR", "ownerReference": "FR-2019-0000001" } | null,
 *       "decoyOf": { ...record ref... },         // decoys only: the record whose number it shares
 *       "recordSerial": "AB12345",             // the true record's serial as marked (decoys: the shared record's)
 *       "seizedSerial": "A812345",             // = report.firearms[0].description.serials[0].value
 *       "change": "position 1: 'B' read as '8'",
 *       "truthIds": { "makeId": "smith-wesson", "calibreId": "9x19mm", "typeId": "semi-automatic-pistol" },
 *       "variations": ["make-text", "model-omitted"]
 *     }
 *   }
 *
 * A seizure is a hit to find when `label.truth` is not null (the record is in records.ndjson,
 * owned by truth.ownerCountry under truth.ownerReference); when it is null, every hit is a false
 * one. Kinds (`label.kind`):
 *
 * - serial read correctly, description written differently: `exact` (make, calibre and type
 *   re-written by the seizing officer, possibly the same text), `make-variant` (the make text
 *   differs from the record's, same maker), `calibre-alias` (the calibre text differs, same
 *   cartridge);
 * - serial misread: `lookalike` (one or two characters replaced by a look-alike: 0/O/D/Q,
 *   1/I/L/7, 5/S, 8/B, 2/Z, 6/G), `dropped-char`, `doubled-char`, `transposition` (two adjacent
 *   characters swapped), `spacing` (spaces or hyphens added, removed or changed), `missing-prefix`
 *   (an ATF licence prefix `12345678-` or the leading letters not read), `leading-zeros` (padding
 *   zeros added or dropped), `cyrillic-restamp` (the Latin number written with Cyrillic look-alike
 *   letters, or a Cyrillic number read as the Latin letters it looks like), `partial` (unreadable
 *   characters written as '?', with the `partial` flag, sometimes `obliterated`),
 *   `one-of-two-numbers` (only the maker's or only the importer's number of a gun that has both);
 * - no record: `not-recorded` (a gun in no record; its number, folded for case, separators and
 *   look-alikes, is no record's number at any maker), `decoy-same-serial` (a gun of another,
 *   unrelated maker with exactly the same number as marked as a recorded gun; no record of its own
 *   maker has that number).
 *
 * `variations` lists what else differs from the record, all realistic and all flagged so a bench
 * can break results down: `make-text`, `calibre-text`, `type-text`, `type-generic` (only the
 * category: "pistol" for a semi-automatic pistol), `make-misspelt` / `type-unmapped` (maps to
 * nothing), `calibre-ambiguous` ("9mm"), `model-omitted`, `country-omitted`.
 *
 * Deterministic: the same records and options give the same seizures (seeded PRNG, no clock).
 */
import type { FirearmDescription, SeizureReport } from '../../src/messages/generated-types.js';
import { COUNTRIES, countryProfile, type CountryProfile } from './country-profiles.js';
import { isoDate, makerFamilies, patternMatches, plainSerial, RecordGenerator, type GeneratedRecord, type GeneratorReference } from './record-generator.js';
import { makerProfile, MAKERS, type MakerProfile } from './maker-profiles.js';
import { Random } from './seeded-random.js';

export const POSITIVE_KINDS = [
  'exact',
  'make-variant',
  'calibre-alias',
  'lookalike',
  'dropped-char',
  'doubled-char',
  'transposition',
  'spacing',
  'missing-prefix',
  'leading-zeros',
  'cyrillic-restamp',
  'partial',
  'one-of-two-numbers',
] as const;
export const NEGATIVE_KINDS = ['not-recorded', 'decoy-same-serial'] as const;

export type PositiveKind = (typeof POSITIVE_KINDS)[number];
export type NegativeKind = (typeof NEGATIVE_KINDS)[number];
export type SeizureKind = PositiveKind | NegativeKind;

export interface RecordRef {
  ownerCountry: string;
  ownerReference: string;
}

export type Variation =
  | 'make-text'
  | 'calibre-text'
  | 'type-text'
  | 'type-generic'
  | 'make-misspelt'
  | 'type-unmapped'
  | 'calibre-ambiguous'
  | 'model-omitted'
  | 'country-omitted';

export interface SeizureLabel {
  kind: SeizureKind;
  /** The record of this very gun, or null when the gun is in no record. */
  truth: RecordRef | null;
  /** Decoys only: the record (of another maker) whose number this gun shares. */
  decoyOf?: RecordRef;
  /** The true record's primary serial as marked; for a decoy the shared record's; null for a gun in no record. */
  recordSerial: string | null;
  seizedSerial: string;
  /** What was done to the serial, for a human reading a miss. */
  change: string;
  /** What the seized gun really is (reference ids). */
  truthIds: { makeId: string; calibreId: string; typeId: string };
  variations: Variation[];
}

export interface LabelledSeizure {
  id: string;
  seizingCountry: string;
  seizingAgency: string;
  /** A `seizure.report` payload with exactly one firearm. */
  report: SeizureReport;
  label: SeizureLabel;
}

/** The seized firearm's description (the report's only firearm). */
export function seizedFirearm(s: LabelledSeizure): FirearmDescription {
  return s.report.firearms[0]!.description;
}

/** Default share of each kind; negatives are a quarter of the set, a tenth of it decoys. */
export const DEFAULT_MIX: Readonly<Record<SeizureKind, number>> = {
  exact: 0.12,
  'make-variant': 0.05,
  'calibre-alias': 0.04,
  lookalike: 0.09,
  'dropped-char': 0.05,
  'doubled-char': 0.04,
  transposition: 0.05,
  spacing: 0.06,
  'missing-prefix': 0.04,
  'leading-zeros': 0.03,
  'cyrillic-restamp': 0.04,
  partial: 0.06,
  'one-of-two-numbers': 0.03,
  'not-recorded': 0.15,
  'decoy-same-serial': 0.1,
};

export interface LabelledSetOptions {
  seed: number;
  reference: GeneratorReference;
  /** Number of seizures. */
  count: number;
  /** Share of each kind (normalised; a kind left out is not produced). */
  mix?: Partial<Record<SeizureKind, number>>;
  /** Seizing countries (each needs a CountryProfile); the records' owner countries by default. */
  seizingCountries?: readonly string[];
  /** Seizing agency per country (e.g. from config/partners); the profile's NCB otherwise. */
  agencies?: Readonly<Record<string, string>>;
}

// ---------------------------------------------------------------------------------------------
// Serial corruptions. Each returns the misread serial and a description, or undefined when it
// cannot apply to this serial; each changes exactly what its name says (unit tests check).

/** Look-alike classes (domain.md 7.4): any member may be read as any other member of its class. */
export const LOOKALIKE_CLASSES: readonly string[] = ['0ODQ', '1IL7', '5S', '8B', '2Z', '6G'];
const CLASS_OF = new Map<string, string>();
for (const c of LOOKALIKE_CLASSES) for (const ch of c) CLASS_OF.set(ch, c);

/** Latin capital → the Cyrillic capital drawn like it (the letters a Russian stamp shares with Latin). */
export const LATIN_TO_CYRILLIC: Readonly<Record<string, string>> = {
  A: 'А', B: 'В', C: 'С', E: 'Е', H: 'Н', K: 'К', M: 'М', O: 'О', P: 'Р', T: 'Т', X: 'Х', Y: 'У',
};
export const CYRILLIC_TO_LATIN: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(LATIN_TO_CYRILLIC).map(([l, c]) => [c, l]));

const isAlnum = (ch: string) => /[\p{L}\p{N}]/u.test(ch);
const isSeparator = (ch: string) => ch === ' ' || ch === '-';

type Corruption = { serial: string; change: string; partial?: boolean; obliterated?: boolean };

function positions(s: string, test: (ch: string, i: number) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) if (test(s[i]!, i)) out.push(i);
  return out;
}

function alnumCount(s: string): number {
  return positions(s, isAlnum).length;
}

export const CORRUPTIONS: Readonly<Record<Exclude<PositiveKind, 'exact' | 'make-variant' | 'calibre-alias' | 'one-of-two-numbers'>, (rnd: Random, s: string) => Corruption | undefined>> = {
  lookalike(rnd, s) {
    const at = positions(s, (ch) => CLASS_OF.has(ch));
    if (!at.length) return undefined;
    const n = at.length > 1 && rnd.chance(0.2) ? 2 : 1;
    const chosen = new Set<number>();
    while (chosen.size < n) chosen.add(rnd.pick(at));
    const chars = [...s];
    const notes: string[] = [];
    for (const i of [...chosen].sort((a, b) => a - b)) {
      const cls = CLASS_OF.get(chars[i]!)!;
      const others = [...cls].filter((c) => c !== chars[i]);
      const to = rnd.pick(others);
      notes.push(`position ${i}: '${chars[i]}' read as '${to}'`);
      chars[i] = to;
    }
    return { serial: chars.join(''), change: notes.join('; ') };
  },
  'dropped-char'(rnd, s) {
    if (alnumCount(s) < 4) return undefined;
    const i = rnd.pick(positions(s, isAlnum));
    return { serial: s.slice(0, i) + s.slice(i + 1), change: `'${s[i]}' at position ${i} not read` };
  },
  'doubled-char'(rnd, s) {
    if (alnumCount(s) < 3) return undefined;
    const i = rnd.pick(positions(s, isAlnum));
    return { serial: s.slice(0, i + 1) + s[i] + s.slice(i + 1), change: `'${s[i]}' at position ${i} written twice` };
  },
  transposition(rnd, s) {
    const at = positions(s, (ch, i) => i + 1 < s.length && isAlnum(ch) && isAlnum(s[i + 1]!) && ch !== s[i + 1]);
    if (!at.length) return undefined;
    const i = rnd.pick(at);
    return { serial: s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2), change: `'${s[i]}${s[i + 1]}' at position ${i} read as '${s[i + 1]}${s[i]}'` };
  },
  spacing(rnd, s) {
    const seps = positions(s, isSeparator);
    if (seps.length && rnd.chance(0.6)) {
      if (rnd.chance(0.5)) return { serial: s.replace(/[ -]/g, ''), change: 'spaces and hyphens left out' };
      const i = rnd.pick(seps);
      return { serial: s.slice(0, i) + (s[i] === ' ' ? '-' : ' ') + s.slice(i + 1), change: `'${s[i]}' at position ${i} written as '${s[i] === ' ' ? '-' : ' '}'` };
    }
    const gaps = positions(s, (ch, i) => i > 0 && isAlnum(ch) && isAlnum(s[i - 1]!));
    if (!gaps.length) return undefined;
    // Where a reader splits a number: between letters and digits first, else anywhere.
    const boundaries = gaps.filter((i) => /\p{L}/u.test(s[i - 1]!) !== /\p{L}/u.test(s[i]!));
    const i = rnd.pick(boundaries.length ? boundaries : gaps);
    const sep = rnd.chance(0.5) ? ' ' : '-';
    return { serial: s.slice(0, i) + sep + s.slice(i), change: `'${sep}' inserted before position ${i}` };
  },
  'missing-prefix'(_rnd, s) {
    const ffl = /^(\d{8}-)(.+)$/.exec(s);
    if (ffl) return { serial: ffl[2]!, change: `licence prefix '${ffl[1]}' not read` };
    const letters = /^(\p{L}+[ -]?)(.*\d.*)$/u.exec(s);
    if (letters && alnumCount(letters[2]!) >= 3) return { serial: letters[2]!, change: `prefix letters '${letters[1]!.trim()}' not read` };
    return undefined;
  },
  'leading-zeros'(rnd, s) {
    const m = /^(\p{L}*[ -]?)(0*)(\d+)(.*)$/u.exec(s);
    if (!m) return undefined;
    const [, head, zeros, digits, tail] = m as unknown as [string, string, string, string, string];
    if (zeros.length) return { serial: `${head}${digits}${tail}`, change: `padding '${zeros}' not written` };
    const add = '0'.repeat(rnd.between(1, 2));
    return { serial: `${head}${add}${digits}${tail}`, change: `padding '${add}' added` };
  },
  'cyrillic-restamp'(_rnd, s) {
    const chars = [...s];
    if (chars.some((ch) => /\p{Script=Cyrillic}/u.test(ch))) {
      if (!chars.every((ch) => !/\p{Script=Cyrillic}/u.test(ch) || CYRILLIC_TO_LATIN[ch])) return undefined;
      return { serial: chars.map((ch) => CYRILLIC_TO_LATIN[ch] ?? ch).join(''), change: 'Cyrillic letters read as the Latin letters they look like' };
    }
    if (!chars.some((ch) => LATIN_TO_CYRILLIC[ch])) return undefined;
    return { serial: chars.map((ch) => LATIN_TO_CYRILLIC[ch] ?? ch).join(''), change: 'Latin letters written with their Cyrillic look-alikes' };
  },
  partial(rnd, s) {
    const at = positions(s, isAlnum);
    if (at.length < 5) return undefined;
    const chars = [...s];
    const style = rnd.int(3);
    const n = Math.min(at.length - 4, rnd.between(1, 3));
    const masked = style === 0 ? at.slice(0, n) : style === 1 ? at.slice(at.length - n) : [...new Set(Array.from({ length: n }, () => rnd.pick(at)))];
    for (const i of masked) chars[i] = '?';
    const where = style === 0 ? 'first' : style === 1 ? 'last' : 'scattered';
    return { serial: chars.join(''), change: `${masked.length} ${where} character(s) unreadable`, partial: true, obliterated: rnd.chance(0.5) };
  },
};

// ---------------------------------------------------------------------------------------------
// The set

const PLACE_TYPES: readonly SeizureReport['place']['type'][] = ['inland', 'inland', 'inland', 'land-border', 'airport', 'seaport', 'postal'];
const CONTEXTS = ['Firearms trafficking', 'Armed robbery', 'Drug trafficking', 'Organised crime', 'Domestic violence', 'Illegal possession'];
const DAY = 86_400_000;
const LAST_SEIZURE_DAY = Date.UTC(2026, 10, 20);

/** Folds a serial the way any matcher at least should: case, spaces, hyphens and look-alikes. */
function foldedSerial(s: string): string {
  let out = '';
  for (const ch of plainSerial(s)) {
    const latin = CYRILLIC_TO_LATIN[ch] ?? ch;
    out += CLASS_OF.get(latin)?.[0] ?? latin;
  }
  return out;
}

interface Indexed {
  record: GeneratedRecord;
  ref: RecordRef;
  /** The maker's number as marked on the record (first serial value). */
  serial: string;
  parts: string[];
}

/**
 * Builds `options.count` labelled seizures for `records`. Each recorded gun is seized at most once.
 * Kinds that cannot apply to any record (a set without Cyrillic or prefixed serials) yield fewer of
 * that kind; the rest of the set is unaffected (see `summarise`).
 */
export function labelledSeizures(records: readonly GeneratedRecord[], options: LabelledSetOptions): LabelledSeizure[] {
  const rnd = new Random(options.seed);
  const mix = Object.entries(options.mix ?? DEFAULT_MIX).filter(([, w]) => (w ?? 0) > 0) as [SeizureKind, number][];
  const owners = [...new Set(records.map((r) => r.owner.country))];
  const seizing = (options.seizingCountries ?? owners).map(countryProfile);
  const families = makerFamilies(options.reference);
  // A generator for the guns that are in no record: its own stream, its own seed.
  const outsiders = new RecordGenerator({ seed: rnd.fork(), reference: options.reference, countries: seizing.map((c) => c.country) });
  const speller = outsiders.speller;

  const indexed: Indexed[] = records.map((record) => ({
    record,
    ref: { ownerCountry: record.owner.country, ownerReference: record.payload.ownerReference },
    serial: record.payload.firearm.serials[0]!.value,
    parts: [...new Set(record.payload.firearm.serials.flatMap((s) => s.value.split(';')))],
  }));
  const byMakerSerial = new Set(records.map((r) => `${r.truth.makeId}\u0000${plainSerial(r.truth.serial)}`));
  const foldedSerials = new Set(indexed.flatMap((x) => x.parts.map(foldedSerial)));
  const used = new Set<number>();

  const out: LabelledSeizure[] = [];
  for (let n = 0; n < options.count; n++) {
    const kind = rnd.weighted(mix);
    const country = rnd.pick(seizing);
    const agency = options.agencies?.[country.country] ?? country.agency;
    const made =
      kind === 'not-recorded'
        ? notRecorded(rnd, outsiders, country, foldedSerials)
        : kind === 'decoy-same-serial'
          ? decoy(rnd, indexed, used, outsiders, country, families, byMakerSerial)
          : recorded(rnd, kind, indexed, used, country, speller);
    if (!made) continue;
    const id = `S${String(n + 1).padStart(6, '0')}`;
    const day = Math.min(LAST_SEIZURE_DAY, Date.parse(made.after) + rnd.between(1, 3 * 365) * DAY);
    const placeType = rnd.pick(PLACE_TYPES);
    const report: SeizureReport = {
      seizureReference: `${country.country}-SZ-${id}`,
      date: isoDate(day),
      place: { type: placeType, country: country.country, locality: rnd.pick(country.localities) },
      legalBasis: 'National weapons law',
      criminalContext: rnd.pick(CONTEXTS),
      firearms: [{ itemReference: `${id}-1`, description: made.firearm }],
    };
    if (placeType !== 'inland') report.direction = rnd.weighted([['import', 6], ['transit', 2], ['export', 1]] as const);
    out.push({ id, seizingCountry: country.country, seizingAgency: agency, report, label: made.label });
  }
  return out;
}

interface Made {
  firearm: FirearmDescription;
  label: SeizureLabel;
  /** The seizure happens after this date (the record's event). */
  after: string;
}

function pickRecord(rnd: Random, indexed: readonly Indexed[], used: Set<number>, ok: (x: Indexed) => boolean): number | undefined {
  for (let tries = 0; tries < 400; tries++) {
    const i = rnd.int(indexed.length);
    if (!used.has(i) && ok(indexed[i]!)) return i;
  }
  // Rare kinds in small sets: look through all of them once.
  const start = rnd.int(indexed.length);
  for (let k = 0; k < indexed.length; k++) {
    const i = (start + k) % indexed.length;
    if (!used.has(i) && ok(indexed[i]!)) return i;
  }
  return undefined;
}

/** The seizing officer's description of a recorded gun: the truth, written their way. */
function describeSeized(
  rnd: Random,
  x: Indexed,
  country: CountryProfile,
  speller: RecordGenerator['speller'],
  serial: FirearmDescription['serials'][number],
): { firearm: FirearmDescription; variations: Variation[] } {
  const rec = x.record.payload.firearm;
  const truth = x.record.truth;
  const variations: Variation[] = [];
  const make = speller.make(rnd, truth.makeId);
  const calibre = speller.calibre(rnd, truth.calibreId, country.language);
  // Now and then the officer names only the category ("pistol"); national words often do anyway.
  const generic = speller.genericOf(truth.typeId);
  const onlyCategory = generic !== undefined && rnd.chance(0.1);
  const type = speller.type(rnd, onlyCategory ? generic : truth.typeId, country.language);
  if (onlyCategory || type.generic) variations.push('type-generic');
  const firearm: FirearmDescription = { serials: [serial], make: make.text, calibre, type: type.text };
  if (make.misspelt) variations.push('make-misspelt');
  else if (make.text !== rec.make) variations.push('make-text');
  if (calibre !== rec.calibre) variations.push('calibre-text');
  if (type.unmapped) variations.push('type-unmapped');
  else if (type.text !== rec.type) variations.push('type-text');
  if (rnd.chance(0.7)) firearm.model = rnd.pick(makerProfile(truth.makeId).models.find((m) => m.names[0] === truth.model)?.names ?? [truth.model]);
  else variations.push('model-omitted');
  if (rec.countryOfManufacture && rnd.chance(0.6)) firearm.countryOfManufacture = rec.countryOfManufacture;
  else variations.push('country-omitted');
  return { firearm, variations };
}

function isAmbiguousCalibre(text: string): boolean {
  return /^(9 ?mm|7[.,]62( ?mm)?|7[.,]65( ?mm)?|\.22|\.38|\.45)$/i.test(text.trim());
}

function recorded(rnd: Random, kind: PositiveKind, indexed: readonly Indexed[], used: Set<number>, country: CountryProfile, speller: RecordGenerator['speller']): Made | undefined {
  const single = (x: Indexed) => !x.serial.includes(';');
  let ok: (x: Indexed) => boolean;
  if (kind === 'one-of-two-numbers') ok = (x) => x.parts.length > 1;
  else if (kind === 'exact' || kind === 'make-variant' || kind === 'calibre-alias') ok = single;
  else {
    const corrupt = CORRUPTIONS[kind];
    // Decided on a throwaway stream so that trying a record does not shift the set's randomness.
    ok = (x) => single(x) && corrupt(new Random(1), x.serial) !== undefined;
  }
  const i = pickRecord(rnd, indexed, used, ok);
  if (i === undefined) return undefined;
  used.add(i);
  const x = indexed[i]!;
  const marked = x.record.payload.firearm.serials[0]!;

  let seized: Corruption;
  if (kind === 'one-of-two-numbers') {
    const part = rnd.chance(0.7) ? x.parts[0]! : rnd.pick(x.parts.slice(1));
    seized = { serial: part, change: `only '${part}' of ${x.parts.map((p) => `'${p}'`).join(' and ')} read` };
  } else if (kind === 'exact' || kind === 'make-variant' || kind === 'calibre-alias') {
    seized = { serial: x.serial, change: 'serial read as marked' };
  } else {
    seized = CORRUPTIONS[kind](rnd, x.serial)!;
  }
  const serial: FirearmDescription['serials'][number] = { value: seized.serial, location: marked.location ?? 'frame' };
  if (seized.partial) serial.partial = true;
  if (seized.obliterated) serial.obliterated = true;
  const { firearm, variations } = describeSeized(rnd, x, country, speller, serial);

  const rec = x.record.payload.firearm;
  if (kind === 'make-variant') {
    const other = speller.otherMake(rnd, x.record.truth.makeId, rec.make);
    if (!other) return undefined;
    firearm.make = other;
    replace(variations, ['make-misspelt'], 'make-text');
  }
  if (kind === 'calibre-alias') {
    const other = speller.otherCalibre(rnd, x.record.truth.calibreId, rec.calibre, country.language);
    if (!other) return undefined;
    firearm.calibre = other;
    replace(variations, [], 'calibre-text');
  }
  if (isAmbiguousCalibre(firearm.calibre)) variations.push('calibre-ambiguous');
  return {
    firearm,
    after: x.record.payload.event.date,
    label: {
      kind,
      truth: x.ref,
      recordSerial: x.serial,
      seizedSerial: seized.serial,
      change: seized.change,
      truthIds: { makeId: x.record.truth.makeId, calibreId: x.record.truth.calibreId, typeId: x.record.truth.typeId },
      variations: [...new Set(variations)],
    },
  };
}

function replace(list: Variation[], remove: Variation[], add: Variation): void {
  for (let i = list.length - 1; i >= 0; i--) if (remove.includes(list[i]!)) list.splice(i, 1);
  if (!list.includes(add)) list.push(add);
}

function notRecorded(rnd: Random, gen: RecordGenerator, country: CountryProfile, foldedSerials: ReadonlySet<string>): Made | undefined {
  for (let tries = 0; tries < 50; tries++) {
    const gun = gen.next();
    const parts = gun.payload.firearm.serials.flatMap((s) => s.value.split(';'));
    if (parts.some((p) => foldedSerials.has(foldedSerial(p)))) continue;
    const serial = gun.payload.firearm.serials[0]!.value.split(';')[0]!;
    const firearm: FirearmDescription = { ...gun.payload.firearm, serials: [{ value: serial, location: gun.payload.firearm.serials[0]!.location ?? 'frame' }] };
    delete firearm.importer;
    const variations: Variation[] = [];
    if (gun.truth.unmapped.includes('make')) variations.push('make-misspelt');
    if (gun.truth.unmapped.includes('type')) variations.push('type-unmapped');
    if (isAmbiguousCalibre(firearm.calibre)) variations.push('calibre-ambiguous');
    if (!firearm.model) variations.push('model-omitted');
    if (!firearm.countryOfManufacture) variations.push('country-omitted');
    return {
      firearm,
      after: gun.payload.event.date,
      label: {
        kind: 'not-recorded',
        truth: null,
        recordSerial: null,
        seizedSerial: serial,
        change: `a ${gun.truth.makeId} gun in no record (seized in ${country.country})`,
        truthIds: { makeId: gun.truth.makeId, calibreId: gun.truth.calibreId, typeId: gun.truth.typeId },
        variations,
      },
    };
  }
  return undefined;
}

function decoy(
  rnd: Random,
  indexed: readonly Indexed[],
  used: Set<number>,
  gen: RecordGenerator,
  country: CountryProfile,
  families: ReadonlyMap<string, string>,
  byMakerSerial: ReadonlySet<string>,
): Made | undefined {
  // The decoy's maker: unrelated to the record's, preferably one whose own format yields the number.
  const makerFor = (x: Indexed): MakerProfile | undefined => {
    const family = families.get(x.record.truth.makeId);
    const free = (m: MakerProfile) =>
      families.get(m.id) !== family && !byMakerSerial.has(`${m.id}\u0000${plainSerial(x.serial)}`) && !byMakerSerial.has(`${m.id}\u0000${plainSerial(x.record.truth.serial)}`);
    const fitting = MAKERS.filter((m) => free(m) && m.formats.some(([p]) => patternMatches(p, x.serial)));
    if (fitting.length) return rnd.pick(fitting);
    const any = MAKERS.filter(free);
    return any.length ? rnd.pick(any) : undefined;
  };
  const i = pickRecord(rnd, indexed, used, (x) => !x.serial.includes(';') && !x.serial.includes('?'));
  if (i === undefined) return undefined;
  const x = indexed[i]!;
  const maker = makerFor(x);
  if (!maker) return undefined;
  // Not marked used: the recorded gun itself can still be seized elsewhere in the set.
  const profile = countryProfile(country.country);
  const format = maker.formats.find(([p]) => patternMatches(p, x.serial))?.[0] ?? maker.formats[0]![0];
  const gun = gen.describe(rnd, profile, maker, x.serial, format, true);
  const firearm: FirearmDescription = { ...gun.payload.firearm, serials: [{ value: x.serial, location: 'frame' }] };
  delete firearm.importer;
  const variations: Variation[] = [];
  if (gun.truth.unmapped.includes('make')) variations.push('make-misspelt');
  if (gun.truth.unmapped.includes('type')) variations.push('type-unmapped');
  if (isAmbiguousCalibre(firearm.calibre)) variations.push('calibre-ambiguous');
  if (!firearm.model) variations.push('model-omitted');
  if (!firearm.countryOfManufacture) variations.push('country-omitted');
  return {
    firearm,
    after: x.record.payload.event.date,
    label: {
      kind: 'decoy-same-serial',
      truth: null,
      decoyOf: x.ref,
      recordSerial: x.serial,
      seizedSerial: x.serial,
      change: `a ${maker.id} gun with the number of a recorded ${x.record.truth.makeId} gun`,
      truthIds: { makeId: maker.id, calibreId: gun.truth.calibreId, typeId: gun.truth.typeId },
      variations,
    },
  };
}

/** Counts per kind and per variation, for a manifest. */
export function summarise(seizures: readonly LabelledSeizure[]): { total: number; positives: number; negatives: number; kinds: Record<string, number>; variations: Record<string, number> } {
  const kinds: Record<string, number> = {};
  const variations: Record<string, number> = {};
  let positives = 0;
  for (const s of seizures) {
    kinds[s.label.kind] = (kinds[s.label.kind] ?? 0) + 1;
    if (s.label.truth) positives++;
    for (const v of s.label.variations) variations[v] = (variations[v] ?? 0) + 1;
  }
  return { total: seizures.length, positives, negatives: seizures.length - positives, kinds, variations };
}

/** The owner countries the profiles know, for callers that validate a --countries list. */
export const KNOWN_COUNTRIES: readonly string[] = COUNTRIES.map((c) => c.country);
