import { withoutByteOrderMark } from './byte-order-mark.js';
import type { Framed, SplitLimits } from './framed-item.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LF = 0x0a;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function endsScalar(c: number): boolean {
  return isWhitespace(c) || c === COMMA || c === CLOSE_ARRAY || c === CLOSE_OBJECT || c === OPEN_ARRAY || c === OPEN_OBJECT || c === QUOTE;
}

/**
 * JSON framing without parsing: a file holding one JSON array yields each element of the array;
 * any other file yields each top-level value (one envelope, or several one after another). Only
 * nesting, strings and escapes are tracked, so whether an element is valid JSON is for the format
 * adapter to say, element by element. A fault in the top-level structure (a missing comma, text
 * after the array, the file ending inside an element) is fatal: nothing after it can be framed
 * reliably. Only the element being read is held in memory.
 */
export async function* splitJson(source: AsyncIterable<Buffer>, limits: SplitLimits): AsyncGenerator<Framed> {
  let mode: 'unknown' | 'array' | 'values' = 'unknown';
  let arrayClosed = false;
  /** In array mode, between elements: whether a value must come next (after '[' or ','). */
  let expectValue = true;
  let line = 1;
  let index = 0;

  let element: 'none' | 'container' | 'string' | 'scalar' = 'none';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let elementLine = 0;
  let pieces: Buffer[] = [];
  let bytes = 0;
  let oversized = false;

  const fatal = (code: string, message: string, at = line): Framed => ({ kind: 'fault', line: at, code, message, fatal: true });

  function finish(chunk: Buffer, from: number, end: number): Framed {
    const tooLarge = oversized || bytes + (end - from) > limits.maxMessageBytes;
    const framed: Framed = tooLarge
      ? { kind: 'fault', index, line: elementLine, code: 'file.message-too-large', message: `element is larger than ${limits.maxMessageBytes} bytes`, fatal: false }
      : { kind: 'message', index, line: elementLine, raw: Buffer.concat([...pieces, chunk.subarray(from, end)]) };
    index += 1;
    element = 'none';
    pieces = [];
    bytes = 0;
    oversized = false;
    expectValue = false;
    return framed;
  }

  for await (const chunk of withoutByteOrderMark(source)) {
    let start = element === 'none' ? -1 : 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (element === 'scalar') {
        if (!endsScalar(c)) {
          if (c === LF) line += 1;
          continue;
        }
        yield finish(chunk, start, i);
        start = -1;
        // The delimiter is read again below, outside the element.
      } else if (element !== 'none') {
        if (c === LF) line += 1;
        if (inString) {
          if (escaped) escaped = false;
          else if (c === BACKSLASH) escaped = true;
          else if (c === QUOTE) {
            inString = false;
            if (element === 'string') {
              yield finish(chunk, start, i + 1);
              start = -1;
            }
          }
        } else if (c === QUOTE) inString = true;
        else if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth += 1;
        else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
          depth -= 1;
          if (depth === 0) {
            yield finish(chunk, start, i + 1);
            start = -1;
          }
        }
        continue;
      }

      if (c === LF) line += 1;
      if (isWhitespace(c)) continue;
      if (mode === 'unknown') {
        mode = c === OPEN_ARRAY ? 'array' : 'values';
        if (mode === 'array') continue;
      }
      if (mode === 'array') {
        if (arrayClosed) {
          yield fatal('file.malformed-json', 'has content after the closing ] of the array');
          return;
        }
        if (c === COMMA || c === CLOSE_ARRAY) {
          if (expectValue && (c === COMMA || index > 0)) {
            yield fatal('file.malformed-json', c === COMMA ? 'has a comma where an array element was expected' : 'has a comma before the closing ] of the array');
            return;
          }
          if (c === COMMA) expectValue = true;
          else arrayClosed = true;
          continue;
        }
        if (!expectValue) {
          yield fatal('file.malformed-json', 'is missing a comma between two array elements');
          return;
        }
      }
      // A value starts here.
      elementLine = line;
      start = i;
      depth = 0;
      inString = false;
      escaped = false;
      if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        element = 'container';
        depth = 1;
      } else if (c === QUOTE) {
        element = 'string';
        inString = true;
      } else element = 'scalar';
    }
    if (element !== 'none' && start >= 0) {
      const tail = chunk.subarray(start);
      bytes += tail.length;
      if (bytes > limits.maxMessageBytes) {
        oversized = true;
        pieces = [];
      } else if (!oversized) pieces.push(Buffer.from(tail)); // copied: the source may reuse its buffers
    }
  }
  if (element === 'scalar') yield finish(Buffer.alloc(0), 0, 0);
  else if (element !== 'none') {
    yield fatal('file.truncated', `ends inside the element that starts on line ${elementLine}`, elementLine);
    return;
  }
  if (mode === 'array' && !arrayClosed) yield fatal('file.truncated', 'ends before the closing ] of the array');
}
