import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database-types.js';

/**
 * Reference values that mapped to nothing (a make, calibre or type no table lists), kept for
 * admins to map. Listing a value is part of the record's transaction, so a value is never on a
 * record without being on the list. Counting its occurrences is not: bumping a shared counter
 * row inside the apply transaction held that row's lock until commit, so two apply workers whose
 * batches shared one unknown make ran one after the other. The count is bumped once the records
 * are committed, in a statement of its own; a crash between the two leaves it short, never the
 * list.
 */
export interface UnmappedTally {
  kind: string;
  value: string;
  n: number;
}

export function tallyUnmapped(values: Iterable<{ kind: string; value: string }>): UnmappedTally[] {
  const tally = new Map<string, UnmappedTally>();
  for (const u of values) {
    const k = `${u.kind}\u0000${u.value}`;
    const t = tally.get(k);
    if (t) t.n++;
    else tally.set(k, { kind: u.kind, value: u.value, n: 1 });
  }
  // Always in the same order, so concurrent writers take row locks in the same order.
  return [...tally.values()].sort((a, b) => (a.kind + a.value < b.kind + b.value ? -1 : 1));
}

function columns(list: readonly UnmappedTally[]) {
  return sql`unnest(${list.map((u) => u.kind)}::text[], ${list.map((u) => u.value)}::text[], ${list.map((u) => u.n)}::int[]) as t(k, v, n)`;
}

/** Puts values on the list (first sight); values already listed are left alone, unlocked. */
export async function listUnmapped(db: Kysely<Database>, list: readonly UnmappedTally[], now: Date): Promise<void> {
  if (list.length === 0) return;
  await sql`
    insert into reference_unmapped (kind, value, occurrences, first_seen, last_seen)
    select k, v, 0, ${now}, ${now} from ${columns(list)}
    on conflict (kind, value) do nothing`.execute(db);
}

/** Adds occurrences to listed values. */
export async function countUnmapped(db: Kysely<Database>, list: readonly UnmappedTally[], now: Date): Promise<void> {
  if (list.length === 0) return;
  await sql`
    update reference_unmapped u set occurrences = u.occurrences + t.n, last_seen = greatest(u.last_seen, ${now})
    from ${columns(list)}
    where u.kind = t.k and u.value = t.v`.execute(db);
}
