import type { FieldError } from '../../src/messages/generated-types.js';
import type { SchemaCatalog } from '../../src/messages/schema-catalog.js';
import { hasUnstorableText, isStorableDateTime } from '../../src/messages/storable-content.js';

/**
 * A format adapter translates between the bytes a partner sends or wants and the canonical
 * envelope. It only translates: it never decides whether a message is acceptable (that is schema
 * validation) or what it means (that is the handlers).
 */
export interface FormatAdapter {
  /** Name used in partner configuration (`inbound[].format`, `replies.format`). */
  readonly name: string;
  /** Media types this format arrives as, first one preferred for output. */
  readonly mediaTypes: readonly string[];
  /** Bytes -> canonical envelope (not yet validated), or the errors that stopped translation. */
  normalise(raw: Buffer, context: AdapterContext): NormaliseOutcome;
  /** Canonical envelope -> bytes in this format. */
  render(envelope: unknown, context: AdapterContext): Buffer;
  /**
   * The message types render() can put in this format; absent, every type. A format made for one
   * national record layout cannot carry the hub's replies, so the hub refuses it at start as a
   * partner's replies.format instead of letting every delivery to the partner die.
   */
  readonly renders?: readonly string[];
  /**
   * How a file holding many messages in this format is framed (SFTP drops): where one message
   * ends and the next begins, and how a batch of rendered messages is joined into one file.
   */
  readonly file?: FileFormat;
  /**
   * The field as the sender writes it for a pointer into the canonical message
   * ('/payload/firearm/make' -> the CSV column 'Make'), so that validation errors can name it.
   * `raw`, the bytes normalised (the same Buffer), lets a format that reads a field from one of
   * several elements name the one this message had.
   */
  sourceOf?(pointer: string, raw?: Buffer): string | undefined;
}

/** File framing of a format: JSON (NDJSON lines or a JSON array), CSV rows, or XML elements. */
export type FileFormat =
  | { framing: 'json'; extension: string }
  | { framing: 'csv'; extension: string; quote: string; delimiter?: string; header: boolean }
  | {
      framing: 'xml';
      extension: string;
      /** Local names of the element that is one message; any other root holds a batch of them. */
      messageElements: readonly string[];
      /** The batch root a file of several rendered messages is wrapped in. */
      batchRoot: { name: string; namespaces: Readonly<Record<string, string>> };
    };

export interface AdapterContext {
  catalog: SchemaCatalog;
  /** The payload schema $id for a message type, when the type is registered. */
  payloadSchemaId(type: string): string | undefined;
  limits: { xmlMaxDepth: number; xmlMaxBytes: number };
  /**
   * Who the channel authenticated the bytes as coming from. Formats without an envelope of their
   * own (CSV rows, NIEM documents) take the envelope's sender from here.
   */
  sender?: { country: string | null; agency: string | null };
  /** When the hub received the bytes: the sentAt of formats that carry none. */
  receivedAt?: Date;
  /** The media type the bytes came with; its charset parameter, if any, names their encoding. */
  contentType?: string;
  /**
   * Where in a partner's file the bytes are (SFTP). A format that names its messages from their
   * content names a file's row from this instead: the same row in a later file is a new message
   * (a record changed back to what it was), and the same place in the same file the same one.
   */
  origin?: { fileId: string; index: number };
}

export type NormaliseOutcome = { ok: true; envelope: unknown } | { ok: false; errors: FieldError[] };

/**
 * Best-effort reading of a few envelope fields from whatever an adapter produced, for indexing.
 * They go into the ledger's columns even when the message is rejected, so only values the
 * database can take: no text it cannot hold, only a date it can.
 */
export function envelopeHeader(envelope: unknown): { messageId?: string; type?: string; correlationId?: string; sentAt?: string } {
  if (!envelope || typeof envelope !== 'object') return {};
  const e = envelope as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v.length <= 256 && !hasUnstorableText(v) ? v : undefined);
  const out: { messageId?: string; type?: string; correlationId?: string; sentAt?: string } = {};
  const messageId = str(e.messageId);
  const type = str(e.type);
  const correlationId = str(e.correlationId);
  const sentAt = str(e.sentAt);
  if (messageId) out.messageId = messageId;
  if (type) out.type = type;
  if (correlationId) out.correlationId = correlationId;
  if (sentAt && isStorableDateTime(sentAt)) out.sentAt = sentAt;
  return out;
}
