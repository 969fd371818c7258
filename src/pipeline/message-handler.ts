import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/database-types.js';
import type { HubError } from '../errors/hub-error.js';
import type { Envelope, Party, Recipient } from '../messages/generated-types.js';

/**
 * What a domain module plugs into the pipeline: one handler per inbound message type. A handler
 * runs inside the apply transaction; whatever it writes, and every message it routes, commits
 * together or not at all. It throws HubError for input at fault (the message is rejected and the
 * sender told) and anything else for trouble that may pass (retried, then dead-lettered).
 */
export interface MessageHandler<P = Record<string, unknown>> {
  readonly type: string;
  /** One message at a time; throw HubError to reject it. */
  apply?(ctx: ApplyContext, message: InboundMessage<P>): Promise<void>;
  /**
   * Set-based variant for bulk loads: many messages of this type in one go (a whole apply batch,
   * in arrival order). Returns the messages it rejects, each with its reason; it must not have
   * written anything for those. When present it is used instead of `apply`.
   */
  applyMany?(ctx: ApplyContext, messages: readonly InboundMessage<P>[]): Promise<Map<string, HubError>>;
}

export interface InboundMessage<P> {
  /** The hub's id for this message (the ledger row). */
  ledgerId: string;
  receivedAt: Date;
  channel: string;
  envelope: Envelope & { payload: P };
}

export interface RouteOptions {
  /** The inbound message this one results from; required from applyMany, implied in apply. */
  source?: string;
  /** Defaults to the hub's own identity. */
  sender?: Party;
  /** The message this one answers; defaults to the inbound message. */
  inReplyTo?: string;
}

export interface ApplyContext {
  readonly trx: Transaction<Database>;
  readonly log: Logger;
  readonly now: Date;
  /** Sends a message to a country (or one of its agencies) over the channel it wants replies on. */
  route(to: Recipient, type: string, payload: Record<string, unknown>, options?: RouteOptions): void;
  /** Whether the hub knows this country as a partner. */
  isPartner(country: string): boolean;
  /** The agency code of a partner country's National Central Bureau. */
  ncbOf(country: string): string | undefined;
  /**
   * Work to do once the transaction has committed, outside it (bookkeeping that must not hold
   * row locks for the length of the apply). Dropped if the transaction rolls back; a failure is
   * logged, not retried.
   */
  afterCommit(task: (db: Kysely<Database>) => Promise<void>): void;
}
