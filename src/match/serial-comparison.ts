import type { SerialTier } from '../db/database-types.js';
import { editRelation } from '../serials/edit-relation.js';
import { lookalikeKey, serialKeys, stripEmbeddedLetters, trimLetters, withoutLeadingZeros, type SerialKeys } from '../serials/serial-keys.js';
import { partialPattern, type PartialPattern } from './partial-serial.js';

/**
 * How well a seized firearm's serial agrees with a record's, in the tiers of domain.md 7.4:
 * EXACT (as marked), NORMALISED (same key), FUZZY (look-alike characters, NCIC embedded letters,
 * licence prefix, padding zeros, dropped letters, one edit), PARTIAL (a pattern of the readable
 * characters). The candidate search finds every record that may agree; this decides how, and
 * says so in words an officer can check against the weapon.
 */
export type SerialRelation =
  | 'exact'
  | 'normalised'
  | 'second-number'
  | 'lookalike'
  | 'ncic-embedded-letters'
  | 'licence-prefix'
  | 'dropped-letters'
  | 'leading-zeros'
  | 'transposition'
  | 'substitution'
  | 'insertion'
  | 'deletion'
  | 'two-edits'
  | 'partial';

export interface SerialEvidence {
  tier: SerialTier;
  relation: SerialRelation;
  /** 0..1: how strongly the serials alone say "same firearm" (make and the rest are weighed later). */
  score: number;
  /** The seized serial and the record's serial that agreed best. */
  seized: string;
  recorded: string;
  explanation: string;
}

/**
 * Serial-alone evidence per relation. Identity-like relations come first; an edit is weaker the
 * more it could be chance; a pattern is weaker still and scaled by how much of it was readable.
 */
export const SERIAL_SCORES: Readonly<Record<Exclude<SerialRelation, 'partial'>, number>> = {
  exact: 1,
  normalised: 0.97,
  'second-number': 0.95,
  lookalike: 0.93,
  'ncic-embedded-letters': 0.84,
  'licence-prefix': 0.92,
  'dropped-letters': 0.86,
  'leading-zeros': 0.9,
  transposition: 0.84,
  substitution: 0.8,
  insertion: 0.8,
  deletion: 0.8,
  'two-edits': 0.55,
};

const PARTIAL_BASE = 0.45;
const PARTIAL_SPAN = 0.35;

const RELATION_WORDS: Record<SerialRelation, string> = {
  exact: 'serial identical as marked',
  normalised: 'serial identical once spacing, case, hyphens and look-alike scripts are normalised',
  'second-number': 'one of the numbers (importer or second serial) is identical',
  lookalike: 'serial identical but for look-alike characters (0/O/D/Q, 1/I/L/7, 5/S, 8/B, 2/Z, 6/G)',
  'ncic-embedded-letters': 'serial identical once letters between digits are ignored (NCIC rule)',
  'licence-prefix': 'serial identical without the ATF licence prefix',
  'dropped-letters': 'serial identical but for prefix or suffix letters',
  'leading-zeros': 'serial identical but for leading zeros',
  transposition: 'serial differs by two adjacent characters swapped',
  substitution: 'serial differs by one character',
  insertion: 'seized serial has one extra character',
  deletion: 'seized serial lacks one character',
  'two-edits': 'serial differs by two characters',
  partial: 'the readable characters of a partial serial fit',
};

interface Readings {
  keys: SerialKeys;
  /** Relaxed forms of each part with what was removed to get them, and the share of the part kept. */
  relaxed: { key: string; relation: SerialRelation; kept: number }[];
  /** Each part without a licence prefix (the part itself when it has none). */
  numbers: string[];
}

/**
 * Below this share of a serial kept, dropped letters are weak evidence: "620" is in "LZZ620" and in
 * every other maker's number ending in 620.
 */
const MIN_KEPT_SHARE = 0.7;
const WEAK_DROPPED_LETTERS = 0.62;
/** The NCIC rule is for a letter or two among digits, not for numbers that are mostly letters. */
const MAX_EMBEDDED_LETTERS = 2;

function readings(value: string): Readings {
  const keys = serialKeys(value);
  const relaxed: Readings['relaxed'] = [];
  const stripped = keys.withoutPrefix?.split(';');
  keys.parts.forEach((part, i) => {
    const push = (key: string, relation: SerialRelation) => {
      if (key !== part && key.length >= 3 && !relaxed.some((r) => r.key === key)) relaxed.push({ key, relation, kept: key.length / part.length });
    };
    if (stripped?.[i] !== undefined) push(stripped[i]!, 'licence-prefix');
    push(withoutLeadingZeros(part), 'leading-zeros');
    const trimmed = trimLetters(part);
    push(trimmed, 'dropped-letters');
    if (trimmed !== '') push(withoutLeadingZeros(trimmed), 'dropped-letters');
  });
  return { keys, relaxed, numbers: keys.parts.map((p, i) => stripped?.[i] ?? p) };
}

function embeddedLettersAgree(a: string, b: string): boolean {
  const sa = stripEmbeddedLetters(a);
  return sa === stripEmbeddedLetters(b) && sa.length >= 5 && a.length - sa.length <= MAX_EMBEDDED_LETTERS && b.length - sa.length <= MAX_EMBEDDED_LETTERS;
}

/** Restricted Damerau-Levenshtein distance, stopping early once above `max`. */
export function boundedEditDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = a.length;
  const m = b.length;
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m]!;
}

function evidence(relation: SerialRelation, seized: string, recorded: string, score?: number): SerialEvidence {
  const tier: SerialTier = relation === 'exact' ? 'EXACT' : relation === 'normalised' || relation === 'second-number' ? 'NORMALISED' : relation === 'partial' ? 'PARTIAL' : 'FUZZY';
  return { tier, relation, score: score ?? SERIAL_SCORES[relation as Exclude<SerialRelation, 'partial'>], seized, recorded, explanation: `${RELATION_WORDS[relation]} (seized "${seized}", recorded "${recorded}")` };
}

function comparePartial(pattern: PartialPattern, seized: string, record: Readings, recorded: string): SerialEvidence | undefined {
  for (const part of record.keys.parts) {
    if (pattern.test(lookalikeKey(part))) {
      return evidence('partial', seized, recorded, PARTIAL_BASE + PARTIAL_SPAN * pattern.readableShare(part.length));
    }
  }
  return undefined;
}

/** One seized serial against one recorded serial; undefined when they do not agree at any tier. */
export function compareSerial(seized: string, recorded: string, seizedIsPartial = false): SerialEvidence | undefined {
  const q = readings(seized);
  const r = readings(recorded);
  if (q.keys.asMarked === r.keys.asMarked && q.keys.parts.length > 0) return evidence('exact', seized, recorded);
  const pattern = partialPattern(q.keys.normalised, seizedIsPartial);
  if (pattern && !pattern.isSingleUnknown) return comparePartial(pattern, seized, r, recorded);
  if (q.keys.normalised === r.keys.normalised && q.keys.normalised !== '') return evidence('normalised', seized, recorded);

  let best: SerialEvidence | undefined;
  const consider = (relation: SerialRelation, kept = 1) => {
    const e = evidence(relation, seized, recorded, relation === 'dropped-letters' && kept < MIN_KEPT_SHARE ? WEAK_DROPPED_LETTERS : undefined);
    if (!best || e.score > best.score) best = e;
  };
  for (const [i, qp] of q.keys.parts.entries()) {
    for (const [j, rp] of r.keys.parts.entries()) {
      if (qp === rp) consider('second-number');
      else if (lookalikeKey(qp) === lookalikeKey(rp)) consider('lookalike');
      else if (embeddedLettersAgree(q.numbers[i]!, r.numbers[j]!)) consider('ncic-embedded-letters');
      else {
        const relation = editRelation(rp, qp);
        if (relation === 'substitution' || relation === 'transposition' || relation === 'insertion' || relation === 'deletion') consider(relation);
        else if (relation === 'other' && Math.min(qp.length, rp.length) >= 6 && boundedEditDistance(lookalikeKey(qp), lookalikeKey(rp), 2) <= 2) consider('two-edits');
      }
    }
  }
  // A prefix, padding or letters added on one side only.
  const qParts = new Set(q.keys.parts);
  const rParts = new Set(r.keys.parts);
  for (const x of r.relaxed) if (qParts.has(x.key)) consider(x.relation, x.kept);
  for (const x of q.relaxed) {
    if (rParts.has(x.key)) consider(x.relation, x.kept);
    // Both sides padded, or both prefixed by a licence, around the same number. Not letters: "PAJ781"
    // and "HKG781" are different numbers of one maker, not one number with letters dropped.
    if (x.relation === 'leading-zeros' || x.relation === 'licence-prefix') {
      for (const y of r.relaxed) if (x.key === y.key && x.relation === y.relation) consider(x.relation);
    }
  }
  // One unreadable character written '?' is a substitution the index already found.
  if (!best && pattern?.isSingleUnknown) return comparePartial(pattern, seized, r, recorded);
  return best;
}

/** The best agreement between any seized serial and any of the record's serials (a firearm may carry several). */
export function bestSerialEvidence(seized: readonly { value: string; partial?: boolean }[], recorded: readonly string[]): SerialEvidence | undefined {
  let best: SerialEvidence | undefined;
  for (const s of seized) {
    for (const r of recorded) {
      const e = compareSerial(s.value, r, s.partial === true);
      if (e && (!best || e.score > best.score)) best = e;
      if (best?.relation === 'exact') return best;
    }
  }
  return best;
}
