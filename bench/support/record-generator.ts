/**
 * Realistic, deterministic firearm records for benchmarks and evaluation sets.
 *
 * What it makes: `record.upsert` payloads (schemas/messages/record.upsert.schema.json, with the
 * shared firearm description of schemas/firearm.schema.json) owned by several countries, each
 * record with the truth behind it (maker, calibre and type reference ids; the primary serial as
 * marked and the format it was drawn from), so an evaluation can score a matcher against it.
 *
 * Realism, and where it comes from (../shared/reference/domain.md section 7):
 * - makers, calibres and types are reference ids of config/reference/*.json, and the text is
 *   written the many ways real clerks write it: the reference names and aliases, national words
 *   ("Selbstladepistole", "pistolet", NCIC "PI"), upper/lower/title case, spacing around "&" and
 *   hyphens, decimal commas ("7,65 Browning"), "Kal."/"cal." noise, an ambiguous short form now
 *   and then ("Glock", "9mm") and a rare misspelling that maps to nothing ("Berreta");
 * - serials follow each maker's format: Glock 'ABC123', S&W 'AB12345', Ruger '123-45678',
 *   CZ 'A123456', Kel-Tec NCIC embedded letters '369J257', H&K '12-123456', Walther suffix
 *   letters '123456A', Makarov and AK Cyrillic 'АК 4712', Mossberg 'V0123456' padding zeros, pure
 *   digits (Colt, older S&W, Norinco, Zastava), ATF abbreviated-licence prefixes
 *   '12345678-ABC123' for US licensees since 2022, and importer numbers as a second serial or
 *   after a ';' as ATF A&D records write them;
 * - serials are unique per maker only (27 CFR 478.92), so the same number occurs at different
 *   makers: naturally (pure-digit ranges overlap, as Colt and S&W ranges do) and deliberately at
 *   `crossMakerDuplicateRate`, preferring a maker whose own format can produce that number;
 * - owner references, case numbers, places and circumstances follow each country's habits.
 *
 * Determinism: everything comes from one seeded PRNG (mulberry32) and fixed dates; nothing reads
 * the clock, so the same options give the same records, in the same order, on every machine.
 * Pure apart from `readGeneratorReference`, which reads the reference files once.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/config/project-root.js';
import type { FirearmDescription, RecordUpsert } from '../../src/messages/generated-types.js';
import { Random } from './seeded-random.js';
import { MAKERS, type MakerProfile, PISTOL, REVOLVER, type SerialPattern } from './maker-profiles.js';
import { COUNTRIES, type CountryProfile, type Language, countryProfile, pad } from './country-profiles.js';

// ---------------------------------------------------------------------------------------------
// Reference data (the parts the generator uses)

export interface GeneratorReference {
  manufacturers: readonly { id: string; name: string; country: string; aliases: readonly string[]; parent?: string | undefined }[];
  calibres: readonly { id: string; name: string; aliases: readonly string[] }[];
  types: readonly { id: string; name: string; ncicCategory: string; ncicTyp?: string | undefined; aliases: readonly string[] }[];
}

/** Reads config/reference/{manufacturers,calibres,firearm-types}.json (or the same files in `dir`). */
export function readGeneratorReference(dir: string = join(projectRoot(), 'config', 'reference')): GeneratorReference {
  const read = (name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as Record<string, unknown>;
  return {
    manufacturers: read('manufacturers.json').manufacturers as GeneratorReference['manufacturers'],
    calibres: read('calibres.json').calibres as GeneratorReference['calibres'],
    types: read('firearm-types.json').types as GeneratorReference['types'],
  };
}

// ---------------------------------------------------------------------------------------------
// Texts: calibres and types in each language

/** National spellings of calibres, beyond the reference names and aliases. Each must map to the id (tests check). */
const CALIBRE_TEXT: Partial<Record<string, Partial<Record<Language, readonly string[]>>>> = {
  '9x19mm': { en: ['9mm Luger', '9MM LUGER', '9mm Parabellum', '9x19mm'], de: ['9mm Para', '9 mm Luger', '9x19', 'Kal. 9mm Para'], fr: ['9 mm Parabellum', '9x19', 'cal. 9 mm Para'], it: ['9x19', '9 mm Parabellum'], es: ['9 mm Parabellum', '9x19 mm'] },
  '380-acp': { en: ['.380 ACP', '.380 AUTO', '380 Auto'], de: ['9mm kurz', '9 mm Kurz', '.380 ACP'], fr: ['.380 ACP', '9 mm Browning Court', '9mm Short'], it: ['.380 ACP', '9 mm Kurz'], es: ['.380 ACP', '9mm Short'] },
  '32-acp': { en: ['.32 ACP', '.32 AUTO'], de: ['7,65 Browning', '7,65 mm Browning'], fr: ['7,65 Browning', '7,65 mm Br.'], it: ['7,65 Browning'], es: ['7,65 Browning'] },
  '38-special': { en: ['.38 Special', '.38 SPL', '38 Spl'], de: ['.38 Special', '.38 Spl'], fr: ['.38 Special', '.38 Spécial'] },
  '357-magnum': { en: ['.357 Magnum', '.357 MAG', '357 Mag'], de: ['.357 Magnum', '.357 Mag.'], fr: ['.357 Magnum'] },
  '12-gauge': { en: ['12 GA', '12ga', '12 gauge'], de: ['12/70', 'Kal. 12', '12/76'], fr: ['calibre 12', '12/70', 'Cal. 12'], it: ['cal. 12', '12/70'], es: ['calibre 12', '12/70'] },
  '20-gauge': { en: ['20 GA', '20 gauge'], de: ['20/76', 'Kal. 20'], fr: ['calibre 20', '20/70'], it: ['cal. 20'] },
  '7.62x39mm': { en: ['7.62x39', '7.62x39mm'], de: ['7,62x39', '7,62 x 39'], fr: ['7,62x39', '7.62 x 39'], it: ['7,62x39'] },
  '9x18-makarov': { en: ['9x18 Makarov', '9mm Makarov'], de: ['9x18', '9 mm Makarov'], fr: ['9x18 Makarov', '9 mm Makarov'] },
  '7.62x25-tokarev': { en: ['7.62x25 Tokarev', '7.62 Tokarev'], de: ['7,62x25', '7,62 Tokarev'], fr: ['7,62x25 Tokarev'] },
  '9mm-pak': { de: ['9mm P.A.K.', '9 mm PAK', '9mm Knall'], fr: ['9 mm PA', '9mm PA Blanc'], it: ['9 mm PAK'], es: ['9 mm PAK'] },
  '22-lr': { en: ['.22 LR', '22LR', '.22 Long Rifle'], de: ['.22 lfB', '.22 l.r.'], fr: ['22 LR', '.22 Long Rifle'] },
};

/** National words for types. Each must map to the id or to the generic type of its category (tests check). */
const TYPE_TEXT: Partial<Record<string, Partial<Record<Language, readonly string[]>>>> = {
  'semi-automatic-pistol': {
    en: ['Pistol', 'PISTOL', 'Semi-automatic pistol', 'semi-auto pistol', 'PI', 'handgun'],
    de: ['Pistole', 'Selbstladepistole', 'PISTOLE'],
    fr: ['pistolet', 'Pistolet semi-automatique', 'PISTOLET'],
    it: ['pistola', 'pistola semiautomatica'],
    es: ['pistola', 'PISTOLA'],
  },
  revolver: { en: ['Revolver', 'REVOLVER', 'PR'], de: ['Revolver', 'Trommelrevolver'], fr: ['revolver', 'Revolver'], it: ['revolver'], es: ['revólver', 'Revolver'] },
  'pump-action-shotgun': { en: ['Shotgun', 'pump shotgun', 'SP', 'pump-action shotgun'], de: ['Flinte', 'Vorderschaftrepetierflinte', 'Pumpgun'], fr: ['fusil de chasse', 'Pump-action shotgun'], it: ['pump shotgun'], es: ['escopeta'] },
  'semi-automatic-shotgun': { en: ['Shotgun', 'semi-auto shotgun', 'SI'], de: ['Flinte', 'Selbstladeflinte'], fr: ['fusil de chasse', 'semi-automatic shotgun'], it: ['semiautomatic shotgun'], es: ['escopeta'] },
  'over-under-shotgun': { en: ['Shotgun', 'O/U shotgun', 'over-under shotgun', 'SO'], de: ['Bockflinte', 'Flinte'], fr: ['fusil de chasse', 'superposed shotgun'], it: ['over-under'], es: ['escopeta'] },
  'side-by-side-shotgun': { en: ['Shotgun', 'double barrel shotgun', 'SE'], de: ['Doppelflinte', 'Flinte'], fr: ['fusil de chasse', 'side by side'], it: ['side by side'], es: ['escopeta'] },
  'single-shot-shotgun': { en: ['Shotgun', 'single barrel shotgun', 'SS'], de: ['Einzelladerflinte', 'Flinte'], fr: ['fusil de chasse'], it: ['single barrel shotgun'], es: ['escopeta'] },
  'bolt-action-rifle': { en: ['Rifle', 'bolt rifle', 'RB'], de: ['Repetierbüchse', 'Büchse', 'Repetiergewehr'], fr: ['bolt rifle', 'rifle'], it: ['bolt rifle'], es: ['rifle'] },
  'semi-automatic-rifle': { en: ['Rifle', 'semi-auto rifle', 'RI', 'modern sporting rifle'], de: ['Selbstladebüchse', 'Selbstladegewehr', 'Gewehr'], fr: ['semi-automatic rifle', 'rifle'], it: ['semiautomatic rifle'], es: ['rifle'] },
  'automatic-rifle': { en: ['assault rifle', 'automatic rifle', 'RA'], de: ['Sturmgewehr', 'Gewehr'], fr: ["fusil d'assaut"], it: ["fucile d'assalto"], es: ['fusil de asalto'] },
  'lever-action-rifle': { en: ['Rifle', 'lever rifle', 'RL'], de: ['Unterhebelrepetierer', 'Büchse'], fr: ['lever rifle'], it: ['lever rifle'], es: ['rifle'] },
  carbine: { en: ['carbine', 'pistol caliber carbine', 'RC'], de: ['Karabiner'], fr: ['carabine'], it: ['carbine'], es: ['carbine'] },
  'submachine-gun': { en: ['submachine gun', 'SMG', 'BA'], de: ['Maschinenpistole'], fr: ['pistolet-mitrailleur'], it: ['pistola mitragliatrice'], es: ['subfusil'] },
  'blank-firing-pistol': { en: ['blank pistol', 'starter pistol', 'PK'], de: ['Schreckschusspistole'], fr: ["pistolet d'alarme"], it: ['pistola a salve'], es: ['pistola de fogueo'] },
  drilling: { en: ['drilling', 'three barrel gun'], de: ['Drilling'], fr: ['drilling'] },
};

/** Texts that deliberately map to nothing: they stand for the unmapped values registries do send. */
const TYPE_TEXT_UNMAPPED: Partial<Record<string, Partial<Record<Language, readonly string[]>>>> = {
  'submachine-gun': { de: ['MP'] },
  'blank-firing-pistol': { de: ['SSW', 'Gaspistole (SSW)'], fr: ['pistolet à blanc'] },
};

export interface SpellingOptions {
  /** Probability of an ambiguous short form where one exists ("Glock", "9mm"). */
  ambiguous?: number;
  /** Probability of a misspelling that maps to nothing. */
  misspelt?: number;
}

/** Case and spacing changes that every normaliser folds: what people do to a name they type. */
function retype(rnd: Random, text: string): string {
  let t = text;
  const r = rnd.float();
  if (r < 0.18) t = t.toUpperCase();
  else if (r < 0.23) t = t.toLowerCase();
  if (rnd.chance(0.1)) {
    const s = rnd.float();
    if (t.includes(' & ') && s < 0.5) t = t.replace(' & ', '&');
    else if (/\S&\S/.test(t) && s < 0.5) t = t.replace('&', ' & ');
    else if (t.includes('-') && s < 0.8) t = t.replace('-', ' ');
    else if (t.includes(' ')) t = t.replace(' ', '  ');
    else t = ` ${t} `.trimEnd();
  }
  return t;
}

export class Speller {
  readonly #makes = new Map<string, { reference: string[]; common: string[]; misspellings: string[] }>();
  readonly #calibres = new Map<string, string[]>();
  readonly #types = new Map<string, { all: string[]; generic: string | undefined; ncic: string | undefined }>();

  constructor(reference: GeneratorReference) {
    const profiles = new Map(MAKERS.map((m) => [m.id, m]));
    for (const m of reference.manufacturers) {
      const p = profiles.get(m.id);
      this.#makes.set(m.id, { reference: [m.name, ...m.aliases], common: [...(p?.common ?? [])], misspellings: [...(p?.misspellings ?? [])] });
    }
    for (const c of reference.calibres) this.#calibres.set(c.id, [c.name, ...c.aliases]);
    const genericOf = new Map<string, string>();
    for (const t of reference.types) if (t.ncicTyp === undefined && !genericOf.has(t.ncicCategory)) genericOf.set(t.ncicCategory, t.id);
    for (const t of reference.types) {
      this.#types.set(t.id, { all: [t.name, ...t.aliases], generic: genericOf.get(t.ncicCategory), ncic: t.ncicTyp });
    }
    for (const p of MAKERS) if (!this.#makes.has(p.id)) throw new RangeError(`maker profile ${p.id} is not in config/reference/manufacturers.json`);
  }

  /** How a clerk writes the maker; `misspelt` tells whether it was a deliberate misspelling. */
  make(rnd: Random, id: string, options: SpellingOptions = {}): { text: string; misspelt: boolean } {
    const m = this.#makes.get(id);
    if (!m) throw new RangeError(`unknown maker ${id}`);
    if (m.misspellings.length && rnd.chance(options.misspelt ?? 0.01)) return { text: rnd.pick(m.misspellings), misspelt: true };
    const base = m.common.length && rnd.chance(0.65) ? rnd.pick(m.common) : rnd.pick(m.reference);
    return { text: retype(rnd, base), misspelt: false };
  }

  calibre(rnd: Random, id: string, language: Language, options: SpellingOptions = {}): string {
    const all = this.#calibres.get(id);
    if (!all) throw new RangeError(`unknown calibre ${id}`);
    const short = AMBIGUOUS_CALIBRE[id];
    if (short && rnd.chance(options.ambiguous ?? 0.04)) return rnd.pick(short);
    const national = CALIBRE_TEXT[id]?.[language];
    let text = national && rnd.chance(0.6) ? rnd.pick(national) : rnd.pick(all);
    // Continental clerks write a decimal comma.
    if (language !== 'en' && rnd.chance(0.3)) text = text.replace(/(\d)\.(\d)/g, '$1,$2');
    const r = rnd.float();
    if (r < 0.12) text = text.toUpperCase();
    else if (r < 0.16) text = text.toLowerCase();
    return text;
  }

  /**
   * The type as written: a national word, a reference alias, the NCIC TYP code, or a local
   * abbreviation that maps to nothing ("SSW", "MP"; `unmapped` says so). `generic` tells that the
   * word names only the category ("Pistole", "shotgun"), not the type itself.
   */
  type(rnd: Random, id: string, language: Language, options: SpellingOptions = {}): { text: string; unmapped: boolean; generic: boolean } {
    const t = this.#types.get(id);
    if (!t) throw new RangeError(`unknown type ${id}`);
    const local = TYPE_TEXT_UNMAPPED[id]?.[language];
    if (local?.length && rnd.chance(options.misspelt ?? 0.01)) return { text: rnd.pick(local), unmapped: true, generic: false };
    const national = TYPE_TEXT[id]?.[language];
    let text: string;
    if (national?.length && rnd.chance(0.7)) text = rnd.pick(national);
    else if (language === 'en' && t.ncic && rnd.chance(0.25)) text = t.ncic;
    else text = rnd.pick(t.all);
    const generic = t.generic !== undefined && t.generic !== id && this.#types.get(t.generic)!.all.some((w) => w.toLowerCase() === text.toLowerCase());
    const r = rnd.float();
    if (r < 0.1) text = text.toUpperCase();
    else if (r < 0.15) text = text.toLowerCase();
    return { text, unmapped: false, generic };
  }

  /** A different way to write the same maker, or undefined when there is none. */
  otherMake(rnd: Random, id: string, than: string): string | undefined {
    const m = this.#makes.get(id)!;
    const key = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
    const options = [...m.common, ...m.reference].filter((s) => key(s) !== key(than));
    return options.length ? retype(rnd, rnd.pick(options)) : undefined;
  }

  /** A different designation of the same calibre, or undefined when there is none. */
  otherCalibre(rnd: Random, id: string, than: string, language: Language): string | undefined {
    const key = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
    const options = [...(CALIBRE_TEXT[id]?.[language] ?? []), ...this.#calibres.get(id)!].filter((s) => key(s) !== key(than));
    return options.length ? rnd.pick(options) : undefined;
  }

  /** The generic type of a type's category (pistol for a semi-automatic pistol), if the type is not generic itself. */
  genericOf(typeId: string): string | undefined {
    const t = this.#types.get(typeId);
    return t?.generic !== typeId ? t?.generic : undefined;
  }
}

/** Short forms that name several cartridges: real records carry them, the reference calls them ambiguous. */
const AMBIGUOUS_CALIBRE: Partial<Record<string, readonly string[]>> = {
  '9x19mm': ['9mm', '9 mm', '9MM'],
  '9x18-makarov': ['9mm'],
  '380-acp': ['9mm'],
  '7.62x39mm': ['7.62', '7,62 mm'],
  '7.62x25-tokarev': ['7.62mm', '7,62'],
  '32-acp': ['7.65', '7,65 mm'],
  '22-lr': ['.22'],
  '38-special': ['.38'],
  '45-acp': ['.45'],
};

// ---------------------------------------------------------------------------------------------
// Serials

const LATIN = 'ABCDEFGHJKLMNPRSTUVWXYZ';
/** Cyrillic capitals: the look-alikes of Latin letters three times as often as the others. */
const CYRILLIC = 'АВЕКМНОРСТУХ'.repeat(3) + 'БГДЖИЛПФШЭЮЯ';

export function expandPattern(rnd: Random, pattern: SerialPattern): string {
  let out = '';
  for (const ch of pattern) {
    if (ch === '#') out += String.fromCharCode(48 + rnd.int(10));
    else if (ch === '@') out += LATIN[rnd.int(LATIN.length)];
    else if (ch === '%') out += CYRILLIC[rnd.int(CYRILLIC.length)];
    else out += ch;
  }
  return out;
}

const patternRegexCache = new Map<string, RegExp>();

/** Whether `serial` could have been produced by `pattern` (letters of any Latin or Cyrillic capital). */
export function patternMatches(pattern: SerialPattern, serial: string): boolean {
  let re = patternRegexCache.get(pattern);
  if (!re) {
    const body = [...pattern]
      .map((ch) => (ch === '#' ? '[0-9]' : ch === '@' ? '[A-Z]' : ch === '%' ? '[\\u0400-\\u04FF]' : ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${body}$`, 'u');
    patternRegexCache.set(pattern, re);
  }
  return re.test(serial);
}

/** The key the generator keeps serials unique by, per maker: upper case, spaces and hyphens removed. */
export function plainSerial(serial: string): string {
  return serial.toUpperCase().replace(/[\s\-./]/g, '');
}

// ---------------------------------------------------------------------------------------------
// Records

export interface RecordTruth {
  makeId: string;
  calibreId: string;
  typeId: string;
  model: string;
  /** The number the maker stamped (without an importer's number), as marked. */
  serial: string;
  /** The pattern the maker's number was drawn from (MakerProfile.formats). */
  format: SerialPattern;
  /** The maker's number was copied from a record of another maker. */
  crossMakerDuplicate: boolean;
  /** Fields deliberately written so that they map to nothing in the reference (a misspelt make, a local abbreviation). */
  unmapped: ('make' | 'type')[];
}

export interface GeneratedRecord {
  owner: { country: string; agency: string };
  payload: RecordUpsert;
  truth: RecordTruth;
}

export interface RecordGeneratorOptions {
  seed: number;
  reference: GeneratorReference;
  /** Owner countries (each needs a CountryProfile); all profiles by default. */
  countries?: readonly string[];
  /** Owner agency per country, overriding the profile's NCB (e.g. from config/partners). */
  agencies?: Readonly<Record<string, string>>;
  /** Share of records whose maker number is copied from a record of another maker (default 0.01). */
  crossMakerDuplicateRate?: number;
  /** Share of make texts that are misspellings mapping to nothing (default 0.01). */
  misspeltRate?: number;
  /** Share of calibre texts that are ambiguous short forms such as "9mm" (default 0.04). */
  ambiguousRate?: number;
}

const STATUS_MIX = [['STOLEN', 60], ['LOST', 20], ['TRAFFICKED', 8], ['SMUGGLED', 7], ['SEIZED_FOR_TRACING', 5]] as const;

const CIRCUMSTANCES: Record<RecordUpsert['status'], readonly string[]> = {
  STOLEN: ['Burglary of a private home', 'Theft from a licensed dealer', 'Stolen from a parked vehicle', 'Theft from a hunting lodge', 'Stolen during a house move', 'Armoury break-in'],
  LOST: ['Lost during a hunting trip', 'Not found at the annual inventory', 'Lost in transit by a carrier', 'Owner deceased; not found by the heirs'],
  TRAFFICKED: ['Diverted from a legal transfer', 'Sold without a licence via an online marketplace', 'Straw purchase'],
  SMUGGLED: ['Found in a vehicle at the border', 'Hidden in a postal parcel', 'Found in a shipping container'],
  SEIZED_FOR_TRACING: ['Recovered at a crime scene; origin unknown', 'Seized from a suspect; tracing requested'],
};

const ILLICIT: Record<RecordUpsert['status'], NonNullable<RecordUpsert['event']['illicitBasis']>> = {
  STOLEN: 'national-law',
  LOST: 'national-law',
  TRAFFICKED: 'unlicensed-transfer',
  SMUGGLED: 'national-law',
  SEIZED_FOR_TRACING: 'national-law',
};

const FIRST_DAY = Date.UTC(2004, 0, 1);
const LAST_DAY = Date.UTC(2026, 9, 31);
const DAY = 86_400_000;

export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const FINISHES = ['black', 'blued', 'stainless', 'nickel', 'two-tone', 'FDE'];

/** The families of makers (a maker and its parent or subsidiaries), so "another maker" can mean an unrelated one. */
export function makerFamilies(reference: GeneratorReference): Map<string, string> {
  const parent = new Map(reference.manufacturers.map((m) => [m.id, m.parent]));
  const root = (id: string): string => {
    let cur = id;
    for (let i = 0; i < 10; i++) {
      const p = parent.get(cur);
      if (!p) return cur;
      cur = p;
    }
    return cur;
  };
  return new Map(reference.manufacturers.map((m) => [m.id, root(m.id)]));
}

/**
 * Generates records one at a time (call `next()` as often as needed: a million records never sit
 * in memory at once; only a set of per-maker serial keys, to keep serials unique per maker).
 */
export class RecordGenerator {
  readonly #rnd: Random;
  readonly #speller: Speller;
  readonly #countries: readonly CountryProfile[];
  readonly #agencies: Readonly<Record<string, string>>;
  readonly #makers: Map<string, MakerProfile>;
  readonly #countryOf: Map<string, string>;
  readonly #families: Map<string, string>;
  readonly #dupRate: number;
  readonly #spelling: SpellingOptions;
  readonly #seq = new Map<string, number>();
  readonly #used = new Set<string>();
  /** Recent (maker, serial) pairs, to copy a number to another maker. */
  readonly #recent: { makeId: string; serial: string }[] = [];
  #count = 0;

  constructor(options: RecordGeneratorOptions) {
    this.#rnd = new Random(options.seed);
    this.#speller = new Speller(options.reference);
    this.#countries = (options.countries ?? COUNTRIES.map((c) => c.country)).map(countryProfile);
    this.#agencies = options.agencies ?? {};
    this.#makers = new Map(MAKERS.map((m) => [m.id, m]));
    this.#countryOf = new Map(options.reference.manufacturers.map((m) => [m.id, m.country]));
    this.#families = makerFamilies(options.reference);
    this.#dupRate = options.crossMakerDuplicateRate ?? 0.01;
    this.#spelling = { misspelt: options.misspeltRate ?? 0.01, ambiguous: options.ambiguousRate ?? 0.04 };
  }

  get speller(): Speller {
    return this.#speller;
  }

  /** How many records were generated so far. */
  get count(): number {
    return this.#count;
  }

  /** Whether `makeId` already has a record with this maker number (compared without case, spaces or hyphens). */
  hasSerial(makeId: string, serial: string): boolean {
    return this.#used.has(`${makeId}\u0000${plainSerial(serial)}`);
  }

  next(): GeneratedRecord {
    const rnd = this.#rnd;
    const profile = rnd.pick(this.#countries);
    const maker = this.#makers.get(rnd.weighted(profile.makers))!;
    const { serial, format, duplicate } = this.#makerSerial(maker);
    const record = this.describe(rnd, profile, maker, serial, format, duplicate);
    this.#count++;
    return record;
  }

  take(n: number): GeneratedRecord[] {
    const out: GeneratedRecord[] = [];
    for (let i = 0; i < n; i++) out.push(this.next());
    return out;
  }

  /** A maker number new for this maker: drawn from its formats, or copied from another maker's record. */
  #makerSerial(maker: MakerProfile): { serial: string; format: SerialPattern; duplicate: boolean } {
    const rnd = this.#rnd;
    if (this.#recent.length && rnd.chance(this.#dupRate)) {
      for (let tries = 0; tries < 20; tries++) {
        const other = rnd.pick(this.#recent);
        if (this.#families.get(other.makeId) === this.#families.get(maker.id)) continue;
        const format = maker.formats.find(([p]) => patternMatches(p, other.serial))?.[0];
        if (!format || this.hasSerial(maker.id, other.serial)) continue;
        this.#remember(maker.id, other.serial);
        return { serial: other.serial, format, duplicate: true };
      }
    }
    for (let tries = 0; ; tries++) {
      const format = rnd.weighted(maker.formats);
      const serial = expandPattern(rnd, format);
      if (!this.hasSerial(maker.id, serial)) {
        this.#remember(maker.id, serial);
        return { serial, format, duplicate: false };
      }
      if (tries > 1000) throw new Error(`maker ${maker.id} ran out of serial numbers in its formats`);
    }
  }

  #remember(makeId: string, serial: string): void {
    this.#used.add(`${makeId}\u0000${plainSerial(serial)}`);
    if (this.#recent.length < 4096) this.#recent.push({ makeId, serial });
    else this.#recent[this.#rnd.int(4096)] = { makeId, serial };
  }

  /**
   * Builds a record for a gun of `maker` with maker number `serial`, owned by `profile`'s country
   * (exported for the seizure generator, which describes guns that are in no record the same way).
   */
  describe(rnd: Random, profile: CountryProfile, maker: MakerProfile, serial: string, format: SerialPattern, duplicate: boolean): GeneratedRecord {
    const speller = this.#speller;
    const model = rnd.weighted(maker.models.map((m) => [m, m.weight ?? 1] as const));
    const calibreId = rnd.pick(model.calibres);
    const make = speller.make(rnd, maker.id, this.#spelling);
    const lang = profile.language;
    const madeIn = this.#countryOf.get(maker.id) ?? 'XX';
    const imported = madeIn !== profile.country && madeIn !== 'XX';

    let value = serial;
    if (maker.ffl && rnd.chance(maker.ffl.rate)) value = `${maker.ffl.prefix}-${serial}`;
    const serials: FirearmDescription['serials'] = [{ value, location: model.type === REVOLVER ? 'frame' : rnd.chance(0.9) ? 'frame' : 'receiver', kind: 'manufacturer' }];
    if (maker.multiMarked && rnd.chance(0.35)) serials.push({ value, location: 'slide' }, { value, location: 'barrel' });
    let importer: FirearmDescription['importer'];
    if (imported && profile.importers.length && rnd.chance(profile.importerNumberRate * 2)) {
      const imp = rnd.pick(profile.importers);
      const year = rnd.between(1995, 2025);
      importer = { name: imp.name, country: profile.country, year };
      if (rnd.chance(0.5)) {
        const number = `${imp.code}${pad(rnd.int(100_000), 5)}`;
        // ATF A&D records write the importer's number after a semicolon; others list it apart.
        if (profile.country === 'US' && rnd.chance(0.5)) serials[0] = { value: `${value};${number}`, location: serials[0]!.location! };
        else serials.push({ value: number, location: 'frame', kind: 'importer' });
      }
    }

    const type = speller.type(rnd, model.type, lang, this.#spelling);
    const firearm: FirearmDescription = {
      serials,
      make: make.text,
      calibre: speller.calibre(rnd, calibreId, lang, this.#spelling),
      type: type.text,
    };
    if (rnd.chance(0.92)) firearm.model = retype(rnd, rnd.pick(model.names));
    if (madeIn !== 'XX' && rnd.chance(0.7)) firearm.countryOfManufacture = madeIn;
    if (importer) firearm.importer = importer;
    if (rnd.chance(0.3)) firearm.yearOfManufacture = rnd.between(1960, 2025);
    if (rnd.chance(0.25)) firearm.finish = rnd.pick(FINISHES);
    if (rnd.chance(0.15)) firearm.barrelLength = model.type === PISTOL ? { value: rnd.between(76, 127), unit: 'mm' } : { value: rnd.between(16, 30), unit: 'in' };
    const unmapped: RecordTruth['unmapped'] = [];
    if (make.misspelt) unmapped.push('make');
    if (type.unmapped) unmapped.push('type');

    const status = rnd.weighted(STATUS_MIX);
    const day = FIRST_DAY + rnd.int((LAST_DAY - FIRST_DAY) / DAY + 1) * DAY;
    const year = new Date(day).getUTCFullYear();
    const seq = (this.#seq.get(profile.country) ?? 0) + 1;
    this.#seq.set(profile.country, seq);
    const event: RecordUpsert['event'] = {
      date: isoDate(day),
      caseNumber: profile.caseNumber(year, seq),
      place: { country: rnd.chance(0.95) ? profile.country : rnd.pick(profile.neighbours), locality: rnd.pick(profile.localities) },
      circumstances: rnd.pick(CIRCUMSTANCES[status]),
      illicitBasis: ILLICIT[status],
    };
    const payload: RecordUpsert = { ownerReference: profile.reference(year, seq), status, firearm, event };
    const r = rnd.float();
    if (r < 0.06) payload.restrictions = { visibility: 'deny', countries: pickCountries(rnd, profile.country, 1, 3) };
    else if (r < 0.1) payload.restrictions = { visibility: 'allow', countries: pickCountries(rnd, profile.country, 2, 5) };
    else if (r < 0.12) payload.restrictions = { visibility: 'all', confidentiality: 'confidential' };

    return {
      owner: { country: profile.country, agency: this.#agencies[profile.country] ?? profile.agency },
      payload,
      truth: { makeId: maker.id, calibreId, typeId: model.type, model: model.names[0]!, serial, format, crossMakerDuplicate: duplicate, unmapped },
    };
  }
}

const OTHER_COUNTRIES = ['AT', 'BE', 'CA', 'CH', 'CZ', 'DE', 'ES', 'FR', 'GB', 'GR', 'HR', 'IT', 'MX', 'NL', 'PL', 'RS', 'SE', 'TR', 'UA', 'US'];

function pickCountries(rnd: Random, owner: string, min: number, max: number): string[] {
  const n = rnd.between(min, max);
  const out = new Set<string>();
  while (out.size < n) {
    const c = rnd.pick(OTHER_COUNTRIES);
    if (c !== owner) out.add(c);
  }
  return [...out].sort();
}

/** Convenience: `count` records from a fresh generator. */
export function generateRecords(options: RecordGeneratorOptions, count: number): GeneratedRecord[] {
  return new RecordGenerator(options).take(count);
}

/** The record as a canonical `record.upsert` envelope, as an owner country's registry would send it. */
export function toUpsertEnvelope(record: GeneratedRecord, messageId: string, sentAt: string) {
  return { messageId, type: 'record.upsert' as const, sender: record.owner, sentAt, payload: record.payload };
}
