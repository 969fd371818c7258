import sax from 'sax';
import type { Framed, SplitLimits } from './framed-item.js';
import { streamDecoder, unsupportedXmlEncoding, xmlDeclaredEncoding } from '../formats/text-decoding.js';

export interface XmlFraming {
  /**
   * Local names of the element that is one message. A file whose root is such an element holds
   * that one message; any other root is a batch, and each of its child elements is a message.
   */
  messageElements: readonly string[];
  maxDepth: number;
}

function localName(qname: string): string {
  const colon = qname.indexOf(':');
  return colon === -1 ? qname : qname.slice(colon + 1);
}

function newlinesIn(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n += 1;
  return n;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/**
 * XML framing with a SAX parser (sax, which xml2js is built on): the document is checked for
 * well-formedness as it streams, and each child element of the root is cut out of the text as
 * written. The root's namespace declarations are copied onto each cut element (where it does not
 * declare the prefix itself), so a message read on its own still means what it meant in the
 * file. DTDs are refused, depth is bounded, and only the element being read is held in memory.
 * Any XML fault is fatal: a SAX parser cannot resynchronise after one.
 */
export async function* splitXmlElements(source: AsyncIterable<Buffer>, framing: XmlFraming, limits: SplitLimits): AsyncGenerator<Framed> {
  const parser = sax.parser(true, { position: true, trim: false, normalize: false });
  // Decided from the XML declaration once its bytes are in; strict, so bytes that are not valid in
  // the encoding stop the file instead of turning into U+FFFD.
  let decoder: ReturnType<typeof streamDecoder> | undefined;
  let head = Buffer.alloc(0);
  const ready: Framed[] = [];
  let fault: Framed | undefined;

  let depth = 0;
  let rootNamespaces: [string, string][] = [];
  let wholeDocument = false;
  let sawRoot = false;
  let index = 0;

  /** Text from global (UTF-16) position `bufStart` on; sax positions count the same units. */
  let buf = '';
  let bufStart = 0;
  let elementStart = -1;
  let elementLine = 0;
  let elementName = '';
  let elementAttributes: Record<string, string> = {};
  let oversized = false;

  const fail = (code: string, message: string) => {
    fault ??= { kind: 'fault', line: parser.line + 1, code, message, fatal: true };
  };

  parser.onerror = (err) => {
    fail('xml.malformed', `is not well-formed XML: ${err.message.split('\n')[0]}`);
    parser.error = null;
  };
  parser.ondoctype = () => fail('xml.dtd-forbidden', 'document type declarations and entities are not accepted');
  parser.onopentagstart = (tag) => {
    if (depth === 0 && framing.messageElements.includes(localName(tag.name))) wholeDocument = true;
    if ((depth === 0 && wholeDocument) || (depth === 1 && !wholeDocument)) {
      elementStart = parser.startTagPosition - 1;
      // sax names the tag once past its name, perhaps on a later line (`<message\n  xmlns=...`):
      // the element starts on the line of its '<'.
      elementLine = parser.line + 1 - newlinesIn(buf.slice(Math.max(0, elementStart - bufStart), parser.position - bufStart));
      oversized = false;
    }
  };
  parser.onopentag = (tag) => {
    depth += 1;
    if (depth > framing.maxDepth) fail('xml.too-deep', `nests elements deeper than ${framing.maxDepth} levels`);
    if (depth === 1) {
      sawRoot = true;
      rootNamespaces = Object.entries(tag.attributes).filter(([name]) => name === 'xmlns' || name.startsWith('xmlns:'));
    } else if (depth === 2 && !wholeDocument) {
      elementName = tag.name;
      elementAttributes = tag.attributes;
    }
  };
  parser.onclosetag = () => {
    depth -= 1;
    // sax goes on after an error; nothing after the first fault is a message.
    if (fault) return;
    const ends = wholeDocument ? depth === 0 : depth === 1 && elementStart >= 0;
    if (!ends) return;
    const end = parser.position;
    if (oversized || end - elementStart > limits.maxMessageBytes) {
      ready.push({ kind: 'fault', index: index++, line: elementLine, code: 'file.message-too-large', message: `element is larger than ${limits.maxMessageBytes} characters`, fatal: false });
    } else {
      let text = buf.slice(elementStart - bufStart, end - bufStart);
      if (!wholeDocument) {
        const missing = rootNamespaces.filter(([name]) => !Object.hasOwn(elementAttributes, name));
        if (missing.length) {
          const at = 1 + elementName.length;
          text = `${text.slice(0, at)}${missing.map(([n, v]) => ` ${n}="${escapeAttribute(v)}"`).join('')}${text.slice(at)}`;
        }
      }
      ready.push({ kind: 'message', index: index++, line: elementLine, raw: Buffer.from(text, 'utf8') });
    }
    elementStart = -1;
  };

  /** Keeps `buf` from `from` (a global position) on; bufStart + buf.length is always what was fed. */
  const keepFrom = (from: number) => {
    if (from > bufStart) {
      buf = buf.slice(from - bufStart);
      bufStart = from;
    }
  };
  const feed = (text: string) => {
    buf += text;
    parser.write(text);
    if (elementStart >= 0 && !oversized && parser.position - elementStart > limits.maxMessageBytes) {
      // Keep reading, to find where it ends, but stop keeping the text.
      oversized = true;
    }
    if (elementStart >= 0 && !oversized) keepFrom(elementStart);
    else {
      // A start tag may have begun in this chunk without sax having named it yet.
      const lt = buf.lastIndexOf('<');
      keepFrom(lt === -1 ? bufStart + buf.length : bufStart + lt);
    }
  };

  const decode = (bytes: Buffer, end: boolean): void => {
    if (!decoder) {
      head = Buffer.concat([head, bytes]);
      // The declaration, if any, ends at the first '>' and is at the very start.
      if (!end && head.length < 256 && !head.includes(0x3e)) return;
      const encoding = xmlDeclaredEncoding(head);
      if (typeof encoding !== 'string') return fail('xml.unsupported-encoding', unsupportedXmlEncoding(encoding.unsupported).message);
      decoder = streamDecoder(encoding);
      bytes = head;
    }
    try {
      feed(decoder.decode(bytes, end));
    } catch {
      fail('encoding.invalid', `is not valid ${decoder.encoding} after line ${parser.line + 1}: send UTF-8, or declare the encoding in the XML declaration`);
    }
  };

  for await (const chunk of source) {
    decode(chunk, false);
    yield* ready.splice(0);
    if (fault) {
      yield fault;
      return;
    }
  }
  decode(Buffer.alloc(0), true);
  const unclosed = depth !== 0;
  const line = parser.line + 1;
  if (!fault && !unclosed && sawRoot) parser.close();
  yield* ready.splice(0);
  if (fault) yield fault;
  else if (!sawRoot) yield { kind: 'fault', line, code: 'file.empty', message: 'holds no XML element', fatal: true };
  else if (unclosed) yield { kind: 'fault', line, code: 'file.truncated', message: 'ends before its root element is closed', fatal: true };
}
