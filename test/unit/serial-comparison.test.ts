import { describe, expect, it } from 'vitest';
import { LOOKALIKE_FOLD_SQL, partialPattern } from '../../src/match/partial-serial.js';
import { bestSerialEvidence, boundedEditDistance, compareSerial, SERIAL_SCORES } from '../../src/match/serial-comparison.js';
import { lookalikeKey, serialKeys } from '../../src/serials/serial-keys.js';

/** How a seized serial agrees with a recorded one, tier by tier (domain.md 7.4). */
describe('serial tiers', () => {
  const cases: [string, string, string, string][] = [
    // seized, recorded, tier, relation
    ['AB12345', 'AB12345', 'EXACT', 'exact'],
    ['ab 12-345', 'AB12345', 'NORMALISED', 'normalised'],
    ['АК47123', 'AK47123', 'NORMALISED', 'normalised'], // Cyrillic re-stamp read as Latin
    ['A123;IMP456', 'IMP456', 'NORMALISED', 'second-number'],
    ['AB1234S', 'AB12345', 'FUZZY', 'lookalike'],
    ['B8I0', '88I0', 'FUZZY', 'lookalike'],
    ['369J257', '369M257', 'FUZZY', 'ncic-embedded-letters'],
    ['12345678-ABC123', 'ABC123', 'FUZZY', 'licence-prefix'],
    ['00123456', '123456', 'FUZZY', 'leading-zeros'],
    ['XK123456', '123456', 'FUZZY', 'dropped-letters'],
    ['AB13245', 'AB12345', 'FUZZY', 'transposition'],
    ['AB12945', 'AB12345', 'FUZZY', 'substitution'],
    ['AB123345', 'AB12345', 'FUZZY', 'insertion'],
    ['AB1245', 'AB12345', 'FUZZY', 'deletion'],
    ['AB129455', 'AB123456', 'FUZZY', 'two-edits'],
  ];
  it.each(cases)('%s against %s is %s (%s)', (seized, recorded, tier, relation) => {
    expect(compareSerial(seized, recorded)).toMatchObject({ tier, relation });
  });

  it('scores identity above look-alikes above edits, and names both serials in the explanation', () => {
    const order = ['exact', 'normalised', 'lookalike', 'transposition', 'substitution', 'two-edits'] as const;
    for (let i = 1; i < order.length; i++) expect(SERIAL_SCORES[order[i - 1]!]).toBeGreaterThan(SERIAL_SCORES[order[i]!]);
    expect(compareSerial('AB13245', 'AB12345')!.explanation).toBe('serial differs by two adjacent characters swapped (seized "AB13245", recorded "AB12345")');
  });

  it('does not relate serials three edits apart, or short serials two edits apart', () => {
    expect(compareSerial('AB99945', 'AB12345')).toBeUndefined();
    expect(compareSerial('1299', '1234')).toBeUndefined();
  });

  it('takes the best agreement among all numbers of both firearms (frame, slide, importer)', () => {
    const e = bestSerialEvidence([{ value: 'SLIDE-999' }, { value: 'AB12345' }], ['XYZ', 'AB12345']);
    expect(e).toMatchObject({ tier: 'EXACT', seized: 'AB12345', recorded: 'AB12345' });
  });
});

describe('partial serials', () => {
  it('fits unreadable characters one for one, and scores by the share read', () => {
    const most = compareSerial('AB1?3?5', 'AB12345', true);
    const less = compareSerial('A??2??5', 'AB12345', true);
    expect(most).toMatchObject({ tier: 'PARTIAL', relation: 'partial' });
    expect(less).toMatchObject({ tier: 'PARTIAL' });
    expect(most!.score).toBeGreaterThan(less!.score);
    expect(compareSerial('AB1?3?6', 'AB12345', true)).toBeUndefined();
  });

  it('reads * as any run of characters, and a flagged fragment as appearing anywhere', () => {
    expect(compareSerial('*2345', 'AB12345', true)).toMatchObject({ tier: 'PARTIAL' });
    expect(compareSerial('B123', 'AB12345', true)).toMatchObject({ tier: 'PARTIAL' });
    expect(compareSerial('B124', 'AB12345', true)).toBeUndefined();
  });

  it('tolerates look-alike characters in what was read', () => {
    expect(compareSerial('S??34', '51234', true)).toMatchObject({ tier: 'PARTIAL' });
  });

  it('treats a single ? as a substitution, found by the ordinary keys', () => {
    expect(compareSerial('AB12?45', 'AB12345', true)).toMatchObject({ tier: 'FUZZY', relation: 'substitution' });
  });

  it('builds a LIKE pattern that matches what the regular expression matches', () => {
    const p = partialPattern(serialKeys('AB1?3*').normalised, true)!;
    expect(p.like).toBe('A81_3%');
    expect(p.readable).toBe(4);
    expect(partialPattern('B12_3', true)!.like).toBe('%812\\_3%');
    expect(partialPattern('AB123', false)).toBeUndefined();
  });

  it('folds look-alikes in SQL exactly as lookalikeKey does', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789?*';
    let sqlFolded = '';
    for (const ch of alphabet) {
      const i = LOOKALIKE_FOLD_SQL.from.indexOf(ch);
      sqlFolded += i < 0 ? ch : LOOKALIKE_FOLD_SQL.to[i];
    }
    expect(sqlFolded).toBe(lookalikeKey(alphabet));
  });
});

describe('bounded edit distance', () => {
  it('counts substitutions, insertions, deletions and adjacent transpositions, and stops above the bound', () => {
    expect(boundedEditDistance('ABCDEF', 'ABCDEF', 2)).toBe(0);
    expect(boundedEditDistance('ABCDEF', 'ABDCEF', 2)).toBe(1);
    expect(boundedEditDistance('ABCDEF', 'ABCEF', 2)).toBe(1);
    expect(boundedEditDistance('ABCDEF', 'XBCDEY', 2)).toBe(2);
    expect(boundedEditDistance('ABCDEF', 'XYZDEF', 2)).toBe(3);
    expect(boundedEditDistance('AB', 'ABCDE', 2)).toBe(3);
  });
});

describe('what is not the same number', () => {
  it('does not take two numbers with different letter prefixes for one number with letters dropped', () => {
    expect(compareSerial('PAJ781', 'HKG781')).toBeUndefined();
    expect(compareSerial('RAAJ957', 'MAM957;SDS81288')).toBeUndefined();
  });

  it('still relates two paddings of one number', () => {
    expect(compareSerial('00123456', '0123456')).toMatchObject({ relation: 'leading-zeros' });
  });
});

describe('how much a relaxed rule may explain', () => {
  it('gives little weight to a serial that is mostly the letters dropped', () => {
    const weak = compareSerial('620', 'LZZ620')!;
    const strong = compareSerial('123456', 'XK123456')!;
    expect(weak.relation).toBe('dropped-letters');
    expect(weak.score).toBeLessThan(0.7);
    expect(strong.score).toBeGreaterThan(0.85);
  });

  it('applies the NCIC embedded-letters rule to a letter or two among digits, not to letter blocks behind a licence prefix', () => {
    expect(compareSerial('98765012-KMT134', '98765012-TMY134')?.relation).not.toBe('ncic-embedded-letters');
    expect(compareSerial('369J257', '369257')).toMatchObject({ relation: 'ncic-embedded-letters' });
  });
});
