/**
 * Rounding of the counts in figures across countries. Suppression hides small cells, but a small
 * count can still be had by difference: the total of all makes less the total of every make but
 * one. Rounding each published count to a base (5 by default, as official statistics do) leaves
 * any such difference uncertain by the base. 1 publishes exact counts.
 */
export function roundCount(n: number, base: number): number {
  return base <= 1 ? n : Math.round(n / base) * base;
}

export function roundCounts<T extends Record<string, number>>(counts: T, base: number): T {
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, roundCount(v, base)])) as T;
}
