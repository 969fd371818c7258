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

/** Values at a JSON pointer whose `*` segments stand for every array element; arrays at the end are flattened. */
function valuesAt(node: unknown, parts: readonly string[]): unknown[] {
  if (parts.length === 0) return Array.isArray(node) ? node : [node];
  const [head, ...rest] = parts;
  if (head === '*') return Array.isArray(node) ? node.flatMap((n) => valuesAt(n, rest)) : [];
  const next = node && typeof node === 'object' ? (node as Record<string, unknown>)[head!] : undefined;
  return next === undefined ? [] : valuesAt(next, rest);
}

/** `kind:value` strings for the ledger's business_keys column. */
export function extractBusinessKeys(def: MessageTypeDefinition | undefined, payload: unknown): string[] {
  if (!def || !payload || typeof payload !== 'object') return [];
  const keys = new Set<string>();
  for (const [kind, pointer] of Object.entries(def.businessKeys)) {
    for (const v of valuesAt(payload, pointer.split('/').filter(Boolean))) {
      if (typeof v === 'string' && v.trim()) keys.add(`${kind}:${normaliseKeyValue(v)}`);
    }
  }
  return [...keys];
}
