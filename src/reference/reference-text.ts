/**
 * Pure text normalisers for matching free-text firearm descriptions (make, calibre, type) to
 * reference ids. They fold only what never distinguishes two things (case, accents, spacing,
 * punctuation, unit spelling); everything that can distinguish two makers or two cartridges is
 * kept, and the reference data lists the remaining variants as aliases.
 */

/** Letters that carry no combining mark under NFD but are read as a Latin base letter. */
const LETTER_FOLDS: Record<string, string> = { ł: 'l', ø: 'o', đ: 'd', ð: 'd', ß: 'ss', æ: 'ae', œ: 'oe', ı: 'i', þ: 'th', ħ: 'h' };

/** NFKC, then accents removed (NFD and combining marks dropped), then lower case: "Česká" -> "ceska". */
export function foldText(text: string): string {
  return text
    .normalize('NFKC')
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[łøđðßæœıþħ]/g, (c) => LETTER_FOLDS[c] ?? c);
}

/**
 * Legal-form words. Dots inside them are removed before matching, so "S.p.A." is "spa", "a.s." is
 * "as", "d.o.o." is "doo" and "Ges.m.b.H." is "gesmbh".
 */
const LEGAL_FORMS = new Set([
  'inc', 'incorporated', 'co', 'corp', 'corporation', 'company', 'cia', 'compania', 'companhia', 'cie',
  'ltd', 'limited', 'llc', 'plc', 'lp', 'pty', 'pvt',
  'gmbh', 'gesmbh', 'mbh', 'kg', 'ag', 'ohg', 'ug',
  'spa', 'srl', 'snc', 'sas', 'sa', 'sarl', 'sl', 'sau', 'ltda', 'nv', 'bv', 'oy', 'oyj', 'ab', 'asa',
  'as', 'sro', 'doo', 'dd', 'ad', 'kft', 'zrt', 'sp', 'z', 'oo', 'zoo', 'oao', 'ooo', 'zao', 'pao', 'ao', 'jsc', 'pjsc', 'ojsc',
  'pt', 'tbk', 'persero', 'bhd', 'sdn',
]);
/** Conjunctions left dangling once a trailing legal form is gone ("Sturm, Ruger & Co."). */
const DANGLING = new Set(['and', 'und', 'et', 'y', 'e']);

export interface MakeTextOptions {
  /** Keep legal-form words: "Glock Inc" and "Glock GmbH" stay different. Default false. */
  keepLegalForm?: boolean;
}

/**
 * Normalises a maker name for matching: NFKC, accents removed, lower case, `&`/`+` to "and",
 * dots and apostrophes removed (S.p.A. -> spa), other punctuation to spaces, spaces collapsed, and
 * (unless `keepLegalForm`) legal-form words such as inc, co, corp, gmbh, ag, spa, ltd, llc, sa, a.s.
 * dropped from the start and end of the name.
 */
export function normaliseMakeText(text: string, options: MakeTextOptions = {}): string {
  const folded = foldText(text)
    .replace(/[&+]/g, ' and ')
    .replace(/[.'’`´]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  if (options.keepLegalForm) return folded.replace(/\s+/g, ' ');
  const words = folded.split(/\s+/).filter(Boolean);
  let start = 0;
  let end = words.length;
  // Keep at least one word: a maker called "AG" is still a name.
  while (end - start > 1 && LEGAL_FORMS.has(words[end - 1]!)) {
    end--;
    while (end - start > 1 && DANGLING.has(words[end - 1]!)) end--;
  }
  while (end - start > 1 && LEGAL_FORMS.has(words[start]!)) start++;
  return words.slice(start, end).join(' ');
}

/**
 * Normalises a calibre or gauge designation for matching:
 * - NFKC, accents removed, lower case; `×` and Cyrillic `х` to `x`, Cyrillic `мм` to `mm`;
 * - a decimal comma to a point (7,62 -> 7.62);
 * - the noise words cal, cal., caliber, calibre, kal, kaliber removed;
 * - `+P`/`+P+` load marks removed (same chamber);
 * - gauge spellings unified: 12 ga, 12GA, 12 gauge, 12-gauge, 12 bore -> 12ga;
 * - `9 x 19` -> `9x19`, `9 mm` -> `9mm`, and the unit after a metric pair dropped (9x19mm -> 9x19,
 *   7.62x54mmR and 7.62 x 54 R -> 7.62x54r);
 * - a leading decimal point dropped (.380 -> 380);
 * - `&`, apostrophes and dots that are not decimal points removed (S&W -> sw, A.C.P. -> acp);
 *   hyphens, slashes and other punctuation to spaces (.30-06 -> 30 06); spaces collapsed.
 */
export function normaliseCalibreText(text: string): string {
  let s = foldText(text)
    .replace(/мм/g, 'mm')
    .replace(/[×х✕]/g, 'x')
    .replace(/(\d),(\d)/g, '$1.$2');
  s = s
    .replace(/(?<![a-z])cal(?:ib(?:er|re)|\.)?(?=[\s\d.]|$)/g, ' ')
    .replace(/(?<![a-z])kal(?:iber|\.)?(?=[\s\d.]|$)/g, ' ')
    .replace(/\+\s*p\+?/g, ' ');
  s = s
    .replace(/\s*&\s*/g, '')
    .replace(/['’`´]/g, '')
    .replace(/(?<![\p{L}\p{N}])(?:\p{L}\.){2,}/gu, (m) => m.replace(/\./g, '')) // A.C.P. -> acp
    .replace(/(?<!\d)\.|\.(?!\d)/g, ' ') // every dot but a decimal point: .380 -> 380
    .replace(/[^\p{L}\p{N}.]+/gu, ' ');
  s = s
    .replace(/(\d)\s*(?:gauge|gage|ga|bore|g)\b/g, '$1ga')
    .replace(/(\d)\s*x\s*(?=\d|\.\d)/g, '$1x')
    .replace(/(\d)\s+mm\b/g, '$1mm')
    .replace(/(\d(?:\.\d+)?x\d+(?:\.\d+)?)mm/g, '$1')
    .replace(/(\dx\d+(?:\.\d+)?) r\b/g, '$1r')
    .replace(/(^|\s)0\.(?=\d)/g, '$1');
  return s.replace(/\s+/g, ' ').trim();
}

/**
 * Normalises a firearm type or action for matching: NFKC, accents removed, lower case, hyphens and
 * punctuation to spaces (semi-automatic = semi automatic), spaces collapsed.
 */
export function normaliseTypeText(text: string): string {
  return foldText(text)
    .replace(/[.'’`´]/g, '')
    .replace(/[&+]/g, ' and ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
