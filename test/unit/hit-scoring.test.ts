import { describe, expect, it } from 'vitest';
import { compareDescriptions, resolveFirearm } from '../../src/match/description-agreement.js';
import { rankCandidates, type MatchThresholds } from '../../src/match/hit-scoring.js';
import { rankRecordCandidates } from '../../src/match/matcher.js';
import type { CandidateRecord } from '../../src/match/candidate-search.js';
import type { FirearmDescription } from '../../src/messages/generated-types.js';
import { loadReferenceCatalogue } from '../../src/reference/reference-catalogue.js';

/**
 * Scoring rules of the matcher: the serial finds a candidate, the description weighs it, and a
 * STRONG hit needs the maker to agree. Run against the real reference table in config/reference.
 */
const reference = loadReferenceCatalogue();
const thresholds: MatchThresholds = { strongScore: 0.85, possibleScore: 0.6, minimumScore: 0.3, maxHitsPerItem: 10, ambiguityMargin: 0.03 };

function firearm(serial: string, overrides: Partial<FirearmDescription> = {}): FirearmDescription {
  return { serials: [{ value: serial }], make: 'Smith & Wesson', model: 'M&P9', calibre: '9mm Luger', type: 'semi-automatic pistol', countryOfManufacture: 'US', ...overrides };
}

let n = 0;
function candidate(f: FirearmDescription): CandidateRecord {
  n++;
  return {
    id: `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`,
    owner_country: 'FR',
    owner_agency: 'NCB-PARIS',
    owner_reference: `R-${n}`,
    status: 'STOLEN',
    firearm: f,
    event: { date: '2026-01-01', caseNumber: `C-${n}` },
    visibility: 'all',
    visibility_countries: [],
    confidentiality: 'official-use',
    serial_key: f.serials[0]!.value,
  };
}

function rank(seized: FirearmDescription, ...recorded: FirearmDescription[]) {
  return rankRecordCandidates(resolveFirearm(seized, reference), recorded.map(candidate), reference, thresholds);
}

describe('what each field contributes', () => {
  it('accepts any spelling of the same maker, calibre and type as agreement', () => {
    const fields = compareDescriptions(
      resolveFirearm(firearm('X1', { make: 'S&W', calibre: '9x19mm', type: 'PI', model: 'M&P 9' }), reference),
      resolveFirearm(firearm('X1'), reference),
      reference,
    );
    expect(Object.fromEntries(fields.map((f) => [f.field, f.verdict]))).toEqual({ make: 'same', calibre: 'same', type: 'same', countryOfManufacture: 'same', model: 'same' });
    expect(fields.every((f) => f.factor === 1)).toBe(true);
  });

  it('marks an ambiguous name as a possible agreement, an unmapped one as unknown', () => {
    const [glock] = compareDescriptions(resolveFirearm(firearm('X', { make: 'Glock' }), reference), resolveFirearm(firearm('X', { make: 'Glock Ges.m.b.H.' }), reference), reference);
    expect(glock).toMatchObject({ field: 'make', verdict: 'possible' });
    const [nobody] = compareDescriptions(resolveFirearm(firearm('X', { make: 'Zastava Typo Arms Ltd' }), reference), resolveFirearm(firearm('X'), reference), reference);
    expect(nobody).toMatchObject({ verdict: 'unknown' });
  });

  it('treats 5.56 NATO and .223 Remington as related, 9x18 and 9x19 as different cartridges', () => {
    const cal = (a: string, b: string) => compareDescriptions(resolveFirearm(firearm('X', { calibre: a }), reference), resolveFirearm(firearm('X', { calibre: b }), reference), reference)[1]!;
    expect(cal('5.56 NATO', '.223 Rem').verdict).toBe('related');
    expect(cal('9x18 Makarov', '9mm Luger').verdict).toBe('different');
    expect(cal('9mm', '9mm Luger').verdict).toBe('possible');
  });

  it('lets a generic type fit a specific one of its NCIC category, but not another category', () => {
    const type = (a: string, b: string) => compareDescriptions(resolveFirearm(firearm('X', { type: a }), reference), resolveFirearm(firearm('X', { type: b }), reference), reference)[2]!;
    expect(type('pistol', 'semi-automatic pistol').verdict).toBe('compatible');
    expect(type('revolver', 'semi-automatic pistol').verdict).toBe('related');
    expect(type('shotgun', 'semi-automatic pistol').verdict).toBe('different');
  });
});

describe('tiers', () => {
  it('makes an exact serial with the same maker STRONG', () => {
    const [hit] = rank(firearm('AB12345', { make: 'S&W' }), firearm('AB12345'));
    expect(hit).toMatchObject({ tier: 'STRONG', score: 1 });
  });

  it('keeps a serial on a different maker below STRONG whatever else agrees', () => {
    const [hit] = rank(firearm('AB12345', { make: 'Beretta' }), firearm('AB12345'));
    expect(hit!.tier).toBe('WEAK');
    expect(hit!.explanation.some((e) => e.includes('unique per maker only'))).toBe(true);
    // Even a perfect score could not make it STRONG: the rule is separate from the arithmetic.
    const [lenient] = rankRecordCandidates(resolveFirearm(firearm('AB12345', { make: 'Beretta' }), reference), [candidate(firearm('AB12345'))], reference, { ...thresholds, strongScore: 0.1, possibleScore: 0.05 });
    expect(lenient!.tier).toBe('POSSIBLE');
  });

  it('keeps a partial serial below STRONG even with everything else agreeing', () => {
    const [hit] = rank(firearm('AB1??45', { serials: [{ value: 'AB1??45', partial: true }] }), firearm('AB12345'));
    expect(hit).toMatchObject({ serial: { tier: 'PARTIAL' } });
    expect(hit!.tier).not.toBe('STRONG');
  });

  it('keeps a contradicting calibre below STRONG', () => {
    const [hit] = rank(firearm('AB12345', { calibre: '.40 S&W' }), firearm('AB12345'));
    expect(hit!.tier).not.toBe('STRONG');
  });

  it('makes one real edit POSSIBLE, and drops what scores below the minimum', () => {
    const [edit] = rank(firearm('AB12945'), firearm('AB12345'));
    expect(edit).toMatchObject({ tier: 'POSSIBLE', serial: { relation: 'substitution' } });
    const none = rank(firearm('AB129455', { make: 'Beretta', calibre: '.22 LR', type: 'shotgun', countryOfManufacture: 'IT', model: '92' }), firearm('AB123456'));
    expect(none).toEqual([]);
  });

  it('demotes two equally strong records: the evidence cannot tell them apart', () => {
    const hits = rank(firearm('AB12345'), firearm('AB12345'), firearm('AB12345'));
    expect(hits.map((h) => h.tier)).toEqual(['POSSIBLE', 'POSSIBLE']);
    expect(hits[0]!.explanation.at(-1)).toMatch(/2 records agree about equally well/);
  });

  it('ranks the better description first among candidates sharing a serial', () => {
    const hits = rank(firearm('AB12345', { make: 'Glock Ges.m.b.H.', model: '17', calibre: '9x19', countryOfManufacture: 'AT' }), firearm('AB12345'), firearm('AB12345', { make: 'Glock', model: 'G17', countryOfManufacture: 'AT' }));
    expect(hits[0]!.record.firearm.make).toBe('Glock');
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
  });

  it('keeps at most maxHitsPerItem, best first', () => {
    const many = Array.from({ length: 15 }, (_, i) => firearm(`AB1234${i % 10}`, { make: i % 2 ? 'Beretta' : 'S&W' }));
    const ranked = rankCandidates(
      rank(firearm('AB12340'), ...many).map((h) => ({ ...h, tier: h.tier })),
      { ...thresholds, maxHitsPerItem: 3 },
    );
    expect(ranked).toHaveLength(3);
    expect(ranked[0]!.score).toBeGreaterThanOrEqual(ranked[2]!.score);
  });
});
