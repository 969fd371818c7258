/* Generated from schemas/ by scripts/generate-message-types.ts. Do not edit: change the schema and run `npm run schemas:types`. */
/* eslint-disable */

// urn:tracehub:schema:config:hub
/**
 * Hub-wide settings (config/hub.json). Secrets and service URLs never go here: they come from the environment.
 */
export interface HubConfig {
  /**
   * How the hub names itself as the sender of the messages it originates (receipts, notifications).
   */
  identity: {
    country: string;
    agency: string;
  };
  http: {
    bodyLimitBytes: number;
    batchMaxMessages: number;
    apiKeyCacheSeconds?: number;
  };
  xml: {
    maxDepth: number;
    maxBytes: number;
  };
  pipeline: {
    /**
     * Most messages written to the ledger in one group commit.
     */
    ingestMaxBatch: number;
    /**
     * Longest a received message waits for others to share its ledger write.
     */
    ingestFlushMs: number;
    applyBatchSize: number;
    applyConcurrency: number;
    /**
     * Attempts of a transiently failing apply before its messages are dead-lettered.
     */
    attempts: number;
    /**
     * First retry delay; doubles on each attempt.
     */
    backoffMs: number;
    /**
     * A message left unfinished this long (a crash between commit and enqueue) is picked up again by the sweeper.
     */
    staleAfterSeconds: number;
    sweepIntervalSeconds: number;
  };
  delivery: {
    attempts: number;
    backoffMs: number;
  };
  retention: {
    defaultClass: string;
    /**
     * Each class is its own set of monthly ledger partitions, dropped whole when older than the class keeps.
     */
    classes: {
      [k: string]:
        | {
            months: number;
          }
        | undefined;
    };
    idempotencyWindowDays: number;
  };
  queues: {
    /**
     * Redis is not the message store; finished jobs are kept only briefly.
     */
    removeOnCompleteSeconds: number;
    removeOnFailSeconds: number;
  };
}

// urn:tracehub:schema:config:partner
/**
 * One partner country (config/partners/<CC>.json): who its NCB is, how it sends and how it wants replies.
 */
export interface PartnerConfig {
  /**
   * ISO 3166-1 alpha-2; must match the file name.
   */
  country: string;
  name: string;
  /**
   * The country's INTERPOL National Central Bureau, which approves the country's other agencies.
   */
  ncb: {
    agency: string;
    name: string;
  };
  /**
   * The channels the country sends on, each with the format adapter that reads what arrives there.
   *
   * @minItems 1
   */
  inbound: {
    channel: 'rest' | 'amqp' | 'sftp';
    format: string;
    options?: {
      [k: string]: unknown | undefined;
    };
  }[];
  /**
   * The channel and format the country wants notifications, receipts and responses on.
   */
  replies: {
    channel: 'rest' | 'amqp' | 'sftp' | 'webhook';
    format: string;
    options?: {
      [k: string]: unknown | undefined;
    };
  };
  /**
   * Which ledger retention class this country's messages are kept in; the hub's default otherwise.
   */
  retentionClass?: string;
}

// urn:tracehub:schema:envelope
/**
 * ISO 3166-1 alpha-2 country code (ZZ is the hub itself).
 *
 * This interface was referenced by `Envelope`'s JSON-Schema
 * via the `definition` "countryCode".
 */
export type CountryCode = string;

/**
 * The canonical wrapper of every message that enters or leaves the hub, whatever the channel or format it travelled in.
 */
export interface Envelope {
  /**
   * Unique per sending agency; the hub's idempotency key together with the sender.
   */
  messageId: string;
  /**
   * Message type from the hub's type registry, e.g. hub.notice.
   */
  type: string;
  sender: Party;
  sentAt: string;
  /**
   * Follows a conversation across messages; the hub assigns one when absent.
   */
  correlationId?: string;
  /**
   * messageId of the message this one answers.
   */
  inReplyTo?: string;
  payload: {};
}
/**
 * This interface was referenced by `Envelope`'s JSON-Schema
 * via the `definition` "party".
 */
export interface Party {
  country: CountryCode;
  agency: string;
}
/**
 * A country, or one agency of it; a country-wide recipient is served to its National Central Bureau.
 *
 * This interface was referenced by `Envelope`'s JSON-Schema
 * via the `definition` "recipient".
 */
export interface Recipient {
  country: CountryCode;
  agency?: string;
}

// urn:tracehub:schema:hub.notice
/**
 * A free-text notice from one agency to others (a bulletin, a request for contact). Routed to each recipient over the channel that recipient uses.
 */
export interface HubNotice {
  /**
   * @minItems 1
   * @maxItems 200
   */
  to: Recipient[];
  subject: string;
  body: string;
  priority?: 'routine' | 'urgent';
  /**
   * Serial numbers the notice is about, so the ledger can find it by serial.
   *
   * @maxItems 50
   */
  serials?: string[];
}

// urn:tracehub:schema:hub.receipt
/**
 * The hub's answer to a sender about one of its messages: accepted, applied, or rejected with every error.
 */
export interface HubReceipt {
  /**
   * The hub's id of the message the receipt is about.
   */
  ledgerId: string;
  originalMessageId?: string;
  outcome: 'applied' | 'rejected' | 'dead';
  errors?: FieldError[];
}
/**
 * This interface was referenced by `HubReceipt`'s JSON-Schema
 * via the `definition` "fieldError".
 */
export interface FieldError {
  /**
   * JSON pointer into the canonical message (RFC 6901); absent when the whole message is at fault.
   */
  pointer?: string;
  /**
   * The field as the sender wrote it, when a format adapter knows it (e.g. an XML path or a CSV column).
   */
  source?: string;
  code: string;
  message: string;
}
