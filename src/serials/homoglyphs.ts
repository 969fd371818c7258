/**
 * Cyrillic and Greek letters drawn like a Latin capital, and the script of a serial as marked.
 *
 * A Russian or Greek stamp read by an officer on a Latin keyboard comes back as the Latin letters it
 * looks like (the seizing officer types what they see, not a transliteration), and a clerk who copies
 * a Latin serial on a Cyrillic keyboard layout produces the reverse. Folding look-alikes to Latin
 * (in the spirit of Unicode TR39 confusables) makes both readings meet on one key.
 *
 * Only letters with a Latin *capital* look-alike are folded: serials are stamped in capitals, and a
 * lower-case transcription is a transcription of capitals, so folding is done on upper-cased text
 * (lower-case forms are listed only for callers that fold text they have not upper-cased). Letters
 * with no Latin look-alike (Ж, Д, Л, Ш, Я, Ф, Г, П, Λ, Σ, Ω, ...) are kept, so such a serial stays
 * visibly non-Latin. Letters with a diacritic (Ё, Й, Ά, Ή) are kept too: TR39 maps them to Latin
 * letters with the same diacritic, which a serial never has. Fullwidth and other compatibility forms
 * (Ａ, １, ①, Ⅳ) are not listed here: NFKC, applied before this fold, turns them into ASCII.
 */

export type SerialScript = 'latin' | 'cyrillic' | 'greek' | 'mixed' | 'other';

/** Capital letter (code point) → the Latin capital it is drawn like. */
const CONFUSABLE_CAPITALS: ReadonlyArray<readonly [number, string]> = [
  // Cyrillic
  [0x0405, 'S'], // Ѕ DZE
  [0x0406, 'I'], // І BYELORUSSIAN-UKRAINIAN I
  [0x0408, 'J'], // Ј JE
  [0x0410, 'A'], // А
  [0x0412, 'B'], // В
  [0x0415, 'E'], // Е
  [0x041a, 'K'], // К
  [0x041c, 'M'], // М
  [0x041d, 'H'], // Н
  [0x041e, 'O'], // О
  [0x0420, 'P'], // Р
  [0x0421, 'C'], // С
  [0x0422, 'T'], // Т
  [0x0423, 'Y'], // У
  [0x0425, 'X'], // Х
  [0x0474, 'V'], // Ѵ IZHITSA
  [0x04ae, 'Y'], // Ү STRAIGHT U
  [0x04c0, 'I'], // Ӏ PALOCHKA
  [0x051a, 'Q'], // Ԛ QA
  [0x051c, 'W'], // Ԝ WE
  // Greek
  [0x037f, 'J'], // Ϳ YOT
  [0x0391, 'A'], // Α
  [0x0392, 'B'], // Β
  [0x0395, 'E'], // Ε
  [0x0396, 'Z'], // Ζ
  [0x0397, 'H'], // Η
  [0x0399, 'I'], // Ι
  [0x039a, 'K'], // Κ
  [0x039c, 'M'], // Μ
  [0x039d, 'N'], // Ν
  [0x039f, 'O'], // Ο
  [0x03a1, 'P'], // Ρ
  [0x03a4, 'T'], // Τ
  [0x03a5, 'Y'], // Υ
  [0x03a7, 'X'], // Χ
  [0x03dc, 'F'], // Ϝ DIGAMMA
  [0x03f9, 'C'], // Ϲ LUNATE SIGMA
];

// Every listed letter lies in U+0370..U+052F (Greek and Coptic, Cyrillic, Cyrillic Supplement), so a
// flat table indexed from U+0370 answers the hot-path question with one array read, no hashing.
const TABLE_START = 0x0370;
const TABLE_END = 0x0530;
const TABLE = new Uint8Array(TABLE_END - TABLE_START);

const pairs = new Map<string, string>();
for (const [cp, latin] of CONFUSABLE_CAPITALS) {
  const capital = String.fromCodePoint(cp);
  pairs.set(capital, latin);
  const small = capital.toLowerCase();
  // Only a one-to-one case pair whose small form is in the same table range.
  if (small !== capital && small.length === 1 && small.codePointAt(0)! >= TABLE_START && small.codePointAt(0)! < TABLE_END) pairs.set(small, latin);
}
// Letters that NFKC turns into something that no longer looks Latin (the lunate sigma Ϲ ϲ, drawn as
// a C, becomes Σ ς). They must be folded before NFKC; all others are folded after it, which also
// catches the look-alikes NFKC produces (the micro sign µ becomes Greek μ, hence M).
const BEFORE_NFKC = new Uint8Array(TABLE_END - TABLE_START);
for (const [letter, latin] of pairs) {
  TABLE[letter.codePointAt(0)! - TABLE_START] = latin.charCodeAt(0);
  if (letter.normalize('NFKC') !== letter) BEFORE_NFKC[letter.codePointAt(0)! - TABLE_START] = latin.charCodeAt(0);
}

/** Every folded letter (capital and small forms) and the Latin capital it folds to. */
export const HOMOGLYPHS: ReadonlyMap<string, string> = pairs;

/** The Latin capital's char code a Cyrillic or Greek look-alike folds to, or 0 when it folds to nothing. */
export function homoglyphToLatin(codePoint: number): number {
  return codePoint >= TABLE_START && codePoint < TABLE_END ? TABLE[codePoint - TABLE_START]! : 0;
}

/** Replaces Cyrillic and Greek look-alikes by Latin capitals; every other character is kept as it is. */
export function foldHomoglyphs(text: string): string {
  let out = '';
  let changed = false;
  for (let i = 0; i < text.length; i++) {
    const latin = homoglyphToLatin(text.charCodeAt(i));
    if (latin !== 0) {
      changed = true;
      out += String.fromCharCode(latin);
    } else out += text[i];
  }
  return changed ? out : text;
}

/** Folds the look-alikes that NFKC would disfigure; to be applied to text before its NFKC normalisation. */
export function foldBeforeNfkc(text: string): string {
  let i = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= TABLE_START && c < TABLE_END && BEFORE_NFKC[c - TABLE_START] !== 0) break;
  }
  if (i === text.length) return text;
  let out = text.slice(0, i);
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const latin = c >= TABLE_START && c < TABLE_END ? BEFORE_NFKC[c - TABLE_START]! : 0;
    out += latin !== 0 ? String.fromCharCode(latin) : text[i];
  }
  return out;
}

const LATIN = 1;
const CYRILLIC = 2;
const GREEK = 4;
const OTHER = 8;

const LATIN_RE = /\p{Script=Latin}/u;
const CYRILLIC_RE = /\p{Script=Cyrillic}/u;
const GREEK_RE = /\p{Script=Greek}/u;
// A letter of another script, or a digit of a script of its own (Arabic-Indic, Devanagari, ...).
// Fullwidth digits, superscripts and punctuation are Common and say nothing about the script.
const OTHER_RE = /[\p{L}\p{N}]/u;
const COMMON_RE = /\p{Script=Common}/u;

// Scripts of the non-ASCII code points seen so far: the property regexes are slow next to a map read,
// and the serials of one load use a handful of distinct characters.
const scriptCache = new Map<number, number>();

function scriptBit(codePoint: number): number {
  let bit = scriptCache.get(codePoint);
  if (bit === undefined) {
    const ch = String.fromCodePoint(codePoint);
    if (LATIN_RE.test(ch)) bit = LATIN;
    else if (CYRILLIC_RE.test(ch)) bit = CYRILLIC;
    else if (GREEK_RE.test(ch)) bit = GREEK;
    else if (OTHER_RE.test(ch) && !COMMON_RE.test(ch)) bit = OTHER;
    else bit = 0;
    if (scriptCache.size < 4096) scriptCache.set(codePoint, bit);
  }
  return bit;
}

/**
 * The script of a serial's letters as marked, before any folding: `АК47123` is Cyrillic even
 * though it folds to the Latin `AK47123`, which tells the matcher the gun may carry a Latin re-stamp
 * too. Two scripts in one serial (`AК47`, a Latin A and a Cyrillic К) is `mixed`, the usual sign of a
 * keyboard-layout slip. A serial without letters (digits only, or nothing) counts as Latin: ASCII
 * digits are what a Latin serial is made of and need no re-stamp.
 */
export function scriptOf(text: string): SerialScript {
  let mask = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      const lower = c | 0x20;
      if (lower >= 0x61 && lower <= 0x7a) mask |= LATIN;
      continue;
    }
    const cp = text.codePointAt(i)!;
    if (cp > 0xffff) i++;
    mask |= scriptBit(cp);
  }
  switch (mask) {
    case 0:
    case LATIN:
      return 'latin';
    case CYRILLIC:
      return 'cyrillic';
    case GREEK:
      return 'greek';
    case OTHER:
      return 'other';
    default:
      return 'mixed';
  }
}
