import type { MessageStatus } from '../db/database-types.js';
import type { FieldError } from '../messages/generated-types.js';

export type LedgerEventName =
  | 'received'
  | 'normalised'
  | 'validated'
  | 'applied'
  | 'rejected'
  | 'failed'
  | 'dead'
  | 'duplicate'
  | 'replayed'
  | 'paused'
  | 'deferred'
  | 'delivered';

export type LedgerStage = 'intake' | 'normalise' | 'validate' | 'apply' | 'deliver' | 'admin';

export interface LedgerEvent {
  stage: LedgerStage;
  event: LedgerEventName;
  at: Date;
  reason?: string;
  detail?: unknown;
  actor?: string;
}

/** A message as it goes into the ledger: raw bytes plus whatever intake learnt about it. */
export interface LedgerEntry {
  id: string;
  retentionClass: string;
  receivedAt: Date;
  channel: string;
  format: string;
  contentType: string;
  senderCountry: string | null;
  senderAgency: string | null;
  raw: Buffer;
  sha256: Buffer;
  /**
   * The content key the ledger recognises a repeat by, when it is not the bytes' sha256: a row of a
   * partner's file is the same message as another only at the same place in the same file (a later
   * export may carry a row with the bytes of an earlier one, e.g. a record changed back).
   */
  dedupSha256?: Buffer;
  messageId?: string | undefined;
  type?: string | undefined;
  correlationId?: string | undefined;
  sentAt?: string | undefined;
  businessKeys: string[];
  envelope?: unknown;
  /** 'applied' only when the handlers ran in the storing transaction (apply at intake). */
  status: Extract<MessageStatus, 'received' | 'validated' | 'applied' | 'rejected'>;
  errors?: FieldError[] | undefined;
  events: LedgerEvent[];
  /** Messages to write to the outbox with the entry (rejection receipts). */
  outbox: OutboxRecord[];
  replayOf?: string | undefined;
  fileId?: string | undefined;
  fileIndex?: number | undefined;
}

export interface OutboxRecord {
  id: string;
  /** The inbound message that caused it; null for messages the hub originates (reminders). */
  sourceLedgerId: string | null;
  correlationId: string | null;
  recipientCountry: string;
  recipientAgency: string | null;
  channel: string;
  format: string;
  type: string;
  envelope: Record<string, unknown>;
}

export type StoreOutcome =
  | { stored: true }
  /** originalStatus is null when the original's partition has been dropped by retention. */
  | { stored: false; duplicateOf: string; reason: 'message-id' | 'content'; originalStatus: MessageStatus | null };
