import { parseString } from 'xml2js';
import type { FieldError } from '../../src/messages/generated-types.js';

/**
 * XML from outside is parsed only after a cheap scan proves it harmless: no DTD (so no entity
 * expansion, external or "billion laughs"), bounded size and bounded element depth. xml2js (sax)
 * never fetches external resources, but refusing DTDs outright keeps that true whatever parser
 * sits underneath.
 */
export type XmlNode = string | { [name: string]: XmlNode[] | Record<string, string> | string | undefined };

export function checkXmlSafety(text: string, limits: { maxDepth: number; maxBytes: number }): FieldError | undefined {
  if (Buffer.byteLength(text) > limits.maxBytes) {
    return { pointer: '/', code: 'xml.too-large', message: `exceeds ${limits.maxBytes} bytes` };
  }
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    return { pointer: '/', code: 'xml.dtd-forbidden', message: 'document type declarations and entities are not accepted' };
  }
  const body = text.replace(/<!--[\s\S]*?-->/g, '').replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '').replace(/<\?[\s\S]*?\?>/g, '');
  // Any element name (not only ASCII), and attribute values quoted so that a "/>" or ">" inside
  // one is not read as the end of the tag.
  const tag = /<(\/?)[^\s<>/!?]+(?:[^<>"']|"[^"]*"|'[^']*')*?(\/?)>/g;
  let depth = 0;
  let rootClosedAt = -1;
  for (let m = tag.exec(body); m; m = tag.exec(body)) {
    if (rootClosedAt >= 0) return { pointer: '/', code: 'xml.malformed', message: 'has content after the root element' };
    if (m[1]) depth -= 1;
    else if (!m[2]) {
      depth += 1;
      if (depth > limits.maxDepth) {
        return { pointer: '/', code: 'xml.too-deep', message: `nests elements deeper than ${limits.maxDepth} levels` };
      }
    }
    if (depth === 0) rootClosedAt = tag.lastIndex;
  }
  if (rootClosedAt >= 0 && body.slice(rootClosedAt).trim() !== '') {
    return { pointer: '/', code: 'xml.malformed', message: 'has content after the root element' };
  }
  return undefined;
}

/** Synchronous parse; xml2js calls back synchronously when `async` is false. */
export function parseXmlSync(text: string): { ok: true; root: string; node: XmlNode } | { ok: false; error: FieldError } {
  let outcome: { ok: true; root: string; node: XmlNode } | { ok: false; error: FieldError } | undefined;
  parseString(text, { explicitArray: true, explicitRoot: true, trim: false, normalize: false, strict: true, async: false }, (err: Error | null, result: Record<string, XmlNode>) => {
    if (err) {
      outcome = { ok: false, error: { pointer: '/', code: 'xml.malformed', message: `is not well-formed XML: ${err.message.replace(/\s+/g, ' ').trim()}` } };
      return;
    }
    const [root] = Object.keys(result ?? {});
    if (!root) {
      outcome = { ok: false, error: { pointer: '/', code: 'xml.empty', message: 'has no root element' } };
      return;
    }
    outcome = { ok: true, root, node: result[root] as XmlNode };
  });
  return outcome ?? { ok: false, error: { pointer: '/', code: 'xml.empty', message: 'is empty' } };
}
