/** Owner countries as the record generator draws them: languages, agencies, importers, case numbers. */
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

export const pad = (n: number, w: number) => String(n).padStart(w, '0');

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
