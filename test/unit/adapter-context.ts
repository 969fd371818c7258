import type { AdapterContext } from '../../adapters/formats/format-adapter.js';
import { discoverMessageTypes } from '../../src/messages/message-types.js';
import { loadSchemaCatalog, type SchemaCatalog } from '../../src/messages/schema-catalog.js';

/** The context a format adapter gets in the hub: the real schema catalog and type registry. */
export function adapterContext(limits: Partial<AdapterContext['limits']> = {}, catalog: SchemaCatalog = loadSchemaCatalog()): AdapterContext {
  const types = discoverMessageTypes(catalog);
  return {
    catalog,
    payloadSchemaId: (type) => types.get(type)?.schemaId,
    limits: { xmlMaxDepth: 32, xmlMaxBytes: 1_000_000, ...limits },
  };
}
