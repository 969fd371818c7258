import { Builder } from 'xml2js';
import type { FormatAdapter } from './format-adapter.js';
import { checkXmlSafety, parseXmlSync } from './safe-xml.js';
import { charsetOf, decodeXml } from './text-decoding.js';
import { jsonToXmlTree, xmlToJson } from './schema-guided-xml.js';

export const CANONICAL_XML_NAMESPACE = 'urn:tracehub:message:1';
const ENVELOPE_ID = 'urn:tracehub:schema:envelope';

/**
 * The hub's XML form: `<message xmlns="urn:tracehub:message:1">` holding the envelope fields as
 * elements, the payload shaped by its message type's JSON Schema (see schema-guided-xml.ts).
 */
export const canonicalXml: FormatAdapter = {
  name: 'canonical-xml',
  mediaTypes: ['application/xml', 'text/xml'],
  normalise(raw, ctx) {
    const decoded = decodeXml(raw, charsetOf(ctx.contentType));
    if (!decoded.ok) return { ok: false, errors: [decoded.error] };
    const text = decoded.text;
    const unsafe = checkXmlSafety(text, { maxDepth: ctx.limits.xmlMaxDepth, maxBytes: ctx.limits.xmlMaxBytes });
    if (unsafe) return { ok: false, errors: [unsafe] };
    const parsed = parseXmlSync(text);
    if (!parsed.ok) return { ok: false, errors: [parsed.error] };
    if (parsed.root !== 'message') {
      return { ok: false, errors: [{ pointer: '/', code: 'xml.wrong-root', message: `root element must be <message>, found <${parsed.root}>` }] };
    }
    const envelopeDoc = ctx.catalog.schemas.get(ENVELOPE_ID) as Record<string, unknown>;
    // The payload's shape depends on <type>, read first; an unknown type converts generically and
    // then fails validation with an error naming /type.
    const node = parsed.node;
    const typeText = typeof node === 'object' ? (node.type as unknown[] | undefined)?.[0] : undefined;
    const payloadId = typeof typeText === 'string' ? ctx.payloadSchemaId(typeText) : undefined;
    const payloadDoc = payloadId ? (ctx.catalog.schemas.get(payloadId) as Record<string, unknown>) : undefined;
    const envelope = xmlToJson(node, { node: envelopeDoc, doc: envelopeDoc }, ctx.catalog, (path) =>
      path.length === 1 && path[0] === 'payload' && payloadDoc ? { node: payloadDoc, doc: payloadDoc } : undefined,
    );
    return { ok: true, envelope };
  },
  render(envelope) {
    const builder = new Builder({ rootName: 'message', xmldec: { version: '1.0', encoding: 'UTF-8' } });
    const tree = jsonToXmlTree(envelope) as Record<string, unknown>;
    return Buffer.from(builder.buildObject({ ...tree, $: { xmlns: CANONICAL_XML_NAMESPACE } }));
  },
};
