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

// ---------------------------------------------------------------------------------------------
// Randomness

/** A seeded PRNG in [0, 1): mulberry32, small and fast, good enough for test data. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Random {
  readonly #next: () => number;

  constructor(seed: number) {
    this.#next = mulberry32(seed);
  }

  float(): number {
    return this.#next();
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.#next() * n);
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return this.#next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.int(items.length)]!;
  }

  /** One item of `[item, weight]` pairs, with probability proportional to its weight. */
  weighted<T>(pairs: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of pairs) total += w;
    let r = this.#next() * total;
    for (const [item, w] of pairs) {
      r -= w;
      if (r < 0) return item;
    }
    return pairs[pairs.length - 1]![0];
  }

  /** A seed for a derived generator, so independent streams stay independent of each other's draws. */
  fork(): number {
    return Math.floor(this.#next() * 0x100000000);
  }
}

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
// Makers: models, serial formats, extra spellings

/**
 * A serial pattern: `#` a digit, `@` a Latin capital (I, O and Q left out, as most makers do),
 * `%` a Cyrillic capital; any other character is itself.
 */
export type SerialPattern = string;

export interface ModelProfile {
  /** Ways the model is written; the first is the usual one. */
  names: readonly string[];
  calibres: readonly string[];
  type: string;
  weight?: number;
}

export interface MakerProfile {
  id: string;
  /** Short and brand forms people write beyond the reference names and aliases (may be ambiguous, e.g. "Glock"). */
  common?: readonly string[];
  /** Misspellings seen in the wild; they map to no reference entry. */
  misspellings?: readonly string[];
  models: readonly ModelProfile[];
  formats: readonly (readonly [SerialPattern, number])[];
  /** US licensees marking `12345678-` (abbreviated FFL number) before the serial since 2022. */
  ffl?: { prefix: string; rate: number };
  /** Frame, slide and barrel carry the same number (Glock, SIG, Walther...). */
  multiMarked?: boolean;
}

const PISTOL = 'semi-automatic-pistol';
const REVOLVER = 'revolver';

export const MAKERS: readonly MakerProfile[] = [
  {
    id: 'glock-gmbh',
    common: ['Glock', 'GLOCK', 'Glock GmbH', 'Glock Austria'],
    misspellings: ['Glok', 'Gloch'],
    models: [
      { names: ['17', 'G17', 'Glock 17', 'G 17'], calibres: ['9x19mm'], type: PISTOL, weight: 5 },
      { names: ['19', 'G19', 'Glock 19', 'G19 Gen4'], calibres: ['9x19mm'], type: PISTOL, weight: 5 },
      { names: ['26', 'G26'], calibres: ['9x19mm'], type: PISTOL, weight: 2 },
      { names: ['22', 'G22'], calibres: ['40-sw'], type: PISTOL, weight: 2 },
      { names: ['21', 'G21'], calibres: ['45-acp'], type: PISTOL, weight: 1 },
      { names: ['42', 'G42'], calibres: ['380-acp'], type: PISTOL, weight: 1 },
    ],
    formats: [['@@@###', 8], ['@@@@###', 2]],
    multiMarked: true,
  },
  {
    id: 'glock-inc',
    common: ['Glock Inc', 'GLOCK INC', 'Glock USA'],
    models: [
      { names: ['19', 'G19'], calibres: ['9x19mm'], type: PISTOL, weight: 3 },
      { names: ['48', 'G48'], calibres: ['9x19mm'], type: PISTOL, weight: 1 },
    ],
    formats: [['@@@@###', 1]],
    multiMarked: true,
  },
  {
    id: 'smith-wesson',
    common: ['S&W', 'S & W', 'Smith & Wesson', 'SMITH AND WESSON', 'Smith and Wesson'],
    misspellings: ['Smith & Weson', 'Smith Wesson'],
    models: [
      { names: ['M&P9', 'M&P 9', 'MP9'], calibres: ['9x19mm'], type: PISTOL, weight: 4 },
      { names: ['M&P Shield', 'Shield', 'M&P9 Shield'], calibres: ['9x19mm', '40-sw'], type: PISTOL, weight: 3 },
      { names: ['SD9VE', 'SD9 VE'], calibres: ['9x19mm'], type: PISTOL, weight: 2 },
      { names: ['686', 'Model 686'], calibres: ['357-magnum'], type: REVOLVER, weight: 2 },
      { names: ['642', 'Model 642'], calibres: ['38-special'], type: REVOLVER, weight: 2 },
      { names: ['29', 'Model 29'], calibres: ['44-magnum'], type: REVOLVER, weight: 1 },
      { names: ['10', 'Model 10'], calibres: ['38-special'], type: REVOLVER, weight: 1 },
    ],
    formats: [['@@#####', 6], ['######', 2], ['@######', 2]],
  },
  {
    id: 'sturm-ruger',
    common: ['Ruger', 'RUGER', 'Sturm Ruger', 'Sturm, Ruger & Co.'],
    misspellings: ['Rueger'],
    models: [
      { names: ['LCP', 'LCP II'], calibres: ['380-acp'], type: PISTOL, weight: 3 },
      { names: ['SR9', 'SR9c'], calibres: ['9x19mm'], type: PISTOL, weight: 2 },
      { names: ['Security-9', 'Security 9'], calibres: ['9x19mm'], type: PISTOL, weight: 2 },
      { names: ['GP100'], calibres: ['357-magnum'], type: REVOLVER, weight: 1 },
      { names: ['LCR'], calibres: ['38-special'], type: REVOLVER, weight: 1 },
      { names: ['10/22', '10-22'], calibres: ['22-lr'], type: 'semi-automatic-rifle', weight: 3 },
      { names: ['Mini-14', 'Mini 14'], calibres: ['223-remington'], type: 'semi-automatic-rifle', weight: 1 },
    ],
    formats: [['###-#####', 8], ['####-#####', 2]],
  },
  {
    id: 'colt',
    common: ['Colt', 'COLT', "Colt's"],
    models: [
      { names: ['M1911A1', '1911', 'Government'], calibres: ['45-acp'], type: PISTOL, weight: 3 },
      { names: ['M1903', '1903 Pocket Hammerless'], calibres: ['32-acp'], type: PISTOL, weight: 1 },
      { names: ['M1908', '1908 Pocket'], calibres: ['380-acp', '25-acp'], type: PISTOL, weight: 1 },
      { names: ['Python'], calibres: ['357-magnum'], type: REVOLVER, weight: 1 },
      { names: ['AR-15', 'AR15', 'M4 Carbine'], calibres: ['5.56x45mm-nato', '223-remington'], type: 'semi-automatic-rifle', weight: 2 },
    ],
    formats: [['######', 6], ['#####', 2], ['@@#####', 2], ['LE######', 1]],
  },
  {
    id: 'remington',
    common: ['Remington', 'REMINGTON', 'Remington Arms'],
    models: [
      { names: ['870', '870 Express', 'Model 870'], calibres: ['12-gauge', '20-gauge'], type: 'pump-action-shotgun', weight: 4 },
      { names: ['700', 'Model 700'], calibres: ['308-winchester', '30-06-springfield', '270-winchester'], type: 'bolt-action-rifle', weight: 2 },
      { names: ['1100'], calibres: ['12-gauge'], type: 'semi-automatic-shotgun', weight: 1 },
    ],
    formats: [['@######M', 4], ['RS#####@', 2], ['G6######', 2]],
  },
  {
    id: 'mossberg',
    common: ['Mossberg', 'MOSSBERG', 'O.F. Mossberg'],
    models: [
      { names: ['500', 'Model 500', '500A'], calibres: ['12-gauge', '20-gauge', '410-bore'], type: 'pump-action-shotgun', weight: 4 },
      { names: ['590', '590A1'], calibres: ['12-gauge'], type: 'pump-action-shotgun', weight: 2 },
      { names: ['Maverick 88', 'Maverick'], calibres: ['12-gauge'], type: 'pump-action-shotgun', weight: 1 },
    ],
    formats: [['@######', 6], ['V0######', 2]],
  },
  {
    id: 'savage-arms',
    common: ['Savage', 'SAVAGE', 'Savage Arms'],
    models: [
      { names: ['Axis', 'Axis II'], calibres: ['308-winchester', '243-winchester'], type: 'bolt-action-rifle', weight: 2 },
      { names: ['Mark II', 'MKII'], calibres: ['22-lr'], type: 'bolt-action-rifle', weight: 2 },
      { names: ['93R17'], calibres: ['22-wmr'], type: 'bolt-action-rifle', weight: 1 },
    ],
    formats: [['#######', 5], ['@######', 2]],
  },
  {
    id: 'hi-point',
    common: ['Hi-Point', 'HI-POINT', 'Hi Point', 'Hipoint'],
    models: [
      { names: ['C9'], calibres: ['9x19mm'], type: PISTOL, weight: 3 },
      { names: ['CF380'], calibres: ['380-acp'], type: PISTOL, weight: 1 },
      { names: ['JHP', 'JHP 45'], calibres: ['45-acp'], type: PISTOL, weight: 1 },
      { names: ['995TS', '995'], calibres: ['9x19mm'], type: 'carbine', weight: 1 },
    ],
    formats: [['P######', 6], ['P#######', 2]],
  },
  {
    id: 'kel-tec',
    common: ['Kel-Tec', 'KEL-TEC', 'Keltec', 'Kel Tec'],
    models: [
      { names: ['P-3AT', 'P3AT'], calibres: ['380-acp'], type: PISTOL, weight: 2 },
      { names: ['PF-9', 'PF9'], calibres: ['9x19mm'], type: PISTOL, weight: 2 },
      { names: ['Sub-2000', 'SUB2000'], calibres: ['9x19mm'], type: 'carbine', weight: 1 },
    ],
    formats: [['###@###', 4], ['@@@##', 2]],
  },
  {
    id: 'springfield-armory-inc',
    common: ['Springfield Inc', 'Springfield Armory Inc', 'SPRINGFIELD ARMORY INC'],
    models: [
      { names: ['XD-9', 'XD9', 'XD'], calibres: ['9x19mm', '40-sw'], type: PISTOL, weight: 3 },
      { names: ['Hellcat'], calibres: ['9x19mm'], type: PISTOL, weight: 2 },
      { names: ['1911 Mil-Spec', '1911'], calibres: ['45-acp'], type: PISTOL, weight: 1 },
    ],
    formats: [['XD######', 3], ['BY######', 1], ['@@######', 2]],
  },
  {
    id: 'sig-sauer-inc',
    common: ['SIG Sauer USA', 'Sig Sauer Inc', 'SIGARMS'],
    models: [
      { names: ['P320', 'P320 Compact'], calibres: ['9x19mm'], type: PISTOL, weight: 4 },
      { names: ['P365', 'P365 XL'], calibres: ['9x19mm'], type: PISTOL, weight: 3 },
      { names: ['P238'], calibres: ['380-acp'], type: PISTOL, weight: 1 },
    ],
    formats: [['@@@######', 5], ['58@######', 2]],
    multiMarked: true,
  },
  {
    id: 'sig-sauer-gmbh',
    common: ['SIG Sauer GmbH', 'Sig Sauer Germany', 'SIG SAUER GMBH'],
    models: [
      { names: ['P226'], calibres: ['9x19mm'], type: PISTOL, weight: 3 },
      { names: ['P225', 'P6'], calibres: ['9x19mm'], type: PISTOL, weight: 2 },
      { names: ['P229'], calibres: ['9x19mm', '40-sw', '357-sig'], type: PISTOL, weight: 1 },
      { names: ['P230', 'P232'], calibres: ['380-acp', '32-acp'], type: PISTOL, weight: 1 },
    ],
    formats: [['@######', 3], ['SP#######', 1]],
    multiMarked: true,
  },
  {
    id: 'palmetto-state-armory',
    common: ['Palmetto State Armory', 'PSA'],
    models: [
      { names: ['PA-15', 'PA15'], calibres: ['5.56x45mm-nato'], type: 'semi-automatic-rifle', weight: 2 },
      { names: ['Dagger'], calibres: ['9x19mm'], type: PISTOL, weight: 1 },
    ],
    formats: [['@@@######', 1]],
    ffl: { prefix: '15705712', rate: 0.6 },
  },
  {
    id: 'polymer80',
    common: ['Polymer80', 'Polymer 80', 'P80'],
    models: [{ names: ['PF940C', 'PF940'], calibres: ['9x19mm'], type: PISTOL }],
    formats: [['@@@###', 1]],
    ffl: { prefix: '98765012', rate: 0.85 },
  },
  {
    id: 'henry-repeating-arms',
    common: ['Henry', 'HENRY', 'Henry Repeating Arms'],
    models: [
      { names: ['H001', 'Classic Lever Action .22'], calibres: ['22-lr'], type: 'lever-action-rifle', weight: 2 },
      { names: ['Big Boy', 'H006'], calibres: ['44-magnum', '357-magnum'], type: 'lever-action-rifle', weight: 1 },
    ],
    formats: [['@######H', 1]],
  },
  {
    id: 'marlin',
    common: ['Marlin', 'MARLIN'],
    models: [
      { names: ['336', 'Model 336'], calibres: ['30-30-winchester'], type: 'lever-action-rifle', weight: 2 },
      { names: ['Model 60', '60'], calibres: ['22-lr'], type: 'semi-automatic-rifle', weight: 2 },
    ],
    formats: [['########', 2], ['MR######', 1]],
  },
  {
    id: 'taurus',
    common: ['Taurus', 'TAURUS', 'Forjas Taurus'],
    misspellings: ['Torus'],
    models: [
      { names: ['G2C', 'PT111 G2C'], calibres: ['9x19mm'], type: PISTOL, weight: 3 },
      { names: ['PT92', 'PT 92'], calibres: ['9x19mm'], type: PISTOL, weight: 2 },
      { names: ['85', 'Model 85'], calibres: ['38-special'], type: REVOLVER, weight: 2 },
      { names: ['Judge', '4510'], calibres: ['410-bore', '45-colt'], type: REVOLVER, weight: 1 },
    ],
    formats: [['@@@######', 5], ['@@######', 2]],
  },
  {
    id: 'bersa',
    common: ['Bersa', 'BERSA'],
    models: [{ names: ['Thunder 380', 'Thunder'], calibres: ['380-acp'], type: PISTOL }],
    formats: [['######', 1], ['@######', 1]],
  },
  {
    id: 'canik',
    common: ['Canik', 'CANIK', 'Canik55'],
    models: [
      { names: ['TP9SF', 'TP9'], calibres: ['9x19mm'], type: PISTOL, weight: 3 },
      { names: ['Mete SFT', 'METE'], calibres: ['9x19mm'], type: PISTOL, weight: 1 },
    ],
    formats: [['T6120-##@@#####', 2], ['21@@#####', 1]],
  },
  {
    id: 'armscor',
    common: ['Armscor', 'Rock Island Armory', 'RIA'],
    models: [{ names: ['M1911 A1 FS', '1911', 'GI Standard'], calibres: ['45-acp', '9x19mm'], type: PISTOL }],
    formats: [['RIA#######', 2], ['@@######', 1]],
  },
  {
    id: 'heckler-koch',
    common: ['H&K', 'HK', 'Heckler & Koch', 'HECKLER & KOCH', 'Heckler und Koch', 'H & K'],
    misspellings: ['Hekler & Koch', 'Heckler Koch'],
    models: [
      { names: ['USP', 'USP Compact'], calibres: ['9x19mm', '40-sw', '45-acp'], type: PISTOL, weight: 3 },
      { names: ['P30', 'P30L'], calibres: ['9x19mm'], type: PISTOL, weight: 2 },
      { names: ['P2000'], calibres: ['9x19mm'], type: PISTOL, weight: 2 },
      { names: ['MP5', 'MP 5', 'MP5A3'], calibres: ['9x19mm'], type: 'submachine-gun', weight: 1 },
      { names: ['G3', 'HK91'], calibres: ['7.62x51mm-nato'], type: 'automatic-rifle', weight: 1 },
      { names: ['HK416', 'HK 416'], calibres: ['5.56x45mm-nato'], type: 'automatic-rifle', weight: 1 },
    ],
    formats: [['##-######', 5], ['###-######', 2]],
  },
  {
    id: 'carl-walther',
    common: ['Walther', 'WALTHER', 'Carl Walther'],
    misspellings: ['Walter'],
    models: [
      { names: ['PPK', 'PPK/S'], calibres: ['380-acp', '32-acp'], type: PISTOL, weight: 3 },
      { names: ['P99', 'P99 AS'], calibres: ['9x19mm'], type: PISTOL, weight: 2 },
      { names: ['PPQ', 'PPQ M2'], calibres: ['9x19mm'], type: PISTOL, weight: 2 },
      { names: ['P22'], calibres: ['22-lr'], type: PISTOL, weight: 1 },
      { names: ['P38', 'P1'], calibres: ['9x19mm'], type: PISTOL, weight: 1 },
    ],
    formats: [['@@@####', 4], ['######@', 2], ['WK######', 1]],
    multiMarked: true,
  },
  {
    id: 'pietro-beretta',
    common: ['Beretta', 'BERETTA', 'Pietro Beretta', 'P. Beretta'],
    misspellings: ['Berreta', 'Baretta'],
    models: [
      { names: ['92FS', '92 FS', 'M9'], calibres: ['9x19mm'], type: PISTOL, weight: 4 },
      { names: ['PX4 Storm', 'Px4'], calibres: ['9x19mm'], type: PISTOL, weight: 2 },
      { names: ['84', 'Cheetah 84'], calibres: ['380-acp'], type: PISTOL, weight: 1 },
      { names: ['Nano', 'BU9 Nano'], calibres: ['9x19mm'], type: PISTOL, weight: 1 },
      { names: ['686 Silver Pigeon', 'Silver Pigeon'], calibres: ['12-gauge', '20-gauge'], type: 'over-under-shotgun', weight: 2 },
      { names: ['A400', 'A300'], calibres: ['12-gauge'], type: 'semi-automatic-shotgun', weight: 1 },
    ],
    formats: [['BER######', 3], ['BER######Z', 1], ['PX#####', 2], ['@#####Z', 2], ['NU######', 1]],
  },
  {
    id: 'benelli',
    common: ['Benelli', 'BENELLI'],
    models: [
      { names: ['M4', 'M4 Super 90'], calibres: ['12-gauge'], type: 'semi-automatic-shotgun', weight: 1 },
      { names: ['Super Black Eagle', 'SBE'], calibres: ['12-gauge'], type: 'semi-automatic-shotgun', weight: 1 },
    ],
    formats: [['M#######', 2], ['@@######', 2]],
  },
  {
    id: 'fn-herstal',
    common: ['FN', 'FN Herstal', 'Fabrique Nationale', 'F.N.'],
    models: [
      { names: ['Five-seveN', 'Five-seven', 'FiveSeven'], calibres: ['5.7x28-fn'], type: PISTOL, weight: 1 },
      { names: ['High Power', 'HP35', 'GP35'], calibres: ['9x19mm'], type: PISTOL, weight: 2 },
      { names: ['FNS-9', 'FNS 9'], calibres: ['9x19mm'], type: PISTOL, weight: 1 },
      { names: ['M1910', 'Model 1910'], calibres: ['32-acp', '380-acp'], type: PISTOL, weight: 1 },
      { names: ['FAL'], calibres: ['7.62x51mm-nato'], type: 'automatic-rifle', weight: 1 },
    ],
    formats: [['386######', 2], ['##C#####', 2], ['FN######', 1]],
  },
  {
    id: 'browning-arms',
    common: ['Browning', 'BROWNING'],
    models: [
      { names: ['Citori', 'Citori 725'], calibres: ['12-gauge', '20-gauge'], type: 'over-under-shotgun', weight: 2 },
      { names: ['A5', 'Auto-5'], calibres: ['12-gauge'], type: 'semi-automatic-shotgun', weight: 1 },
      { names: ['X-Bolt'], calibres: ['308-winchester', '6.5-creedmoor'], type: 'bolt-action-rifle', weight: 1 },
    ],
    formats: [['#####@@###', 2]],
  },
  {
    id: 'cz-ub',
    common: ['CZ', 'Ceska Zbrojovka', 'Česká zbrojovka', 'CZUB', 'CZ-UB', 'C.Z.'],
    models: [
      { names: ['75 B', 'CZ 75', 'CZ75B', 'CZ 75 B'], calibres: ['9x19mm'], type: PISTOL, weight: 4 },
      { names: ['P-10 C', 'P10C', 'CZ P-10'], calibres: ['9x19mm'], type: PISTOL, weight: 2 },
      { names: ['83', 'CZ 83'], calibres: ['380-acp', '32-acp'], type: PISTOL, weight: 1 },
      { names: ['452', 'CZ 452'], calibres: ['22-lr'], type: 'bolt-action-rifle', weight: 1 },
      { names: ['Scorpion EVO 3', 'Scorpion'], calibres: ['9x19mm'], type: 'submachine-gun', weight: 1 },
    ],
    formats: [['@######', 6], ['@####', 2]],
  },
  {
    id: 'manurhin',
    common: ['Manurhin', 'MANURHIN'],
    models: [
      { names: ['MR 73', 'MR73'], calibres: ['357-magnum'], type: REVOLVER, weight: 2 },
      { names: ['PP', 'Walther PP (Manurhin)'], calibres: ['32-acp'], type: PISTOL, weight: 1 },
    ],
    formats: [['######', 3], ['@#####', 2]],
  },
  {
    id: 'mas',
    common: ['MAS', 'M.A.S.', 'MAS Saint-Etienne'],
    models: [
      { names: ['MAS 50', 'Mle 1950', 'PA MAS G1'], calibres: ['9x19mm'], type: PISTOL, weight: 2 },
      { names: ['MAS 49/56', 'MAS 49-56'], calibres: ['7.5x54-french'], type: 'semi-automatic-rifle', weight: 1 },
    ],
    formats: [['@#####', 2], ['######', 2]],
  },
  {
    id: 'verney-carron',
    common: ['Verney-Carron', 'VERNEY CARRON', 'Verney Carron'],
    models: [
      { names: ['Sagittaire'], calibres: ['12-gauge'], type: 'over-under-shotgun', weight: 2 },
      { names: ['Impact', 'Impact Auto'], calibres: ['308-winchester', '30-06-springfield'], type: 'semi-automatic-rifle', weight: 1 },
    ],
    formats: [['######', 3], ['VC#####', 1]],
  },
  {
    id: 'manufrance',
    common: ['Manufrance', 'MANUFRANCE', 'Manufacture Française d\'Armes et Cycles'],
    models: [
      { names: ['Robust', 'Robust 222'], calibres: ['12-gauge', '16-gauge'], type: 'side-by-side-shotgun', weight: 2 },
      { names: ['Simplex'], calibres: ['12-gauge'], type: 'single-shot-shotgun', weight: 1 },
    ],
    formats: [['######', 2]],
  },
  {
    id: 'steyr-mannlicher',
    common: ['Steyr', 'STEYR', 'Steyr Mannlicher'],
    models: [
      { names: ['M9-A1', 'M9A1'], calibres: ['9x19mm'], type: PISTOL, weight: 1 },
      { names: ['AUG', 'AUG A3'], calibres: ['5.56x45mm-nato'], type: 'semi-automatic-rifle', weight: 1 },
      { names: ['Mannlicher Classic', 'SL'], calibres: ['308-winchester', '7x64'], type: 'bolt-action-rifle', weight: 1 },
    ],
    formats: [['#####@', 2], ['@@#####', 1]],
  },
  {
    id: 'zastava',
    common: ['Zastava', 'ZASTAVA', 'Crvena Zastava', 'Zastava Kragujevac'],
    models: [
      { names: ['M70', 'M70AB2', 'M70 AB2'], calibres: ['7.62x39mm'], type: 'automatic-rifle', weight: 3 },
      { names: ['M57', 'M57 Tokarev'], calibres: ['7.62x25-tokarev'], type: PISTOL, weight: 2 },
      { names: ['M88', 'M88A'], calibres: ['9x19mm'], type: PISTOL, weight: 1 },
      { names: ['M84', 'M84 Skorpion'], calibres: ['32-acp'], type: 'submachine-gun', weight: 1 },
    ],
    formats: [['######', 4], ['M70@@#####', 1]],
  },
  {
    id: 'feg',
    common: ['FEG', 'F.E.G.', 'FEG Arms'],
    models: [
      { names: ['PA-63', 'PA63'], calibres: ['9x18-makarov'], type: PISTOL, weight: 2 },
      { names: ['AMD-65'], calibres: ['7.62x39mm'], type: 'automatic-rifle', weight: 1 },
    ],
    formats: [['@@####', 2], ['######', 1]],
  },
  {
    id: 'tanfoglio',
    common: ['Tanfoglio', 'TANFOGLIO', 'F.lli Tanfoglio'],
    models: [{ names: ['Force 99', 'Force'], calibres: ['9x19mm'], type: PISTOL }, { names: ['GT28'], calibres: ['25-acp'], type: PISTOL }],
    formats: [['@######', 2], ['AA#####', 1]],
  },
  {
    id: 'star',
    common: ['Star', 'STAR', 'Star Echeverria'],
    models: [{ names: ['Model B', 'B'], calibres: ['9x19mm'], type: PISTOL }, { names: ['Firestar'], calibres: ['9x19mm'], type: PISTOL }],
    formats: [['#######', 1]],
  },
  {
    id: 'llama',
    common: ['Llama', 'LLAMA', 'Gabilondo'],
    models: [{ names: ['III-A', 'IIIA'], calibres: ['380-acp'], type: PISTOL }, { names: ['Max-I', 'Max I'], calibres: ['45-acp'], type: PISTOL }],
    formats: [['@######', 1]],
  },
  {
    id: 'astra',
    common: ['Astra', 'ASTRA', 'Astra Unceta'],
    models: [{ names: ['600', 'Astra 600'], calibres: ['9x19mm'], type: PISTOL }, { names: ['Constable'], calibres: ['380-acp', '32-acp'], type: PISTOL }],
    formats: [['######', 1]],
  },
  {
    id: 'webley-scott',
    common: ['Webley', 'WEBLEY', 'Webley & Scott'],
    models: [{ names: ['Mk VI', 'Mark VI'], calibres: ['455-webley'], type: REVOLVER }, { names: ['Mk IV', 'Mark IV'], calibres: ['38-sw'], type: REVOLVER }],
    formats: [['######', 1]],
  },
  {
    id: 'sako',
    common: ['Sako', 'SAKO'],
    models: [{ names: ['85', 'Sako 85'], calibres: ['308-winchester', '6.5-creedmoor'], type: 'bolt-action-rifle' }, { names: ['TRG-22', 'TRG'], calibres: ['308-winchester'], type: 'bolt-action-rifle' }],
    formats: [['######', 2], ['@@#####', 1]],
  },
  {
    id: 'merkel',
    common: ['Merkel', 'MERKEL', 'Merkel Suhl'],
    models: [
      { names: ['303E', '303 E'], calibres: ['12-gauge'], type: 'over-under-shotgun', weight: 2 },
      { names: ['Drilling 96K', '96K'], calibres: ['16-gauge', '7x65r'], type: 'drilling', weight: 1 },
      { names: ['Helix'], calibres: ['308-winchester', '9.3x62'], type: 'bolt-action-rifle', weight: 1 },
    ],
    formats: [['#####', 2], ['######', 1]],
  },
  {
    id: 'blaser',
    common: ['Blaser', 'BLASER'],
    models: [{ names: ['R8', 'R 8'], calibres: ['308-winchester', '9.3x62', '7x64'], type: 'bolt-action-rifle' }, { names: ['F3'], calibres: ['12-gauge'], type: 'over-under-shotgun' }],
    formats: [['@#####', 2], ['##/#####', 1]],
  },
  {
    id: 'anschutz',
    common: ['Anschütz', 'Anschuetz', 'ANSCHUTZ'],
    models: [{ names: ['1416', '1416 D'], calibres: ['22-lr'], type: 'bolt-action-rifle' }, { names: ['1907'], calibres: ['22-lr'], type: 'bolt-action-rifle' }],
    formats: [['#######', 2]],
  },
  {
    id: 'jp-sauer',
    common: ['Sauer', 'J.P. Sauer & Sohn', 'JP Sauer'],
    models: [{ names: ['100', 'S100'], calibres: ['308-winchester', '30-06-springfield'], type: 'bolt-action-rifle' }, { names: ['202'], calibres: ['7x64', '9.3x62'], type: 'bolt-action-rifle' }],
    formats: [['@######', 2], ['######', 1]],
  },
  {
    id: 'umarex',
    common: ['Umarex', 'UMAREX'],
    models: [{ names: ['Walther P22 Blank', 'P22 PAK'], calibres: ['9mm-pak'], type: 'blank-firing-pistol' }, { names: ['Colt Government 1911 A1 PAK'], calibres: ['9mm-pak'], type: 'blank-firing-pistol' }],
    formats: [['##@######', 2]],
  },
  {
    id: 'rohm',
    common: ['Röhm', 'Roehm', 'RÖHM', 'Rohm'],
    models: [{ names: ['RG 88', 'RG88'], calibres: ['9mm-pak'], type: 'blank-firing-pistol' }, { names: ['RG 89'], calibres: ['9mm-pak'], type: 'blank-firing-pistol' }],
    formats: [['@######', 1]],
  },
  {
    id: 'zoraki',
    common: ['Zoraki', 'ZORAKI', 'Atak Arms'],
    models: [{ names: ['914', 'Zoraki 914'], calibres: ['9mm-pak'], type: 'blank-firing-pistol' }, { names: ['925'], calibres: ['9mm-pak'], type: 'blank-firing-pistol' }, { names: ['R1'], calibres: ['9mm-pak'], type: 'blank-firing-pistol' }],
    formats: [['####-######', 2]],
  },
  {
    id: 'ekol',
    common: ['Ekol', 'EKOL', 'Voltran'],
    models: [{ names: ['Firat Magnum', 'Firat'], calibres: ['9mm-pak'], type: 'blank-firing-pistol' }, { names: ['Jackal Dual'], calibres: ['9mm-pak'], type: 'blank-firing-pistol' }],
    formats: [['#####@', 2]],
  },
  {
    id: 'retay',
    common: ['Retay', 'RETAY', 'Retay Arms'],
    models: [{ names: ['G17 (blank)', 'G 17 blank'], calibres: ['9mm-pak'], type: 'blank-firing-pistol' }, { names: ['Masai'], calibres: ['12-gauge'], type: 'semi-automatic-shotgun' }],
    formats: [['@#####', 1], ['##-#####', 1]],
  },
  {
    id: 'izhmekh',
    common: ['Baikal', 'BAIKAL', 'Izhmekh', 'IZH', 'Ижевский механический завод'],
    misspellings: ['Makarov', 'Ishevsk'],
    models: [
      { names: ['PM', 'Makarov PM', 'ПМ', 'Makarov'], calibres: ['9x18-makarov'], type: PISTOL, weight: 5 },
      { names: ['IZH-70', 'IJ-70', 'IZH 70'], calibres: ['380-acp', '9x18-makarov'], type: PISTOL, weight: 2 },
      { names: ['MP-153', 'MP153'], calibres: ['12-gauge'], type: 'semi-automatic-shotgun', weight: 1 },
      { names: ['IZH-27', 'MP-27'], calibres: ['12-gauge'], type: 'over-under-shotgun', weight: 1 },
    ],
    formats: [['%% ####', 4], ['%%####', 3], ['%% ###', 1], ['###########', 1]],
  },
  {
    id: 'kalashnikov-concern',
    common: ['Izhmash', 'IZHMASH', 'Kalashnikov Concern', 'Ижмаш'],
    misspellings: ['Kalashnikov', 'Kalaschnikow'],
    models: [
      { names: ['AKM'], calibres: ['7.62x39mm'], type: 'automatic-rifle', weight: 3 },
      { names: ['AK-74', 'AK74'], calibres: ['5.45x39mm'], type: 'automatic-rifle', weight: 2 },
      { names: ['Saiga', 'Saiga-12'], calibres: ['12-gauge', '7.62x39mm'], type: 'semi-automatic-shotgun', weight: 1 },
      { names: ['Mosin-Nagant 91/30', '91/30'], calibres: ['7.62x54r'], type: 'bolt-action-rifle', weight: 1 },
    ],
    formats: [['%% ####', 2], ['%%####', 1], ['########', 1]],
  },
  {
    id: 'tula-arms-plant',
    common: ['TOZ', 'Tula Arms Plant', 'Тульский оружейный завод'],
    models: [{ names: ['TT-33', 'TT', 'Tokarev TT-33'], calibres: ['7.62x25-tokarev'], type: PISTOL, weight: 3 }, { names: ['TOZ-34'], calibres: ['12-gauge'], type: 'over-under-shotgun', weight: 1 }],
    formats: [['%%###', 2], ['%%####', 1]],
  },
  {
    id: 'norinco',
    common: ['Norinco', 'NORINCO', 'China North Industries'],
    models: [
      { names: ['Type 54', 'Type54'], calibres: ['7.62x25-tokarev'], type: PISTOL, weight: 2 },
      { names: ['Type 56', 'Type56'], calibres: ['7.62x39mm'], type: 'automatic-rifle', weight: 2 },
      { names: ['NP-22', 'NP22'], calibres: ['9x19mm'], type: PISTOL, weight: 1 },
      { names: ['SKS', 'Type 56 carbine'], calibres: ['7.62x39mm'], type: 'semi-automatic-rifle', weight: 1 },
    ],
    formats: [['########', 3], ['@@######', 1]],
  },
  {
    id: 'cugir',
    common: ['Cugir', 'CUGIR', 'UM Cugir'],
    models: [{ names: ['PM md. 63', 'AKM md. 63', 'WASR-10'], calibres: ['7.62x39mm'], type: 'automatic-rifle' }],
    formats: [['@@-####-##', 2], ['1963@@####', 1]],
  },
  {
    id: 'arsenal-ad',
    common: ['Arsenal', 'Arsenal AD', 'Arsenal Kazanlak'],
    models: [{ names: ['AR-M1', 'ARM1'], calibres: ['7.62x39mm', '5.45x39mm'], type: 'automatic-rifle' }, { names: ['Makarov (Arsenal)', 'PM Arsenal'], calibres: ['9x18-makarov'], type: PISTOL }],
    formats: [['##@@####', 1], ['@@######', 1]],
  },
  {
    id: 'fb-radom',
    common: ['Radom', 'FB Radom', 'Łucznik'],
    models: [{ names: ['P-64', 'P64'], calibres: ['9x18-makarov'], type: PISTOL }, { names: ['Vis', 'wz. 35'], calibres: ['9x19mm'], type: PISTOL }],
    formats: [['@@#####', 1], ['######', 1]],
  },
  {
    id: 'sarsilmaz',
    common: ['Sarsilmaz', 'SARSILMAZ', 'Sarsılmaz'],
    models: [{ names: ['SAR9', 'SAR 9'], calibres: ['9x19mm'], type: PISTOL }, { names: ['B6'], calibres: ['9x19mm'], type: PISTOL }],
    formats: [['T1102-##@#####', 2]],
  },
  {
    id: 'winchester-repeating-arms',
    common: ['Winchester', 'WINCHESTER'],
    models: [
      { names: ['Model 94', '94', '1894'], calibres: ['30-30-winchester'], type: 'lever-action-rifle', weight: 2 },
      { names: ['Model 70', '70'], calibres: ['30-06-springfield', '270-winchester'], type: 'bolt-action-rifle', weight: 1 },
      { names: ['SXP'], calibres: ['12-gauge'], type: 'pump-action-shotgun', weight: 1 },
    ],
    formats: [['#######', 2], ['@@######', 1]],
  },
];

// ---------------------------------------------------------------------------------------------
// Owner countries

export type Language = 'en' | 'de' | 'fr' | 'it' | 'es' | 'nl';

export interface ImporterProfile {
  name: string;
  /** Letters of the importer's own serial numbers. */
  code: string;
}

export interface CountryProfile {
  country: string;
  /** The National Central Bureau that owns the country's records. */
  agency: string;
  language: Language;
  makers: readonly (readonly [string, number])[];
  localities: readonly string[];
  neighbours: readonly string[];
  importers: readonly ImporterProfile[];
  /** Whether imported guns carry an importer's number (US: always marked, often recorded). */
  importerNumberRate: number;
  reference(year: number, seq: number): string;
  caseNumber(year: number, seq: number): string;
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

export const COUNTRIES: readonly CountryProfile[] = [
  {
    country: 'FR',
    agency: 'NCB-PARIS',
    language: 'fr',
    makers: [
      ['glock-gmbh', 7], ['pietro-beretta', 5], ['manurhin', 5], ['mas', 4], ['verney-carron', 5], ['manufrance', 3], ['sig-sauer-gmbh', 3],
      ['smith-wesson', 3], ['cz-ub', 3], ['benelli', 3], ['fn-herstal', 3], ['browning-arms', 2], ['zastava', 3], ['kalashnikov-concern', 3],
      ['cugir', 2], ['tula-arms-plant', 1], ['star', 1], ['llama', 1], ['zoraki', 2], ['ekol', 2], ['retay', 1], ['taurus', 1],
      ['tanfoglio', 2], ['mossberg', 1], ['remington', 1], ['carl-walther', 2], ['heckler-koch', 1], ['norinco', 1], ['astra', 1],
    ],
    localities: ['Paris', 'Marseille', 'Lyon', 'Lille', 'Toulouse', 'Nice', 'Strasbourg', 'Bordeaux', 'Rennes', 'Saint-Étienne'],
    neighbours: ['BE', 'DE', 'ES', 'IT', 'CH', 'LU'],
    importers: [{ name: 'Humbert', code: 'HB' }, { name: 'RIVOLIER', code: 'RV' }],
    importerNumberRate: 0.05,
    reference: (y, s) => `FR-${y}-${pad(s, 7)}`,
    caseNumber: (y, s) => `PV ${pad(s % 99991, 5)}/${y}`,
  },
  {
    country: 'DE',
    agency: 'NCB-WIESBADEN',
    language: 'de',
    makers: [
      ['carl-walther', 10], ['glock-gmbh', 8], ['heckler-koch', 8], ['sig-sauer-gmbh', 5], ['izhmekh', 3], ['cz-ub', 4], ['pietro-beretta', 3],
      ['merkel', 3], ['blaser', 2], ['anschutz', 3], ['jp-sauer', 3], ['smith-wesson', 2], ['umarex', 3], ['rohm', 2], ['zoraki', 3],
      ['ekol', 2], ['kalashnikov-concern', 1], ['tula-arms-plant', 1], ['zastava', 1], ['fn-herstal', 1], ['steyr-mannlicher', 2],
      ['feg', 1], ['fb-radom', 1], ['sturm-ruger', 1],
    ],
    localities: ['Berlin', 'Hamburg', 'München', 'Köln', 'Frankfurt am Main', 'Stuttgart', 'Düsseldorf', 'Leipzig', 'Dresden', 'Suhl'],
    neighbours: ['AT', 'CH', 'FR', 'NL', 'BE', 'PL', 'CZ', 'DK', 'LU'],
    importers: [{ name: 'Frankonia', code: 'FK' }, { name: 'AKAH', code: 'AK' }],
    importerNumberRate: 0.05,
    reference: (y, s) => `BKA-${y}-${pad(s, 7)}`,
    caseNumber: (y, s) => `Az. ${pad(s % 999983, 6)}/${String(y).slice(2)}`,
  },
  {
    country: 'US',
    agency: 'NCB-WASHINGTON',
    language: 'en',
    makers: [
      ['smith-wesson', 12], ['sturm-ruger', 12], ['glock-gmbh', 9], ['glock-inc', 2], ['taurus', 6], ['sig-sauer-inc', 6], ['hi-point', 4],
      ['springfield-armory-inc', 4], ['kel-tec', 3], ['remington', 4], ['mossberg', 4], ['savage-arms', 3], ['colt', 3],
      ['palmetto-state-armory', 2], ['polymer80', 2], ['henry-repeating-arms', 1], ['marlin', 2], ['bersa', 1], ['cz-ub', 2],
      ['pietro-beretta', 3], ['fn-herstal', 1], ['heckler-koch', 1], ['carl-walther', 1], ['izhmekh', 1], ['kalashnikov-concern', 1],
      ['zastava', 1], ['norinco', 1], ['canik', 2], ['armscor', 2], ['cugir', 1], ['winchester-repeating-arms', 2], ['browning-arms', 1],
    ],
    localities: ['Houston, TX', 'Atlanta, GA', 'Chicago, IL', 'Phoenix, AZ', 'Miami, FL', 'El Paso, TX', 'Richmond, VA', 'Denver, CO', 'Tucson, AZ', 'Memphis, TN'],
    neighbours: ['MX', 'CA'],
    importers: [
      { name: 'Century International Arms', code: 'CAI' },
      { name: 'Zastava Arms USA', code: 'ZUSA' },
      { name: 'SDS Imports', code: 'SDS' },
      { name: 'Global Ordnance', code: 'GO' },
    ],
    importerNumberRate: 0.35,
    reference: (y, s) => `G${pad(((y % 100) * 10_000_000 + s) % 1_000_000_000, 9)}`,
    caseNumber: (y, s) => `${y}-${pad(s % 9_999_991, 7)}`,
  },
  {
    country: 'IT',
    agency: 'NCB-ROME',
    language: 'it',
    makers: [
      ['pietro-beretta', 12], ['benelli', 4], ['tanfoglio', 4], ['glock-gmbh', 4], ['smith-wesson', 2], ['zastava', 2], ['kalashnikov-concern', 2],
      ['cz-ub', 2], ['zoraki', 2], ['ekol', 2], ['carl-walther', 1], ['sig-sauer-gmbh', 1], ['browning-arms', 1],
    ],
    localities: ['Roma', 'Milano', 'Napoli', 'Torino', 'Palermo', 'Bari', 'Brescia', 'Genova'],
    neighbours: ['FR', 'CH', 'AT', 'SI'],
    importers: [{ name: 'Bignami', code: 'BG' }],
    importerNumberRate: 0.03,
    reference: (y, s) => `IT/${y}/${pad(s, 7)}`,
    caseNumber: (y, s) => `RGNR ${pad(s % 99991, 5)}/${y}`,
  },
  {
    country: 'ES',
    agency: 'NCB-MADRID',
    language: 'es',
    makers: [
      ['star', 4], ['llama', 4], ['astra', 4], ['glock-gmbh', 3], ['pietro-beretta', 3], ['heckler-koch', 2], ['cz-ub', 1], ['zastava', 1],
      ['kalashnikov-concern', 1], ['ekol', 2], ['zoraki', 2], ['smith-wesson', 1],
    ],
    localities: ['Madrid', 'Barcelona', 'Valencia', 'Sevilla', 'Málaga', 'Bilbao', 'Algeciras'],
    neighbours: ['FR', 'PT', 'MA'],
    importers: [{ name: 'Armeria Alvarez', code: 'AA' }],
    importerNumberRate: 0.03,
    reference: (y, s) => `ES-${y}-${pad(s, 8)}`,
    caseNumber: (y, s) => `DP ${pad(s % 99991, 5)}/${y}`,
  },
  {
    country: 'BE',
    agency: 'NCB-BRUSSELS',
    language: 'fr',
    makers: [['fn-herstal', 8], ['browning-arms', 3], ['glock-gmbh', 4], ['pietro-beretta', 2], ['zastava', 2], ['kalashnikov-concern', 2], ['cz-ub', 1], ['heckler-koch', 1]],
    localities: ['Bruxelles', 'Liège', 'Anvers', 'Charleroi', 'Gand', 'Herstal'],
    neighbours: ['FR', 'NL', 'DE', 'LU'],
    importers: [{ name: 'Lanber', code: 'LB' }],
    importerNumberRate: 0.03,
    reference: (y, s) => `BE.${y}.${pad(s, 7)}`,
    caseNumber: (y, s) => `PV ${pad(s % 999983, 6)}/${y}`,
  },
];

export function countryProfile(country: string): CountryProfile {
  const p = COUNTRIES.find((c) => c.country === country);
  if (!p) throw new RangeError(`no country profile for ${country} (have ${COUNTRIES.map((c) => c.country).join(', ')})`);
  return p;
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

/** The profile of a maker id (for the seizure generator). */
export function makerProfile(id: string): MakerProfile {
  const m = MAKERS.find((p) => p.id === id);
  if (!m) throw new RangeError(`no maker profile ${id}`);
  return m;
}
