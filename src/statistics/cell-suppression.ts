/**
 * Small-cell suppression for statistics shown beyond the data's owners. A count below the
 * threshold can point at one case (three stolen rifles of a rare make in one country) and so
 * disclose what an owner restricted; such a cell is marked suppressed here, and the table leaves
 * it out (statistics-query.ts), since even its key would say that its cases exist.
 *
 * Only the cells and their grand total are published, so one suppressed cell alone could be
 * recovered by subtracting the others from the total. Whenever exactly one cell would be
 * suppressed, the next smallest is suppressed with it (complementary suppression). When the total
 * itself is below the threshold, nothing is published but the fact that it is.
 */
export interface Cell<K> {
  key: K;
  /** The counts of the cell, by measure. */
  counts: Record<string, number>;
}

export type PublishedCell<K> = { key: K; counts: Record<string, number>; suppressed: false } | { key: K; counts: null; suppressed: true };

export interface Suppressed<K> {
  cells: PublishedCell<K>[];
  /** Null when the total is itself below the threshold. */
  total: Record<string, number> | null;
  suppressedCells: number;
}

/**
 * `basis` names the measure judged against the threshold: the count of distinct cases (seizures,
 * not the firearms seized in them), the smallest unit that can point at one case. Cells keep
 * their order.
 */
export function suppressSmallCells<K>(cells: readonly Cell<K>[], total: Record<string, number>, basis: string, minimum: number): Suppressed<K> {
  const basisOf = (c: Cell<K>) => c.counts[basis] ?? 0;
  if ((total[basis] ?? 0) < minimum) {
    return { cells: cells.map((c) => ({ key: c.key, counts: null, suppressed: true })), total: null, suppressedCells: cells.length };
  }
  const hidden = new Set<number>();
  cells.forEach((c, i) => {
    if (basisOf(c) < minimum) hidden.add(i);
  });
  if (hidden.size === 1) {
    let partner = -1;
    cells.forEach((c, i) => {
      if (!hidden.has(i) && (partner < 0 || basisOf(c) < basisOf(cells[partner]!))) partner = i;
    });
    if (partner >= 0) hidden.add(partner);
  }
  return {
    cells: cells.map((c, i) => (hidden.has(i) ? { key: c.key, counts: null, suppressed: true } : { key: c.key, counts: { ...c.counts }, suppressed: false })),
    total: { ...total },
    suppressedCells: hidden.size,
  };
}
