import {
  deletions,
  lookalikeKey,
  MAX_DELETION_LENGTH,
  MIN_DELETION_LENGTH,
  MIN_RELAXED_LENGTH,
  stripEmbeddedLetters,
  trimLetters,
  withoutLeadingZeros,
  type SerialKey,
  type SerialKeyKind,
  type SerialKeys,
} from './serial-keys.js';

/**
 * Which keys a record is indexed under and which a query looks up, so that every serial within
 * one edit (or one NCIC/ATF rule) of another shares at least one key with it.
 */
// ---------------------------------------------------------------------------------------------
// Index and query keys
//
// Bound. A record whose serial has n characters yields at most 2n + c rows (c ≈ 10 per `;` part):
// one exact, one normalised, one alpha-stripped, up to four no-prefix keys, and, for the fuzzy tier,
// one look-alike key plus its n deletions, for the part and for its licence-free remainder (shorter
// than the part, so together below 2n). Deletions are made of the look-alike key only, never of the
// normalised, stripped or relaxed keys: one neighbourhood per number, and the look-alike fold makes
// every confusable substitution (S/5, B/8, ...) free before the one real edit is spent. Keys of
// fewer than MIN_DELETION_LENGTH or more than MAX_DELETION_LENGTH characters get no deletions.
//
// Why one edit always meets (symmetric deletion). Let r be the record's look-alike key and q the
// query's, both within the deletion length bounds. The record stores r ('lookalike') and D(r), its deletions
// ('deletion'). The query looks up q and every key of D(q) under both kinds. Then:
//   - substitution at i:   r minus r[i] = q minus q[i]                 → D(q) ∩ D(r)
//   - transposition i,i+1: r minus r[i] = q minus q[i+1] (same char)   → D(q) ∩ D(r)
//   - insertion in q:      q minus the extra character = r             → D(q) ∩ {r}
//   - deletion from q:     q = r minus one character                   → {q} ∩ D(r)
//   - confusable substitution (0/O/D/Q, 1/I/L/7, 5/S, 8/B, 2/Z, 6/G): q = r → {q} ∩ {r}
// and a look-alike substitution plus one real edit is still one edit between r and q. Separators,
// case, O/0 and Cyrillic/Greek look-alikes never count as edits: normalisation removed them first.
// Sharing a deletion key implies at most two edits (one deletion on each side, e.g. "1234"/"2341"),
// so a candidate is not yet a hit: `editRelation` says which it is, and scoring decides.
//
// The identity-like derivations meet across kinds exactly where a rule says they should:
//   - NCIC embedded letters: query normalised or alpha-stripped → record normalised and alpha-stripped
//     ("369257", "369M257" and "369J257" all meet on "369257");
//   - licence prefix, padding zeros, dropped letters: record keeps its relaxed keys under 'no-prefix';
//     the query looks up its normalised key there (the record has the addition, the query lacks it),
//     and its own relaxed keys both there and among normalised keys (the query has the addition).

/** Relaxed forms of one normalised part: the licence-free remainder, letters trimmed, padding zeros removed. */
function relaxedKeys(part: string, fflStripped: string | undefined): string[] {
  const out: string[] = [];
  if (fflStripped !== undefined && fflStripped !== part && fflStripped !== '') out.push(fflStripped);
  const trimmed = trimLetters(part);
  pushRelaxed(out, part, trimmed);
  pushRelaxed(out, part, withoutLeadingZeros(part));
  if (trimmed !== '') pushRelaxed(out, part, withoutLeadingZeros(trimmed));
  return out;
}

// Plain functions and methods rather than closures made per call: bulk loads call these millions
// of times, and a closure per call is an allocation (and, under esbuild's keepNames, a defineProperty).
function pushRelaxed(out: string[], part: string, key: string): void {
  if (key !== part && key.length >= MIN_RELAXED_LENGTH && !out.includes(key)) out.push(key);
}

/**
 * Emits the look-alike key of a part and, within the length bounds, its deletions: for a record each
 * under its own kind, for a query each under both kinds (the four meetings listed above).
 */
function fuzzyKeys(base: string, c: KeyCollector, asQuery: boolean): void {
  const look = lookalikeKey(base);
  c.add('lookalike', look);
  if (asQuery) c.add('deletion', look);
  const len = look.length;
  if (len < MIN_DELETION_LENGTH || len > MAX_DELETION_LENGTH) return;
  for (const d of deletions(look)) {
    c.add('deletion', d);
    if (asQuery) c.add('lookalike', d);
  }
}

const KIND_BIT: Record<SerialKeyKind, number> = {
  exact: 1,
  normalised: 2,
  'alpha-stripped': 4,
  lookalike: 8,
  deletion: 16,
  'no-prefix': 32,
  part: 64,
};

/** Collects (kind, key) pairs, dropping empty keys and, when asked, repeats. */
class KeyCollector {
  readonly keys: SerialKey[] = [];
  /** Key → the kinds it was already added under (a bit each): one map read per key, no composite strings. */
  private readonly seen: Map<string, number> | undefined;

  constructor(dedupe: boolean) {
    this.seen = dedupe ? new Map() : undefined;
  }

  add(kind: SerialKeyKind, key: string): void {
    if (key === '') return;
    if (this.seen) {
      const bits = this.seen.get(key) ?? 0;
      const bit = KIND_BIT[kind];
      if (bits & bit) return;
      this.seen.set(key, bits | bit);
    }
    this.keys.push({ kind, key });
  }

  /** Identity-like query lookups go to both 'normalised' and 'part': a record's parts are normalised serials, whichever namespace the store gives them. */
  addNormalised(key: string): void {
    this.add('normalised', key);
    this.add('part', key);
  }
}

function fflStrippedParts(k: SerialKeys): (string | undefined)[] | undefined {
  if (k.withoutPrefix === undefined) return undefined;
  const stripped = k.withoutPrefix.split(';');
  return k.parts.map((p, i) => (stripped[i] !== undefined && stripped[i] !== p ? stripped[i] : undefined));
}

/**
 * All keys under which a record should be indexed for candidate search, with the kind that produced
 * each. O(n) rows for a serial of n characters (see the notes above). Within one kind no key repeats.
 */
export function indexKeys(k: SerialKeys): SerialKey[] {
  // A single part cannot produce a repeated (kind, key): the kinds differ or, for deletions, the
  // lengths do. Several parts can ("A123;A123"), and only then is a set worth its cost.
  const c = new KeyCollector(k.parts.length > 1);
  c.add('exact', k.asMarked);
  if (k.parts.length === 0) return c.keys;
  c.add('normalised', k.normalised);
  const ffl = fflStrippedParts(k);
  for (let i = 0; i < k.parts.length; i++) {
    const part = k.parts[i]!;
    if (k.parts.length > 1) c.add('part', part);
    const alpha = stripEmbeddedLetters(part);
    if (alpha !== part) c.add('alpha-stripped', alpha);
    const stripped = ffl?.[i];
    for (const r of relaxedKeys(part, stripped)) c.add('no-prefix', r);
    fuzzyKeys(part, c, false);
    if (stripped !== undefined) fuzzyKeys(stripped, c, false);
  }
  return c.keys;
}

/**
 * The keys a query (seizure, check, fuzzy search) should look up, each with the index kind to look
 * it up in. Meets every record within the tiers of domain.md 7.4: exact, normalised, any part,
 * NCIC embedded letters, licence prefix, padding zeros, dropped prefix/suffix letters, look-alike
 * characters, and one substitution, deletion, insertion or adjacent transposition. A single unknown
 * character written as `?` behaves as a substitution and so is found too.
 */
export function candidateKeysForQuery(k: SerialKeys): SerialKey[] {
  const c = new KeyCollector(true);
  c.add('exact', k.asMarked);
  if (k.parts.length === 0) return c.keys;
  c.addNormalised(k.normalised);
  const ffl = fflStrippedParts(k);
  for (let i = 0; i < k.parts.length; i++) {
    const part = k.parts[i]!;
    c.addNormalised(part);
    c.add('alpha-stripped', part); // the record has embedded letters the query lacks
    c.add('no-prefix', part); // the record has a prefix, letters or padding the query lacks
    const alpha = stripEmbeddedLetters(part);
    if (alpha !== part) {
      c.addNormalised(alpha); // the query has embedded letters the record lacks
      c.add('alpha-stripped', alpha); // both have embedded letters, different ones
    }
    const stripped = ffl?.[i];
    for (const r of relaxedKeys(part, stripped)) {
      c.addNormalised(r); // the query has the addition, the record lacks it
      c.add('no-prefix', r); // both have additions (two paddings, a prefix and letters)
    }
    fuzzyKeys(part, c, true);
    if (stripped !== undefined) fuzzyKeys(stripped, c, true);
  }
  return c.keys;
}
