import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ConfigError } from '../../src/config/config-error.js';
import { readJsonConfig } from '../../src/config/load-config.js';
import type { CsvMapping } from '../../src/messages/generated-types.js';
import type { SchemaCatalog } from '../../src/messages/schema-catalog.js';
import { csvMappedFormat, type CsvMappingOptions } from './csv-mapped-format.js';
import type { FormatAdapter } from './format-adapter.js';

export const CSV_MAPPING_SCHEMA = 'urn:tracehub:schema:config:csv-mapping';

/** Checks that span fields of one mapping, which the schema alone cannot express. */
function mappingProblems(m: CsvMapping): { pointer: string; message: string }[] {
  const problems: { pointer: string; message: string }[] = [];
  const header = m.csv?.header ?? true;
  const columns = m.csv?.columns;
  if (!header && !columns) problems.push({ pointer: '/csv/columns', message: 'is required when the file has no header row (csv.header false)' });
  if (header && columns) problems.push({ pointer: '/csv/columns', message: 'is only for files without a header row; the header names the columns' });
  const known = columns ? new Set(columns) : undefined;
  if (known && m.messageId && !known.has(m.messageId.column)) problems.push({ pointer: '/messageId/column', message: `"${m.messageId.column}" is not in csv.columns` });
  for (const [pointer, f] of Object.entries(m.fields)) {
    const at = `/fields/${pointer.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const stars = pointer.split('/').filter((s) => s === '*').length;
    if (stars > 1) problems.push({ pointer: at, message: 'may hold one "*" segment at most' });
    if (stars === 1 && !f?.split) problems.push({ pointer: at, message: 'has a "*" segment, so it needs `split` (the separator of the values that fill the array)' });
    if (f?.dateFormat && f.as !== 'date') problems.push({ pointer: `${at}/dateFormat`, message: 'applies only to fields with "as": "date"' });
    if (known && f?.column && !known.has(f.column)) problems.push({ pointer: `${at}/column`, message: `"${f.column}" is not in csv.columns` });
  }
  return problems;
}

/**
 * Every CSV layout in <configDir>/formats/*.json, validated like the rest of the configuration: a
 * bad file stops the start with a message naming the file, the field and the fault. `modules`
 * attaches optional code to a layout by name (a transform of the payload that data cannot say).
 */
export function loadCsvMappings(configDir: string, catalog: SchemaCatalog, modules: Readonly<Record<string, CsvMappingOptions>> = {}): FormatAdapter[] {
  const dir = join(configDir, 'formats');
  if (!existsSync(dir)) return [];
  const adapters: FormatAdapter[] = [];
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const file = join(dir, name);
    const shown = relative(process.cwd(), file) || file;
    const doc = readJsonConfig(file, shown);
    const errors = catalog.check(CSV_MAPPING_SCHEMA, doc);
    if (errors.length) throw new ConfigError(shown, errors.map((e) => ({ pointer: e.pointer ?? '', message: e.message })));
    const mapping = doc as CsvMapping;
    if (`${mapping.name}.json` !== name) throw new ConfigError(shown, [{ pointer: '/name', message: `is "${mapping.name}" but the file is named ${name}; name it ${mapping.name}.json` }]);
    const problems = mappingProblems(mapping);
    if (problems.length) throw new ConfigError(shown, problems);
    adapters.push(csvMappedFormat(mapping, modules[mapping.name]));
  }
  return adapters;
}
