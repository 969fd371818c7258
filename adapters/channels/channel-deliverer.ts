import type { OutboxTable } from '../../src/db/database-types.js';
import type { Selectable } from 'kysely';

/**
 * A channel's outbound side. Given outbox rows addressed to partners that use this channel, it
 * puts each where the partner will find it and says, per row, whether that worked. It must be
 * safe to call twice with the same row (a retried job): ids are stable, so a receiver can dedupe.
 *
 * The rows of one call are all for one recipient country, in the order the hub wrote them, with
 * at most one row per conversation (correlation id); a deliverer that sends one at a time sends
 * them in that order.
 */
export type OutboxRow = Selectable<OutboxTable>;

export interface DeliveryResult {
  id: string;
  ok: boolean;
  error?: string;
  /**
   * The partner's endpoint as a whole could not be reached or is failing (connection refused,
   * timeout, HTTP 5xx, broker gone), as opposed to refusing this one message. Such failures
   * count towards the partner's circuit breaker, which parks its deliveries while it is down.
   */
  unreachable?: boolean;
  /**
   * The deliverer did not try this row (it gave up on the endpoint earlier in the call); the
   * row keeps its attempt count and is tried again later.
   */
  notAttempted?: boolean;
  /**
   * Trying again cannot help: the message cannot be put in the partner's format at all (a
   * character its encoding has no byte for, a type the format does not carry). The delivery is
   * dead at once, for an admin to requeue once the cause (usually configuration) is fixed.
   */
  permanent?: boolean;
}

export interface ChannelDeliverer {
  readonly channel: string;
  /** Most rows the deliverer wants per call (the hub's delivery.batchSize otherwise). */
  readonly maxBatch?: number;
  /**
   * A pull channel: the partner collects rows from the hub, so a row is delivered as soon as it
   * is visible, and the hub marks it so in the transaction that writes it (deliver() then only
   * sees rows held back while the partner was paused).
   */
  readonly pull?: boolean;
  deliver(rows: readonly OutboxRow[]): Promise<DeliveryResult[]>;
}
