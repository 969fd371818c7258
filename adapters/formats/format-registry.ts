import type { SchemaCatalog } from '../../src/messages/schema-catalog.js';
import type { ReferenceCatalogue } from '../../src/reference/reference-catalogue.js';
import { canonicalJson } from './canonical-json.js';
import { CANONICAL_XML_NAMESPACE, canonicalXml } from './canonical-xml.js';
import type { CsvMappingOptions } from './csv-mapped-format.js';
import { loadCsvMappings } from './csv-mappings.js';
import type { FormatAdapter } from './format-adapter.js';
import { niemFirearmFormat } from './niem-firearm.js';

export interface FormatRegistryOptions {
  /** config/ of the hub: CSV layouts are read from its formats/ folder. */
  configDir?: string;
  /** Needed with configDir, to validate the CSV layouts. */
  catalog?: SchemaCatalog;
  /** Reference data: NCIC make codes in NIEM documents are translated through it. */
  reference?: ReferenceCatalogue;
  /** Code attached to CSV layouts by name, for what their mapping data cannot say. */
  csvModules?: Readonly<Record<string, CsvMappingOptions>>;
}

/** NCIC make code -> the maker's name, when the reference data knows the code. */
function makeNameForCode(reference: ReferenceCatalogue): (code: string) => string | undefined {
  return (code) => {
    const r = reference.resolveMake(code);
    return r.status === 'mapped' && r.via === 'code' ? reference.manufacturer(r.id)?.name : undefined;
  };
}

function makeCodeForName(reference: ReferenceCatalogue): (name: string) => string | undefined {
  return (name) => {
    const r = reference.resolveMake(name);
    return r.status === 'mapped' ? (reference.manufacturer(r.id)?.ncicCode ?? undefined) : undefined;
  };
}

/**
 * Every format the hub can read or write, by the name partner configuration uses: the hub's own
 * JSON and XML, NIEM 2.0 firearm records, and one CSV format per layout in config/formats/.
 * Each canonical form also says how a file of many messages is framed (SFTP drops).
 */
export function builtInFormats(options: FormatRegistryOptions = {}): Map<string, FormatAdapter> {
  const adapters: FormatAdapter[] = [
    { ...canonicalJson, file: { framing: 'json', extension: '.ndjson' } },
    {
      ...canonicalXml,
      file: { framing: 'xml', extension: '.xml', messageElements: ['message'], batchRoot: { name: 'messages', namespaces: { xmlns: CANONICAL_XML_NAMESPACE } } },
    },
    niemFirearmFormat(options.reference ? { makeNameForCode: makeNameForCode(options.reference), makeCodeForName: makeCodeForName(options.reference) } : {}),
  ];
  if (options.configDir && options.catalog) adapters.push(...loadCsvMappings(options.configDir, options.catalog, options.csvModules));
  const formats = new Map<string, FormatAdapter>();
  for (const a of adapters) {
    if (formats.has(a.name)) throw new Error(`two format adapters are named ${a.name}`);
    formats.set(a.name, a);
  }
  return formats;
}
