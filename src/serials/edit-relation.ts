import { lookalikeKey } from './serial-keys.js';

/** How a seizure's serial differs from a record's: what the matcher says when it explains a hit. */
export type EditRelation = 'equal' | 'lookalike' | 'substitution' | 'transposition' | 'insertion' | 'deletion' | 'other';

function tailEqual(x: string[], i: number, y: string[], j: number): boolean {
  if (x.length - i !== y.length - j) return false;
  for (; i < x.length; i++, j++) if (x[i] !== y[j]) return false;
  return true;
}

/**
 * How query key `b` differs from record key `a` (both normalised keys, or both parts), for the
 * matcher to explain a hit. Bounded: only equality, look-alike folding, and one edit of the
 * look-alike keys are recognised; anything further is 'other'.
 *
 * - 'equal': the keys are equal;
 * - 'lookalike': they differ only by look-alike characters (any number of them, e.g. "B0S1" vs "8051");
 * - 'substitution' / 'transposition' (adjacent) / 'insertion' (the query has one character more) /
 *   'deletion' (the query lacks one character), each after look-alike folding: look-alike
 *   differences next to the one real edit are not counted, as in the index.
 */
export function editRelation(a: string, b: string): EditRelation {
  if (a === b) return 'equal';
  const fa = lookalikeKey(a);
  const fb = lookalikeKey(b);
  if (fa === fb) return 'lookalike';
  const x = Array.from(fa);
  const y = Array.from(fb);
  const n = x.length;
  const m = y.length;
  let p = 0;
  while (p < n && p < m && x[p] === y[p]) p++;
  if (n === m) {
    if (tailEqual(x, p + 1, y, p + 1)) return 'substitution';
    if (p + 1 < n && x[p] === y[p + 1] && x[p + 1] === y[p] && tailEqual(x, p + 2, y, p + 2)) return 'transposition';
    return 'other';
  }
  if (m === n + 1 && tailEqual(x, p, y, p + 1)) return 'insertion';
  if (n === m + 1 && tailEqual(x, p + 1, y, p)) return 'deletion';
  return 'other';
}
