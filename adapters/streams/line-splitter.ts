import { withoutByteOrderMark } from './byte-order-mark.js';
import type { Framed, SplitLimits } from './framed-item.js';

const LF = 0x0a;
const CR = 0x0d;

function isBlank(b: Buffer): boolean {
  for (const c of b) if (c !== 0x20 && c !== 0x09 && c !== CR) return false;
  return true;
}

/**
 * NDJSON framing: one message per line, blank lines ignored, CRLF accepted. Only the line being
 * read is held in memory, and a line longer than the limit is skipped as it streams (reported as
 * a fault taking that message's place) rather than gathered whole.
 */
export async function* splitLines(source: AsyncIterable<Buffer>, limits: SplitLimits): AsyncGenerator<Framed> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let oversized = false;
  let line = 1;
  let startLine = 1;
  let index = 0;

  function* finishLine(last: Buffer): Generator<Framed> {
    if (oversized) {
      yield { kind: 'fault', index: index++, line: startLine, code: 'file.message-too-large', message: `line is longer than ${limits.maxMessageBytes} bytes`, fatal: false };
    } else {
      const raw = pending.length ? Buffer.concat([...pending, last]) : last;
      const body = raw.length && raw[raw.length - 1] === CR ? raw.subarray(0, raw.length - 1) : raw;
      if (!isBlank(body)) yield { kind: 'message', index: index++, line: startLine, raw: Buffer.from(body) };
    }
    pending = [];
    pendingBytes = 0;
    oversized = false;
  }

  for await (const chunk of withoutByteOrderMark(source)) {
    let from = 0;
    for (let nl = chunk.indexOf(LF, from); nl !== -1; nl = chunk.indexOf(LF, from)) {
      const piece = chunk.subarray(from, nl);
      if (!oversized && pendingBytes + piece.length > limits.maxMessageBytes) oversized = true;
      yield* finishLine(oversized ? Buffer.alloc(0) : piece);
      from = nl + 1;
      line += 1;
      startLine = line;
    }
    const rest = chunk.subarray(from);
    if (rest.length && !oversized) {
      if (pendingBytes + rest.length > limits.maxMessageBytes) {
        oversized = true;
        pending = [];
        pendingBytes = 0;
      } else {
        // Copied: the source may reuse its chunk buffers.
        pending.push(Buffer.from(rest));
        pendingBytes += rest.length;
      }
    }
  }
  if (pendingBytes || oversized) yield* finishLine(Buffer.alloc(0));
}
