import type { FileFormat } from '../formats/format-adapter.js';
import { splitCsvRows } from './csv-row-splitter.js';
import type { Framed } from './framed-item.js';
import { splitJson } from './json-splitter.js';
import { splitLines } from './line-splitter.js';
import { splitXmlElements } from './xml-element-splitter.js';

const LINE_DELIMITED = /\.(ndjson|jsonl|ldjson)$/i;

/**
 * Splits a file into messages as it streams, by its format's framing: CSV rows, XML elements,
 * and for JSON either NDJSON lines (a .ndjson/.jsonl name: a broken line spoils only itself) or
 * the elements of a JSON array (or values one after another). Memory holds one message at a time.
 */
export function splitFile(source: AsyncIterable<Buffer>, file: FileFormat, name: string, limits: { maxMessageBytes: number; xmlMaxDepth: number }): AsyncGenerator<Framed> {
  const split = { maxMessageBytes: limits.maxMessageBytes };
  switch (file.framing) {
    case 'csv':
      return splitCsvRows(source, { quote: file.quote, delimiter: file.delimiter, header: file.header }, split);
    case 'xml':
      return splitXmlElements(source, { messageElements: file.messageElements, maxDepth: limits.xmlMaxDepth }, split);
    case 'json':
      return LINE_DELIMITED.test(name) ? splitLines(source, split) : splitJson(source, split);
  }
}

/**
 * One file from several rendered messages of a format: NDJSON lines, one CSV header with the rows,
 * or the XML elements (their declarations dropped) inside the format's batch root.
 */
export function joinMessages(file: FileFormat, rendered: readonly Buffer[]): Buffer {
  switch (file.framing) {
    case 'json':
      return Buffer.concat(rendered.flatMap((r) => [r, Buffer.from('\n')]));
    case 'csv': {
      if (!file.header) return Buffer.concat(rendered.map((r) => (r[r.length - 1] === 0x0a ? r : Buffer.concat([r, Buffer.from('\n')]))));
      // Cut as bytes: the rows may be in a partner's single-byte encoding, where decoding them
      // as UTF-8 would corrupt every accented letter. Line breaks are the same byte in all of them.
      const lf = Buffer.from('\n');
      const rows = rendered.map((r) => {
        const body = r[r.length - 1] === 0x0a ? r.subarray(0, r[r.length - 2] === 0x0d ? -2 : -1) : r;
        const nl = body.indexOf(0x0a);
        return { header: nl === -1 ? body : body.subarray(0, nl), row: nl === -1 ? Buffer.alloc(0) : body.subarray(nl + 1) };
      });
      return Buffer.concat([rows[0]?.header ?? Buffer.alloc(0), lf, ...rows.flatMap((r) => [r.row, lf])]);
    }
    case 'xml': {
      const attrs = Object.entries(file.batchRoot.namespaces).map(([k, v]) => ` ${k}="${v}"`).join('');
      const body = rendered.map((r) => r.toString('utf8').replace(/^\s*<\?xml[^?]*\?>\s*/, '')).join('\n');
      return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<${file.batchRoot.name}${attrs}>\n${body}\n</${file.batchRoot.name}>\n`, 'utf8');
    }
  }
}
