import type { SchemaCatalog } from '../../src/messages/schema-catalog.js';
import type { XmlNode } from './safe-xml.js';

/**
 * Turns parsed XML into JSON shaped by a JSON Schema: the canonical XML form has no schema of its
 * own, it is the JSON Schema read as XML. An array property is a repeated element, numbers and
 * booleans are element text converted by the schema's type. Anything the schema does not know is
 * carried over as text so that validation can name it, rather than dropped silently.
 */
type SchemaNode = Record<string, unknown>;
interface Located {
  node: SchemaNode;
  doc: SchemaNode;
}

function pointerGet(doc: SchemaNode, fragment: string): SchemaNode | undefined {
  let n: unknown = doc;
  for (const part of fragment.split('/').filter(Boolean)) n = (n as Record<string, unknown> | undefined)?.[part];
  return n as SchemaNode | undefined;
}

function resolve(loc: Located | undefined, catalog: SchemaCatalog): Located | undefined {
  let current = loc;
  for (let hops = 0; current && typeof current.node.$ref === 'string' && hops < 16; hops++) {
    const ref = current.node.$ref as string;
    const [id, fragment = ''] = ref.split('#');
    const doc = id ? (catalog.schemas.get(id) as SchemaNode | undefined) : current.doc;
    const node = doc ? pointerGet(doc, fragment) : undefined;
    current = node && doc ? { node, doc } : undefined;
  }
  return current;
}

function typeOf(loc: Located | undefined): string | undefined {
  const t = loc?.node.type;
  return typeof t === 'string' ? t : undefined;
}

function textOf(x: XmlNode): string {
  if (typeof x === 'string') return x;
  const t = (x as Record<string, unknown>)._;
  return typeof t === 'string' ? t : '';
}

/**
 * A number written in decimal, as XML Schema and JSON write them. Number() reads more (0x7CF,
 * 0b11, Infinity): such text is left as text, for validation to name the field it is in.
 */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function scalar(text: string, type: string | undefined): unknown {
  if (type === 'integer' || type === 'number') {
    const t = text.trim();
    return DECIMAL.test(t) ? Number(t) : text;
  }
  if (type === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  return text;
}

export function xmlToJson(x: XmlNode, schema: Located | undefined, catalog: SchemaCatalog, override?: (path: string[]) => Located | undefined, path: string[] = []): unknown {
  const loc = override?.(path) ?? resolve(schema, catalog);
  const type = typeOf(loc);
  const props = loc?.node.properties as Record<string, SchemaNode> | undefined;
  const isObject = type === 'object' || props !== undefined;
  if (!isObject) return scalar(textOf(x), type);
  const out: Record<string, unknown> = {};
  if (typeof x === 'string') return out; // <payload/> or an element holding only text
  for (const [name, children] of Object.entries(x)) {
    if (name === '$' || name === '_' || !Array.isArray(children)) continue;
    const propLoc = props?.[name] && loc ? resolve({ node: props[name]!, doc: loc.doc }, catalog) : undefined;
    const childPath = [...path, name];
    if (typeOf(propLoc) === 'array') {
      const items = propLoc!.node.items as SchemaNode | undefined;
      const itemLoc = items ? { node: items, doc: propLoc!.doc } : undefined;
      out[name] = children.map((c) => xmlToJson(c, itemLoc, catalog, override, childPath));
    } else if (children.length === 1) {
      out[name] = xmlToJson(children[0]!, propLoc, catalog, override, childPath);
    } else {
      // Repeated where the schema wants one value: keep them all so validation reports the type error.
      out[name] = children.map((c) => xmlToJson(c, propLoc, catalog, override, childPath));
    }
  }
  return out;
}

/** JSON -> xml2js builder input: arrays become repeated elements. */
export function jsonToXmlTree(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(jsonToXmlTree);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined && v !== null) out[k] = jsonToXmlTree(v);
    return out;
  }
  return String(value);
}
