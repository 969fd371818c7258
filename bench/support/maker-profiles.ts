/**
 * Makers as the record generator draws them: their reference ids, models, calibres, types and
 * the serial formats they stamp. Facts from public sources (see record-generator.ts).
 */
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

export const PISTOL = 'semi-automatic-pistol';
export const REVOLVER = 'revolver';

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

/** The profile of a maker id (for the seizure generator). */
export function makerProfile(id: string): MakerProfile {
  const m = MAKERS.find((p) => p.id === id);
  if (!m) throw new RangeError(`no maker profile ${id}`);
  return m;
}
