import { foldBeforeNfkc, homoglyphToLatin, scriptOf, type SerialScript } from './homoglyphs.js';

/**
 * Serial-number keys: what a firearm record is indexed under, and what a seizure, check or search
 * looks up, so that the readings of one stamped number that occur in practice (spacing and hyphens,
 * letter O for zero, Cyrillic or Greek look-alikes, NCIC embedded letters, an ATF licence prefix,
 * importer numbers after a semicolon, padding zeros, dropped prefix/suffix letters, one misread,
 * dropped, doubled or swapped character) meet on at least one key. Pure and allocation-light: bulk
 * loads derive keys for hundreds of thousands of records between two database round trips.
 *
 * Rules and sources: ../shared/reference/domain.md section 7 (NCIC embedded alphas and O→0, ATF
 * `12345678-` licence prefix and `;` second numbers, I/1 O/0 S/5 confusions).
 */

export interface SerialKeys {
  /** Exactly as received (trimmed of surrounding whitespace only). */
  asMarked: string;
  /** NFKC, upper case, separators removed, Cyrillic/Greek look-alikes folded to Latin, letter O → 0 (NCIC). `;`-joined parts. */
  normalised: string;
  /** NCIC: letters between digits removed, leading and trailing letters kept; per part, `;`-joined. */
  alphaStripped: string;
  /** The number after an ATF `12345678-` licence prefix, normalised; undefined when no part has one. Per part, `;`-joined. */
  withoutPrefix?: string;
  /** The `;`-separated numbers, each normalised, in order (empty ones dropped); a single serial gives `[normalised]`. */
  parts: string[];
  /** Script of the letters as marked, before folding. */
  script: SerialScript;
}

/**
 * An index kind names the namespace a key lives in. `indexKeys` gives the kind that produced a
 * record's key; `candidateKeysForQuery` gives the kind (namespace) a query key is looked up in. A
 * store keeps the namespaces apart (for example with a per-kind prefix) so that, say, a query's
 * NCIC-stripped key meets records' normalised and alpha-stripped keys but not their deletion keys:
 * which derivation may meet which is decided here, once, rather than by accidental string equality.
 *
 * - `part` keys are normalised serials in their own right; a store may give them the normalised
 *   namespace (queries look them up under both kinds, so either choice works).
 * - `no-prefix` holds the record's number without what is found added around a maker's number: an
 *   ATF licence prefix, prefix/suffix letters, padding zeros (see `relaxedKeys`).
 */
export type SerialKeyKind = 'exact' | 'normalised' | 'alpha-stripped' | 'lookalike' | 'deletion' | 'no-prefix' | 'part';

export interface SerialKey {
  kind: SerialKeyKind;
  key: string;
}

/** How a query's serial differs from a record's; see `editRelation`. */

/**
 * Deletion neighbourhoods are generated for look-alike keys of this length or more. Below it, the
 * one-character-shorter keys are so short (1 to 2 characters) that each would be shared by a large
 * share of all records: candidates, not evidence. Serials of 1 to 3 characters still match exactly,
 * normalised, and by look-alike folding, but not at one edit.
 */
export const MIN_DELETION_LENGTH = 4;
/**
 * No deletion neighbourhood above this length: real serials are at most about 20 characters, and a
 * longer "serial" is usually a description pasted into the serial field. The cap keeps one bad input
 * from writing hundreds of index rows; such a value still matches exactly and normalised.
 */
export const MAX_DELETION_LENGTH = 32;
/** Relaxed keys (letters trimmed, padding zeros removed) shorter than this are not indexed: "12" or "7" would join unrelated guns. */
export const MIN_RELAXED_LENGTH = 3;

// ---------------------------------------------------------------------------------------------
// Character tables. Per-character work on the common (ASCII) path is one typed-array read; regular
// expressions are used only for non-ASCII characters, which are rare in serials.

const DROP = -1;

/** ASCII char code → normalised char code, or DROP for a separator. */
const ASCII_NORMAL = new Int16Array(128);
for (let c = 0; c < 128; c++) ASCII_NORMAL[c] = c >= 0x61 && c <= 0x7a ? c - 0x20 : c;
for (const sep of ' -./_\t\n\v\f\r') ASCII_NORMAL[sep.charCodeAt(0)] = DROP;
// NCIC converts the letter O to zero: after this, no key contains a Latin O.
ASCII_NORMAL[0x4f] = 0x30;
ASCII_NORMAL[0x6f] = 0x30;

/** ASCII char code → its look-alike class representative (applied to normalised keys). */
const ASCII_LOOKALIKE = new Uint8Array(128);
for (let c = 0; c < 128; c++) ASCII_LOOKALIKE[c] = c;
for (const [from, to] of [
  ['ODQ', '0'],
  ['IL7', '1'],
  ['S', '5'],
  ['B', '8'],
  ['Z', '2'],
  ['G', '6'],
] as const) {
  for (const ch of from) {
    ASCII_LOOKALIKE[ch.charCodeAt(0)] = to.charCodeAt(0);
    ASCII_LOOKALIKE[ch.toLowerCase().charCodeAt(0)] = to.charCodeAt(0);
  }
}

/** One-character strings for char codes 0..127, so building a key does not call fromCharCode per character. */
const CHAR: string[] = Array.from({ length: 128 }, (_, c) => String.fromCharCode(c));

const LETTER_RE = /\p{L}/u;

/** Non-ASCII separators: the same space, hyphen, dot, slash and middle dot as typed in other encodings, plus invisible characters. */
function isUnicodeSeparator(c: number): boolean {
  if (c >= 0x2000 && c <= 0x200d) return true; // spaces of every width, zero-width space and joiners
  if (c >= 0x2010 && c <= 0x2015) return true; // hyphens and dashes
  switch (c) {
    case 0x00a0: // no-break space
    case 0x00ad: // soft hyphen
    case 0x00b7: // middle dot
    case 0x0387: // Greek ano teleia (NFKC gives U+00B7)
    case 0x1680:
    case 0x180e:
    case 0x2027: // hyphenation point
    case 0x2028:
    case 0x2029:
    case 0x202f:
    case 0x2044: // fraction slash
    case 0x205f:
    case 0x2060: // word joiner
    case 0x2212: // minus sign
    case 0x2215: // division slash
    case 0x2219: // bullet operator
    case 0x22c5: // dot operator
    case 0x3000: // ideographic space
    case 0x30fb: // katakana middle dot
    case 0xfe58:
    case 0xfe63:
    case 0xfeff: // byte-order mark
    case 0xff0d:
    case 0xff0e:
    case 0xff0f:
    case 0xff3f:
    case 0xff65:
      return true;
    default:
      return false;
  }
}

function isDash(c: number): boolean {
  return c === 0x2d || (c >= 0x2010 && c <= 0x2015) || c === 0x2212 || c === 0xfe63 || c === 0xff0d;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isLetterAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c < 0x80) return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  return LETTER_RE.test(s[i]!);
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

function hasSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Normalisation

/** Normalises one `;`-free ASCII part. Returns the input itself when nothing changes (the common case for stored keys). */
function normaliseAscii(raw: string): string {
  const n = raw.length;
  let i = 0;
  while (i < n && ASCII_NORMAL[raw.charCodeAt(i)] === raw.charCodeAt(i)) i++;
  if (i === n) return raw;
  let out = raw.slice(0, i);
  for (; i < n; i++) {
    const m = ASCII_NORMAL[raw.charCodeAt(i)]!;
    if (m !== DROP) out += CHAR[m];
  }
  return out;
}

/** Normalises one `;`-free part already in NFKC. */
function normaliseUnicode(raw: string): string {
  const up = raw.toUpperCase();
  let out = '';
  for (let i = 0; i < up.length; i++) {
    const c = up.charCodeAt(i);
    if (c < 0x80) {
      const m = ASCII_NORMAL[c]!;
      if (m !== DROP) out += CHAR[m];
      continue;
    }
    if (isUnicodeSeparator(c)) continue;
    const latin = homoglyphToLatin(c);
    // Folding comes before O→0, so a Cyrillic О or Greek Ο becomes zero exactly like a Latin O.
    if (latin !== 0) out += latin === 0x4f ? '0' : CHAR[latin];
    else out += up[i]; // a surrogate pair is copied one half at a time, intact
  }
  return out;
}

/**
 * The text after an ATF abbreviated-licence prefix: exactly eight digits, then a hyphen (any dash;
 * spaces around it tolerated), then the number. Detected on the text as marked because the hyphen
 * is the only thing that tells a prefix from the first eight digits of a long number, and
 * normalisation removes it. Without the hyphen (`12345678ABC123`) nothing is split off.
 */
function fflRemainder(raw: string): string | undefined {
  const n = raw.length;
  let i = 0;
  while (i < n && raw.charCodeAt(i) === 0x20) i++;
  const start = i;
  while (i < n && isDigit(raw.charCodeAt(i))) i++;
  if (i - start !== 8) return undefined;
  while (i < n && raw.charCodeAt(i) === 0x20) i++;
  if (i >= n || !isDash(raw.charCodeAt(i))) return undefined;
  return raw.slice(i + 1);
}

/** NCIC: letters between the first and the last digit are removed; leading and trailing letters are kept. */
export function stripEmbeddedLetters(part: string): string {
  let first = -1;
  let last = -1;
  for (let i = 0; i < part.length; i++) {
    if (isDigit(part.charCodeAt(i))) {
      if (first < 0) first = i;
      last = i;
    }
  }
  if (last - first < 2) return part;
  let embedded = false;
  for (let i = first + 1; i < last; i++) {
    if (isLetterAt(part, i)) {
      embedded = true;
      break;
    }
  }
  if (!embedded) return part;
  let out = part.slice(0, first);
  for (let i = first; i <= last; i++) if (!isLetterAt(part, i)) out += part[i];
  return out + part.slice(last + 1);
}

/** Leading and trailing letters removed ("AB12345C" → "12345"); "" when the part is all letters. */
export function trimLetters(part: string): string {
  let s = 0;
  let e = part.length;
  while (s < e && isLetterAt(part, s)) s++;
  while (e > s && isLetterAt(part, e - 1)) e--;
  return s === 0 && e === part.length ? part : part.slice(s, e);
}

/**
 * Leading zeros removed from the first run of digits, when that run starts the key or follows only
 * letters: "0012345" → "12345", "AB00123" → "AB123". One digit of the run is always kept ("000" →
 * "0", "B0A12" unchanged), so a key never loses a whole number and a zero that stands between letters
 * (often a letter O folded to zero) is not taken for padding.
 *
 * Why also after letters: makers pad the numeric field of a fixed-width serial, and a letter prefix
 * (series, model or year code) sits in front of that field, so "AB001234" and "AB1234" are the same
 * kind of variance as "001234" and "1234". Only the first run: zeros inside a number are significant.
 *
 * Applied to one normalised part (no `;`). Because normalisation already turned a letter O into zero,
 * an "O12345" read as a letter prefix also meets "12345" here.
 */
export function withoutLeadingZeros(key: string): string {
  const n = key.length;
  let i = 0;
  while (i < n && isLetterAt(key, i)) i++;
  let j = i;
  while (j < n && key.charCodeAt(j) === 0x30) j++;
  if (j === i) return key;
  if (j === n || !isDigit(key.charCodeAt(j))) j--; // the run is all zeros: keep one
  return j === i ? key : key.slice(0, i) + key.slice(j);
}

/** Splits the text on `;`, normalising each part and, when it carries one, the part after its licence prefix. */
export function serialKeys(input: string): SerialKeys {
  const asMarked = input.trim();
  const ascii = isAscii(asMarked);
  // NFKC of ASCII is ASCII itself: skip it, and the script scan, for the overwhelmingly common case.
  const text = ascii ? asMarked : foldBeforeNfkc(asMarked).normalize('NFKC');
  const normalise = ascii ? normaliseAscii : normaliseUnicode;
  const rawParts = text.indexOf(';') < 0 ? [text] : text.split(';');

  const parts: string[] = [];
  let stripped: string[] | undefined;
  for (const raw of rawParts) {
    const part = normalise(raw);
    if (part === '') continue;
    const rest = fflRemainder(raw);
    const remainder = rest === undefined ? '' : normalise(rest);
    if (remainder !== '') {
      stripped ??= parts.slice();
      stripped.push(remainder);
    } else stripped?.push(part);
    parts.push(part);
  }

  const single = parts.length === 1;
  const keys: SerialKeys = {
    asMarked,
    normalised: single ? parts[0]! : parts.join(';'),
    alphaStripped: single ? stripEmbeddedLetters(parts[0]!) : parts.map(stripEmbeddedLetters).join(';'),
    parts,
    script: ascii ? 'latin' : scriptOf(asMarked),
  };
  if (stripped) keys.withoutPrefix = stripped.join(';');
  return keys;
}

/**
 * Look-alike classes for fuzzy matching: 0/O/D/Q→0, 1/I/L/7→1, 5/S→5, 8/B→8, 2/Z→2, 6/G→6 (applied
 * to a normalised key). Each class folds to its digit because serials are mostly digits and a misread
 * letter is far more often a digit than the reverse. Letter O is already zero in a normalised key
 * (NCIC), so here it only matters for callers passing raw text. Length-preserving and character-wise,
 * so an edit between two keys stays the same edit (or vanishes) between their look-alike keys: that
 * is what lets deletion neighbourhoods be built on look-alike keys only.
 */
export function lookalikeKey(normalised: string): string {
  const n = normalised.length;
  let i = 0;
  for (; i < n; i++) {
    const c = normalised.charCodeAt(i);
    if (c < 0x80 && ASCII_LOOKALIKE[c] !== c) break;
  }
  if (i === n) return normalised;
  let out = normalised.slice(0, i);
  for (; i < n; i++) {
    const c = normalised.charCodeAt(i);
    out += c < 0x80 ? CHAR[ASCII_LOOKALIKE[c]!] : normalised[i];
  }
  return out;
}

/**
 * SymSpell-style deletion neighbourhood: every string obtained by deleting exactly one character
 * (deduplicated; excludes the key itself). Deleting any character of a run of equal characters gives
 * the same string and deleting from different runs never does, so skipping a character equal to its
 * predecessor deduplicates exactly, without a set. Characters are code points.
 */
export function deletions(key: string): string[] {
  const out: string[] = [];
  if (!hasSurrogate(key)) {
    for (let i = 0; i < key.length; i++) {
      if (i > 0 && key.charCodeAt(i) === key.charCodeAt(i - 1)) continue;
      out.push(key.slice(0, i) + key.slice(i + 1));
    }
    return out;
  }
  const cps = Array.from(key);
  for (let i = 0; i < cps.length; i++) {
    if (i > 0 && cps[i] === cps[i - 1]) continue;
    out.push(cps.slice(0, i).join('') + cps.slice(i + 1).join(''));
  }
  return out;
}
