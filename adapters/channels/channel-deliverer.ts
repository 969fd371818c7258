import type { OutboxTable } from '../../src/db/database-types.js';
import type { Selectable } from 'kysely';

/**
 * A channel's outbound side. Given outbox rows addressed to partners that use this channel, it
 * puts each where the partner will find it and says, per row, whether that worked. It must be
 * safe to call twice with the same row (a retried job): ids are stable, so a receiver can dedupe.
 */
export type OutboxRow = Selectable<OutboxTable>;

export interface DeliveryResult {
  id: string;
  ok: boolean;
  error?: string;
}

export interface ChannelDeliverer {
  readonly channel: string;
  deliver(rows: readonly OutboxRow[]): Promise<DeliveryResult[]>;
}
