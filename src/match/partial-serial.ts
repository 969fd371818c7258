import { lookalikeKey } from '../serials/serial-keys.js';

/**
 * Partial and obliterated serials. A restored serial often has unreadable characters: the sender
 * writes each as '?', or '*' for a run of unknown length ('*3456' when only the end survived). A
 * serial flagged `partial` with neither is a readable fragment whose position is unknown. Such a
 * serial cannot be keyed; it becomes a pattern over look-alike-folded keys, tested here and, as a
 * LIKE pattern, by PostgreSQL through a trigram index on the same folding.
 */
export interface PartialPattern {
  /** One '?' and nothing else unknown: the deletion keys already find it as a substitution. */
  readonly isSingleUnknown: boolean;
  /** Characters actually read. */
  readonly readable: number;
  /** Whether a look-alike-folded key fits. */
  test(foldedKey: string): boolean;
  /** SQL LIKE pattern over the folded key (see LOOKALIKE_FOLD_SQL). */
  readonly like: string;
  /** The share of a serial of this length that was read (0..1). */
  readableShare(length: number): number;
}

/** Fewer readable characters than this fit too many records to be evidence of anything. */
export const MIN_READABLE = 3;

/**
 * The look-alike fold of serial-keys.ts `lookalikeKey`, as arguments of SQL `translate()` over a
 * normalised (upper-case, O already zero) key: an immutable expression PostgreSQL can index.
 */
export const LOOKALIKE_FOLD_SQL = { from: 'ODQIL7SBZG', to: '0001115826' } as const;

function escapeRegExp(ch: string): string {
  return /[\\^$.*+?()[\]{}|]/.test(ch) ? `\\${ch}` : ch;
}

function escapeLike(ch: string): string {
  return ch === '%' || ch === '_' || ch === '\\' ? `\\${ch}` : ch;
}

/**
 * The pattern of a normalised serial, or undefined when it is a whole serial (no '?' or '*' and
 * not flagged partial).
 */
export function partialPattern(normalised: string, flaggedPartial: boolean): PartialPattern | undefined {
  const wild = normalised.includes('?') || normalised.includes('*');
  if (!wild && !flaggedPartial) return undefined;
  const folded = lookalikeKey(normalised);
  const fragment = !wild; // flagged partial: the characters read, somewhere in the serial
  let re = fragment ? '' : '^';
  let like = fragment ? '%' : '';
  let readable = 0;
  let unknown = 0;
  let runs = 0;
  for (const ch of folded) {
    if (ch === '?') {
      re += '.';
      like += '_';
      unknown++;
    } else if (ch === '*') {
      re += '.*';
      like += '%';
      runs++;
    } else {
      re += escapeRegExp(ch);
      like += escapeLike(ch);
      readable++;
    }
  }
  re += fragment ? '' : '$';
  like += fragment ? '%' : '';
  const regex = new RegExp(re, 'u');
  return {
    isSingleUnknown: !fragment && unknown === 1 && runs === 0,
    readable,
    like,
    test: (foldedKey) => regex.test(foldedKey),
    readableShare: (length) => (length <= 0 ? 0 : Math.min(1, readable / length)),
  };
}
