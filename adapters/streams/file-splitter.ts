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
      return splitCsvRows(source, { quote: file.quote, header: file.header }, split);
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
      const rows = rendered.map((r) => {
        const text = r.toString('utf8').replace(/\r?\n$/, '');
        const nl = text.indexOf('\n');
        return { header: nl === -1 ? text : text.slice(0, nl), row: nl === -1 ? '' : text.slice(nl + 1) };
      });
      return Buffer.from(`${rows[0]?.header ?? ''}\n${rows.map((r) => `${r.row}\n`).join('')}`, 'utf8');
    }
    case 'xml': {
      const attrs = Object.entries(file.batchRoot.namespaces).map(([k, v]) => ` ${k}="${v}"`).join('');
      const body = rendered.map((r) => r.toString('utf8').replace(/^\s*<\?xml[^?]*\?>\s*/, '')).join('\n');
      return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<${file.batchRoot.name}${attrs}>\n${body}\n</${file.batchRoot.name}>\n`, 'utf8');
    }
  }
}
