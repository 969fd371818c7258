import type { SchemaCatalog } from './schema-catalog.js';

/**
 * The type registry: every message type is a schema in schemas/messages whose $id is
 * `urn:tracehub:schema:<type>` and which carries an `x-tracehub` block. Adding a type is adding a
 * schema (and, for inbound types, a handler); nothing else lists types.
 */
export interface MessageTypeDefinition {
  type: string;
  schemaId: string;
  direction: 'inbound' | 'outbound' | 'both';
  /** Kinds of business key (serial, trace, ...) and the JSON pointer in the payload holding them. */
  businessKeys: Record<string, string>;
}

const PREFIX = 'urn:tracehub:schema:';

export function discoverMessageTypes(catalog: SchemaCatalog): Map<string, MessageTypeDefinition> {
  const types = new Map<string, MessageTypeDefinition>();
  for (const [id, doc] of catalog.schemas) {
    const meta = doc['x-tracehub'];
    if (!meta || !id.startsWith(PREFIX) || id.startsWith(`${PREFIX}config:`)) continue;
    const type = id.slice(PREFIX.length);
    types.set(type, { type, schemaId: id, direction: meta.direction ?? 'inbound', businessKeys: meta.businessKeys ?? {} });
  }
  return types;
}

/** Serials and other keys as the ledger indexes them: upper case, without spaces. */
export function normaliseKeyValue(value: string): string {
  return value.normalize('NFKC').toUpperCase().replace(/\s+/g, '');
}

/** `kind:value` strings for the ledger's business_keys column. */
export function extractBusinessKeys(def: MessageTypeDefinition | undefined, payload: unknown): string[] {
  if (!def || !payload || typeof payload !== 'object') return [];
  const keys = new Set<string>();
  for (const [kind, pointer] of Object.entries(def.businessKeys)) {
    let node: unknown = payload;
    for (const part of pointer.split('/').filter(Boolean)) node = (node as Record<string, unknown> | undefined)?.[part];
    const values = Array.isArray(node) ? node : [node];
    for (const v of values) if (typeof v === 'string' && v.trim()) keys.add(`${kind}:${normaliseKeyValue(v)}`);
  }
  return [...keys];
}
