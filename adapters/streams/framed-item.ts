/**
 * What a file splitter yields: one message's bytes with where it sat in the file, or a fault in
 * the file's framing (an unclosed quote, an element too large, bytes after the last element).
 * Indexes count messages from 0 in file order; lines count from 1 and point at where the message
 * (or the fault) starts, so a receipt can send the partner straight to it.
 */
export interface FramedMessage {
  kind: 'message';
  index: number;
  line: number;
  raw: Buffer;
}

export interface FramingFault {
  kind: 'fault';
  /** The message index the fault took, when it spoiled one message; absent for file-level faults. */
  index?: number;
  line: number;
  code: string;
  message: string;
  /** Nothing after a fatal fault can be framed: the rest of the file is not read. */
  fatal: boolean;
}

export type Framed = FramedMessage | FramingFault;

export interface SplitLimits {
  /** Largest single message; a larger one is reported and skipped without being buffered whole. */
  maxMessageBytes: number;
}
