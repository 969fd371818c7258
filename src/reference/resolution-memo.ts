import type { Resolution } from './reference-catalogue.js';

/**
 * Remembers how texts resolved. Matching resolves the make, calibre and type of every candidate
 * record, and the same few thousand spellings ("Glock", "9mm", "pistol") come back all the time;
 * normalising and folding each one again was most of the time spent scoring a candidate. The
 * reference data is fixed for the life of the process, so an answer never goes stale. Results are
 * frozen because they are shared; the memo is emptied when full, which bounds it against a sender
 * who writes every make differently.
 */
export function memoiseResolution(resolve: (text: string) => Resolution, maxEntries = 20_000): (text: string) => Resolution {
  const memo = new Map<string, Resolution>();
  return (text) => {
    let r = memo.get(text);
    if (r === undefined) {
      r = resolve(text);
      if (r.status === 'ambiguous') Object.freeze(r.candidates);
      Object.freeze(r);
      if (memo.size >= maxEntries) memo.clear();
      memo.set(text, r);
    }
    return r;
  };
}
