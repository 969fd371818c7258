import { describe, expect, it } from 'vitest';
import { foldHomoglyphs, HOMOGLYPHS, scriptOf } from '../../src/serials/homoglyphs.js';
import {
  deletions,
  lookalikeKey,
  MAX_DELETION_LENGTH,
  serialKeys,
  withoutLeadingZeros,
  type SerialKey,
} from '../../src/serials/serial-keys.js';
import { editRelation, type EditRelation } from '../../src/serials/edit-relation.js';
import { candidateKeysForQuery, indexKeys } from '../../src/serials/serial-index-keys.js';
// Seeded (mulberry32), so a failing random case can be replayed.
import { mulberry32 } from '../../bench/support/seeded-random.js';

const id = (k: SerialKey): string => `${k.kind}|${k.key}`;

/** The (kind, key) pairs a query for `query` looks up that the record with serial `record` is indexed under. */
function shared(record: string, query: string): string[] {
  const index = new Set(indexKeys(serialKeys(record)).map(id));
  return candidateKeysForQuery(serialKeys(query)).map(id).filter((k) => index.has(k));
}


const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

describe('serial keys', () => {
  describe('as marked', () => {
    it('keeps the serial exactly as received, trimmed of surrounding whitespace only', () => {
      expect(serialKeys('  AB 12-345 \n').asMarked).toBe('AB 12-345');
      expect(serialKeys('ab·12/3').asMarked).toBe('ab·12/3');
    });

    it('is indexed as the exact key, so an exact search finds only the same marking', () => {
      expect(indexKeys(serialKeys('AB 12-345'))).toContainEqual({ kind: 'exact', key: 'AB 12-345' });
      expect(shared('AB 12-345', 'AB 12-345')).toContain('exact|AB 12-345');
      expect(shared('AB 12-345', 'AB12345')).not.toContain('exact|AB 12-345');
    });
  });

  describe('normalised key', () => {
    it('removes spaces, hyphens, dots, slashes, underscores and middle dots: "AB 12-345" is AB12345', () => {
      expect(serialKeys('AB 12-345').normalised).toBe('AB12345');
      expect(serialKeys('AB.12/34_5').normalised).toBe('AB12345');
      expect(serialKeys('AB·12 345').normalised).toBe('AB12345');
    });

    it('removes the same separators typed in other encodings (Unicode dashes, no-break and ideographic spaces)', () => {
      expect(serialKeys('AB\u201012\u2013345').normalised).toBe('AB12345');
      expect(serialKeys('AB\u00a012\u3000345').normalised).toBe('AB12345');
      expect(serialKeys('AB\u200b12345').normalised).toBe('AB12345');
    });

    it('is upper case', () => {
      expect(serialKeys('ab12c345').normalised).toBe('AB12C345');
    });

    it('applies NFKC, so fullwidth digits and letters are plain ASCII', () => {
      expect(serialKeys('１２３４５').normalised).toBe('12345');
      expect(serialKeys('ＡＢ１２３４５').normalised).toBe('AB12345');
      expect(shared('AB12345', 'ＡＢ１２３４５')).toContain('normalised|AB12345');
    });

    it('folds the letter O to zero as NCIC does: O12345 and 012345 are one key', () => {
      expect(serialKeys('O12345').normalised).toBe('012345');
      expect(serialKeys('o12345').normalised).toBe('012345');
      expect(serialKeys('O12345').normalised).toBe(serialKeys('012345').normalised);
      expect(serialKeys('AB1O3').normalised).toBe('AB103');
      expect(shared('012345', 'O12345')).toContain('normalised|012345');
    });

    it('folds Cyrillic and Greek O to zero too, since they are first folded to a Latin O', () => {
      expect(serialKeys('\u041e12345').normalised).toBe('012345'); // Cyrillic О
      expect(serialKeys('\u039f12345').normalised).toBe('012345'); // Greek Ο
    });
  });

  describe('Cyrillic and Greek look-alikes', () => {
    it('folds the Cyrillic АК47123 to AK47123 and reports the serial as Cyrillic', () => {
      const k = serialKeys('\u0410\u041a47123');
      expect(k.normalised).toBe('AK47123');
      expect(k.script).toBe('cyrillic');
      expect(shared('AK47123', '\u0410\u041a47123')).toContain('normalised|AK47123');
      expect(shared('\u0410\u041a47123', 'AK47123')).toContain('normalised|AK47123');
    });

    it('folds every Cyrillic capital with a Latin look-alike, and lower-case forms through upper-casing', () => {
      expect(serialKeys('АВЕКМНОРСТХУ').normalised).toBe('ABEKMH0PCTXY');
      expect(serialKeys('авекмнорстху').normalised).toBe('ABEKMH0PCTXY');
      expect(serialKeys('ЅІЈ').normalised).toBe('SIJ');
    });

    it('folds Greek capitals with a Latin look-alike and reports the serial as Greek', () => {
      const k = serialKeys('ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ');
      expect(k.normalised).toBe('ABEZHIKMN0PTYX');
      expect(k.script).toBe('greek');
      expect(serialKeys('αβ1234').normalised).toBe('AB1234');
      // The lunate sigma is drawn as a C; NFKC would make it a Σ, so it is folded first.
      expect(serialKeys('\u03f9\u03f21234').normalised).toBe('CC1234');
      // NFKC makes the micro sign a Greek mu, which then folds like one.
      expect(serialKeys('\u00b51234').normalised).toBe('M1234');
    });

    it('keeps Cyrillic and Greek letters with no Latin look-alike, so the key stays visibly non-Latin', () => {
      expect(serialKeys('ЖД1234').normalised).toBe('ЖД1234');
      expect(serialKeys('ЛШ-12').normalised).toBe('ЛШ12');
      expect(serialKeys('ΛΣΩ12').normalised).toBe('ΛΣΩ12');
      expect(serialKeys('жд1234').normalised).toBe('ЖД1234');
      expect(serialKeys('ЖД1234').script).toBe('cyrillic');
    });

    it('reports two scripts in one serial as mixed (the usual keyboard-layout slip), before folding', () => {
      const k = serialKeys('A\u041a47123'); // Latin A, Cyrillic К
      expect(k.script).toBe('mixed');
      expect(k.normalised).toBe('AK47123');
      expect(serialKeys('ΑК12').script).toBe('mixed'); // Greek Alpha, Cyrillic Ka
    });

    it('counts digits-only and fullwidth Latin serials as Latin, and letters of other scripts as other', () => {
      expect(serialKeys('12345').script).toBe('latin');
      expect(serialKeys('ＡＢ１２').script).toBe('latin');
      expect(serialKeys('AB12').script).toBe('latin');
      expect(serialKeys('銃123').script).toBe('other');
      expect(scriptOf('١٢٣')).toBe('other'); // Arabic-Indic digits
      expect(scriptOf('銃AB')).toBe('mixed');
    });

    it('exposes the fold table and a fold that leaves everything else alone', () => {
      expect(HOMOGLYPHS.get('\u0410')).toBe('A');
      expect(HOMOGLYPHS.get('\u0430')).toBe('A');
      expect(HOMOGLYPHS.get('\u03a7')).toBe('X');
      expect(HOMOGLYPHS.has('\u0416')).toBe(false); // Ж
      expect(foldHomoglyphs('АК-47 ж')).toBe('AK-47 ж');
    });

    it('a Latin serial re-typed with any mix of Cyrillic and Greek look-alikes normalises to the same key', () => {
      const rnd = mulberry32(7);
      const latinToLookalikes = new Map<string, string[]>();
      for (const [from, to] of HOMOGLYPHS) latinToLookalikes.set(to, [...(latinToLookalikes.get(to) ?? []), from]);
      for (let n = 0; n < 500; n++) {
        let latin = '';
        let retyped = '';
        const len = 4 + Math.floor(rnd() * 8);
        for (let i = 0; i < len; i++) {
          const ch = ALPHABET[Math.floor(rnd() * ALPHABET.length)]!;
          latin += ch;
          const options = latinToLookalikes.get(ch);
          retyped += options && rnd() < 0.7 ? options[Math.floor(rnd() * options.length)]! : ch;
        }
        expect(serialKeys(retyped).normalised, `${latin} / ${retyped}`).toBe(serialKeys(latin).normalised);
      }
    });
  });

  describe('NCIC embedded letters', () => {
    it('removes letters between digits: 369J257 gives 369257', () => {
      expect(serialKeys('369J257').alphaStripped).toBe('369257');
      expect(serialKeys('12ABC34').alphaStripped).toBe('1234');
    });

    it('keeps leading and trailing letters: AB12C34D gives AB1234D', () => {
      expect(serialKeys('AB12C34D').alphaStripped).toBe('AB1234D');
      expect(serialKeys('AB12345').alphaStripped).toBe('AB12345');
      expect(serialKeys('12345XY').alphaStripped).toBe('12345XY');
    });

    it('369257 and 369M257 both meet the record 369J257 on the alpha-stripped key', () => {
      expect(shared('369J257', '369257')).toContain('alpha-stripped|369257');
      expect(shared('369J257', '369M257')).toContain('alpha-stripped|369257');
    });

    it('369J257 meets the record 369257 on its normalised key', () => {
      expect(shared('369257', '369J257')).toContain('normalised|369257');
    });

    it('does not treat a zero folded from a letter O as a letter: 369O257 is 3690257', () => {
      expect(serialKeys('369O257').alphaStripped).toBe('3690257');
    });
  });

  describe('ATF licence prefix', () => {
    it('12345678-ABC123 has the number ABC123 without its prefix', () => {
      const k = serialKeys('12345678-ABC123');
      expect(k.withoutPrefix).toBe('ABC123');
      expect(k.normalised).toBe('12345678ABC123');
    });

    it('normalises the number after the prefix, and tolerates spaces and other dashes around the hyphen', () => {
      expect(serialKeys('12345678-abc 12-3').withoutPrefix).toBe('ABC123');
      expect(serialKeys('12345678 \u2013 ABC123').withoutPrefix).toBe('ABC123');
    });

    it('needs exactly eight digits and a hyphen', () => {
      expect(serialKeys('12345678ABC123').withoutPrefix).toBeUndefined();
      expect(serialKeys('1234567-ABC123').withoutPrefix).toBeUndefined();
      expect(serialKeys('123456789-ABC123').withoutPrefix).toBeUndefined();
      expect(serialKeys('12345678-').withoutPrefix).toBeUndefined();
      expect(serialKeys('ABC123').withoutPrefix).toBeUndefined();
    });

    it('a prefixed record is found by its bare number, and a bare record by the prefixed number (PMF adopted by a licensee)', () => {
      expect(shared('12345678-ABC123', 'ABC123')).toContain('no-prefix|ABC123');
      expect(shared('ABC123', '12345678-ABC123')).toContain('normalised|ABC123');
    });

    it('a bare number with one misread still meets the prefixed record', () => {
      expect(shared('12345678-ABC123', 'ABC128').length).toBeGreaterThan(0);
    });
  });

  describe('several numbers separated by ";"', () => {
    it('A123;IMP456 has the parts A123 and IMP456, each normalised, in order', () => {
      const k = serialKeys('A123;IMP456');
      expect(k.parts).toEqual(['A123', 'IMP456']);
      expect(k.normalised).toBe('A123;IMP456');
      expect(serialKeys('a-123 ; imp 456').parts).toEqual(['A123', 'IMP456']);
    });

    it('a single serial has itself as its only part; empty parts are dropped', () => {
      expect(serialKeys('AB 12-345').parts).toEqual(['AB12345']);
      expect(serialKeys('A123;').parts).toEqual(['A123']);
      expect(serialKeys('').parts).toEqual([]);
    });

    it('each number finds the record on its own, and a record with one number is found by a query with both', () => {
      expect(shared('A123;IMP456', 'IMP456')).toContain('part|IMP456');
      expect(shared('A123;IMP456', 'A123')).toContain('part|A123');
      expect(shared('IMP456', 'A123;IMP456')).toContain('normalised|IMP456');
    });

    it('splits the licence prefix off the part that carries it', () => {
      expect(serialKeys('A123;12345678-B456').withoutPrefix).toBe('A123;B456');
      expect(shared('A123;12345678-B456', 'B456')).toContain('no-prefix|B456');
    });
  });

  describe('leading zeros', () => {
    it('are removed from a numeric key, keeping one digit', () => {
      expect(withoutLeadingZeros('0012345')).toBe('12345');
      expect(withoutLeadingZeros('12345')).toBe('12345');
      expect(withoutLeadingZeros('000')).toBe('0');
    });

    it('are removed from the number after a letter prefix, the field makers pad', () => {
      expect(withoutLeadingZeros('AB00123')).toBe('AB123');
      expect(withoutLeadingZeros('AB00123C')).toBe('AB123C');
    });

    it('are kept inside a number, and a lone zero between letters is not padding', () => {
      expect(withoutLeadingZeros('12A0034')).toBe('12A0034');
      expect(withoutLeadingZeros('B0A12')).toBe('B0A12');
    });

    it('do not stop a padded record and an unpadded query (or two paddings) from meeting', () => {
      expect(shared('0012345', '12345')).toContain('no-prefix|12345');
      expect(shared('12345', '0012345')).toContain('normalised|12345');
      expect(shared('012345', '0012345')).toContain('no-prefix|12345');
      expect(shared('AB00123', 'AB123')).toContain('no-prefix|AB123');
    });

    it('a letter O read as a prefix meets the number without it', () => {
      expect(shared('12345', 'O12345')).toContain('normalised|12345');
    });
  });

  describe('dropped prefix and suffix letters', () => {
    it('a record with letters around its number is found by the bare number, and the reverse', () => {
      expect(shared('AB12345C', '12345')).toContain('no-prefix|12345');
      expect(shared('12345', 'AB12345')).toContain('normalised|12345');
    });
  });

  describe('look-alike classes', () => {
    it('fold 0/O/D/Q to 0, 1/I/L/7 to 1, 5/S to 5, 8/B to 8, 2/Z to 2, 6/G to 6', () => {
      expect(lookalikeKey('0ODQ')).toBe('0000');
      expect(lookalikeKey('1IL7')).toBe('1111');
      expect(lookalikeKey('5S8B2Z6G')).toBe('55882266');
      expect(lookalikeKey('AKX34')).toBe('AKX34');
      expect(lookalikeKey('ЖД17')).toBe('ЖД11');
    });

    it('make the confusable readings of a serial meet on the look-alike key, however many there are', () => {
      for (const [record, query] of [
        ['S12B45', '512845'],
        ['1234567', 'I234S6L'],
        ['AB12345', 'A812345'],
        ['GZ2006', '62200G'],
        ['D12345', '012345'],
      ] as const) {
        expect(shared(record, query), `${record} / ${query}`).toContain(`lookalike|${lookalikeKey(serialKeys(record).normalised)}`);
        expect(editRelation(serialKeys(record).normalised, serialKeys(query).normalised)).toBe('lookalike');
      }
    });
  });

  describe('deletion neighbourhood', () => {
    it('is every string with exactly one character deleted, without repeats and without the key itself', () => {
      expect(deletions('ABC')).toEqual(['BC', 'AC', 'AB']);
      expect(deletions('1000')).toEqual(['000', '100']);
      expect(deletions('AAA')).toEqual(['AA']);
      expect(deletions('A')).toEqual(['']);
      expect(deletions('')).toEqual([]);
    });

    it('counts characters as code points', () => {
      expect(deletions('1\u{1d7ce}2')).toEqual(['\u{1d7ce}2', '12', '1\u{1d7ce}']);
    });
  });

  describe('one misread, dropped, doubled or swapped character', () => {
    const cases: [string, string, string, EditRelation][] = [
      ['substitution', '48151623', '48151628', 'substitution'],
      ['substitution in the prefix', 'AB123456', 'AC123456', 'substitution'],
      ['dropped character', '48151623', '4815623', 'deletion'],
      ['doubled character', '48151623', '481516623', 'insertion'],
      ['inserted character', 'AB123456', 'AB1234X56', 'insertion'],
      ['swapped neighbours', '48151623', '48156123', 'transposition'],
      ['look-alike plus a substitution', 'SB123456', '58123457', 'substitution'],
      ['unknown character written as ?', '12345678', '123?5678', 'substitution'],
    ];
    for (const [what, record, query, relation] of cases) {
      it(`${what}: ${query} meets ${record} and is explained as ${relation}`, () => {
        expect(shared(record, query)).not.toEqual([]);
        expect(editRelation(serialKeys(record).normalised, serialKeys(query).normalised)).toBe(relation);
      });
    }

    it('2,000 random serials, each with one random substitution, deletion, insertion or transposition, always meet the original', () => {
      const rnd = mulberry32(20240611);
      const randomChar = (): string => ALPHABET[Math.floor(rnd() * ALPHABET.length)]!;
      const allowed: Record<string, EditRelation[]> = {
        substitution: ['substitution', 'lookalike', 'equal'],
        deletion: ['deletion'],
        insertion: ['insertion'],
        transposition: ['transposition', 'lookalike', 'equal'],
      };
      for (let n = 0; n < 2000; n++) {
        const len = 4 + Math.floor(rnd() * 11);
        let record = '';
        for (let i = 0; i < len; i++) record += randomChar();
        const edit = (['substitution', 'deletion', 'insertion', 'transposition'] as const)[n % 4]!;
        const p = Math.floor(rnd() * len);
        let query: string;
        if (edit === 'substitution') {
          let ch = randomChar();
          while (ch === record[p]) ch = randomChar();
          query = record.slice(0, p) + ch + record.slice(p + 1);
        } else if (edit === 'deletion') query = record.slice(0, p) + record.slice(p + 1);
        else if (edit === 'insertion') query = record.slice(0, p) + randomChar() + record.slice(p);
        else {
          const q = Math.min(p, len - 2);
          query = record.slice(0, q) + record[q + 1] + record[q] + record.slice(q + 2);
        }
        // An FFL-prefixed record is found by its bare number with one edit too.
        const stored = n % 10 === 9 ? `12345678-${record}` : record;
        expect(shared(stored, query), `${edit}: ${stored} / ${query}`).not.toEqual([]);
        expect(allowed[edit], `${edit}: ${record} / ${query}`).toContain(editRelation(serialKeys(record).normalised, serialKeys(query).normalised));
      }
    });

    it('is not looked for in serials of three characters or fewer, where one edit makes another common serial', () => {
      expect(indexKeys(serialKeys('123')).filter((k) => k.kind === 'deletion')).toEqual([]);
      expect(shared('123', '124')).toEqual([]);
      expect(shared('123', 'I23')).not.toEqual([]); // look-alikes still meet
    });
  });

  describe('different serials', () => {
    it('of equal length with two or more differences share no key', () => {
      for (const [a, b] of [
        ['123456', '123478'],
        ['48151623', '48951683'],
        ['AB123456', 'AC123457'],
        ['100200300', '100900309'],
        ['K123456', 'K654321'],
      ] as const) {
        expect(shared(a, b), `${a} / ${b}`).toEqual([]);
        expect(editRelation(a, b)).toBe('other');
      }
    });

    it('share a deletion key only within two edits, which editRelation then reports as other', () => {
      // Deleting one character on each side can meet a rotation: 1234 without 1 = 2341 without 1.
      expect(shared('1234', '2341')).toContain('deletion|234');
      expect(editRelation('1234', '2341')).toBe('other');
      const rnd = mulberry32(99);
      let sharing = 0;
      for (let n = 0; n < 2000; n++) {
        const len = 6 + Math.floor(rnd() * 6);
        let a = '';
        for (let i = 0; i < len; i++) a += ALPHABET[Math.floor(rnd() * ALPHABET.length)]!;
        // Two substitutions at least two positions apart.
        const p = Math.floor(rnd() * (len - 2));
        const q = p + 2 + Math.floor(rnd() * (len - p - 2));
        const swap = (s: string, i: number): string => s.slice(0, i) + (s[i] === 'X' ? 'Y' : 'X') + s.slice(i + 1);
        const b = swap(swap(a, p), q);
        const fuzzy = shared(a, b).filter((k) => k.startsWith('deletion|') || k.startsWith('lookalike|'));
        if (fuzzy.length > 0) {
          sharing++;
          expect(levenshtein(lookalikeKey(serialKeys(a).normalised), lookalikeKey(serialKeys(b).normalised))).toBeLessThanOrEqual(2);
        }
      }
      expect(sharing).toBeLessThan(20);
    });
  });

  describe('index size', () => {
    it('grows linearly with the serial: at most 2n + 10 rows for n characters, of which at most 2n deletions (number and licence-free remainder)', () => {
      const rnd = mulberry32(3);
      for (let len = 1; len <= MAX_DELETION_LENGTH; len++) {
        let serial = '';
        for (let i = 0; i < len; i++) serial += ALPHABET[Math.floor(rnd() * ALPHABET.length)]!;
        for (const s of [serial, `12345678-${serial}`, `AB 00${serial}C`]) {
          const rows = indexKeys(serialKeys(s));
          const n = serialKeys(s).normalised.length;
          expect(rows.length, s).toBeLessThanOrEqual(2 * n + 10);
          expect(rows.filter((r) => r.kind === 'deletion').length, s).toBeLessThanOrEqual(2 * n);
          expect(new Set(rows.map(id)).size, s).toBe(rows.length);
        }
      }
    });

    it('writes no deletions for an over-long value, such as a description pasted into the serial field', () => {
      const long = 'SEE REMARKS: SERIAL PARTLY GROUND OFF, LAST DIGITS 4711';
      const rows = indexKeys(serialKeys(long));
      expect(rows.filter((r) => r.kind === 'deletion')).toEqual([]);
      expect(rows.length).toBeLessThanOrEqual(8);
    });

    it('a serial with several numbers is indexed once per number, with no repeated key', () => {
      const rows = indexKeys(serialKeys('A123;A123;IMP456'));
      expect(new Set(rows.map(id)).size).toBe(rows.length);
      expect(rows.filter((r) => r.kind === 'part').map((r) => r.key)).toEqual(['A123', 'IMP456']);
    });

    it('an empty serial has no keys to look up but its (empty) marking', () => {
      expect(indexKeys(serialKeys('   '))).toEqual([]);
      expect(candidateKeysForQuery(serialKeys(''))).toEqual([]);
    });
  });

  describe('editRelation', () => {
    it.each([
      ['AB12345', 'AB12345', 'equal'],
      ['AB12345', 'A812345', 'lookalike'],
      ['B0S1', '8051', 'lookalike'],
      ['12345', '12945', 'substitution'],
      ['12345', '12354', 'transposition'],
      ['12345', '21345', 'transposition'],
      ['12345', '123345', 'insertion'],
      ['12345', '123456', 'insertion'],
      ['12345', '2345', 'deletion'],
      ['12345', '1234', 'deletion'],
      ['12345', '13254', 'other'],
      ['12345', '123', 'other'],
      ['12345', '1234567', 'other'],
      ['1234', '2341', 'other'],
      ['12345', '99999', 'other'],
    ] as const)('%s → %s is %s', (a, b, relation) => {
      expect(editRelation(a, b)).toBe(relation);
    });
  });
});
