import type { ReferenceCatalogue } from '../reference/reference-catalogue.js';
import type { StatisticsTable } from './statistics-query.js';

/**
 * Names for the reference ids a table is grouped by (make, calibre, type), so that a report read
 * by people says "Carl Walther GmbH" where the data says carl-walther. Only the ids that occur.
 */
const NAMED: Record<string, (reference: ReferenceCatalogue, id: string) => string | undefined> = {
  make: (r, id) => r.manufacturer(id)?.name,
  calibre: (r, id) => r.calibre(id)?.name,
  type: (r, id) => r.type(id)?.name,
};

export type TableLabels = Record<string, Record<string, string>>;

export function tableLabels(table: Pick<StatisticsTable, 'groupBy' | 'cells'>, reference: ReferenceCatalogue): TableLabels {
  const labels: TableLabels = {};
  for (const dim of table.groupBy) {
    const name = NAMED[dim];
    if (!name) continue;
    const names: Record<string, string> = {};
    for (const c of table.cells) {
      const id = c.key[dim];
      if (!id || id in names) continue;
      const n = name(reference, id);
      if (n) names[id] = n;
    }
    labels[dim] = names;
  }
  return labels;
}
