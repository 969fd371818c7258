import { sql, type Kysely } from 'kysely';
import type { LoadedConfig } from '../config/load-config.js';
import type { Database } from '../db/database-types.js';
import type { HubContext } from '../hub.js';
import type { OutboxRecord } from '../ledger/ledger-types.js';
import { insertOutbox } from '../ledger/ledger-writer.js';
import { buildOutbound, outboxByChannel } from '../pipeline/outbound-envelope.js';
import type { TraceStep } from './trace-lifecycle.js';
import { statusChangedPayload, type TraceRow } from './trace-notifications.js';
import { sideRecipient } from './trace-parties.js';
import { appendEvents, updateTrace } from './trace-store.js';

/** The outbox type whose delivery moves a trace request to DELIVERED. */
export const TRACE_REQUESTED = 'trace.requested';

/**
 * SUBMITTED -> DELIVERED: the hub records that a request reached the addressee once the outbox
 * row carrying it (trace.requested) is delivered on the addressee's channel, and tells the
 * requester. Called after each delivery batch with the rows just delivered, and by the deadline
 * task for all of them (so a delivery whose follow-up step failed is still recorded). Outbox ids
 * derive from the request, so doing it twice sends nothing twice.
 */
export async function markTracesDelivered(db: Kysely<Database>, config: LoadedConfig, outboxIds: readonly string[] | 'all', now: Date = new Date()): Promise<OutboxRecord[]> {
  if (outboxIds !== 'all') {
    if (outboxIds.length === 0) return [];
    // Most deliveries are not trace requests: look before taking a transaction and locks.
    const any = await db.selectFrom('outbox').select('id').where('id', 'in', [...outboxIds]).where('type', '=', 'trace.requested').limit(1).executeTakeFirst();
    if (!any) return [];
  }
  return db.transaction().execute(async (trx) => {
    const only = outboxIds === 'all' ? sql<boolean>`true` : sql<boolean>`o.id = any(${outboxIds}::uuid[])`;
    const rows = (
      await sql<TraceRow & { outbox_delivered_at: Date | null; outbox_channel: string }>`
        select t.*, o.delivered_at as outbox_delivered_at, o.channel as outbox_channel
        from trace_requests t join outbox o on o.source_ledger_id = t.ledger_id and o.type = 'trace.requested'
        where t.status = 'SUBMITTED' and o.status in ('delivered', 'acked') and ${only}
        order by t.id
        for update of t skip locked`.execute(trx)
    ).rows;
    const outbox: OutboxRecord[] = [];
    const hub = { country: config.hub.identity.country, agency: config.hub.identity.agency };
    for (const { outbox_delivered_at: deliveredAt, outbox_channel: channel, ...row } of rows) {
      const trace = row as TraceRow;
      const at = deliveredAt ?? now;
      const step: TraceStep = { from: 'SUBMITTED', to: 'DELIVERED', by: 'hub' };
      await appendEvents(trx, trace, [{ kind: 'status', party: 'hub', actor: hub, from: 'SUBMITTED', to: 'DELIVERED', body: { channel } }], at);
      const next = await updateTrace(trx, trace, { status: 'DELIVERED', delivered_at: at }, now);
      const message = buildOutbound(config, {
        sourceLedgerId: null,
        key: `trace-delivered:${trace.id}`,
        to: sideRecipient(next, 'requester'),
        type: 'trace.status-changed',
        payload: statusChangedPayload(next, step, hub, at),
        correlationId: trace.correlation_id,
        now,
      });
      if (message) outbox.push(message);
    }
    await insertOutbox(trx, outbox);
    return outbox;
  });
}

/**
 * Run after each delivery batch: the trace requests it delivered become DELIVERED and their
 * requesters are told. A failure here must not fail the delivery (it happened); the deadline
 * task records the delivery on its next run.
 */
export async function afterTraceDeliveries(ctx: Pick<HubContext, 'db' | 'config' | 'deliverQueues' | 'log'>, deliveredOutboxIds: readonly string[]): Promise<void> {
  try {
    const outbox = await markTracesDelivered(ctx.db, ctx.config, deliveredOutboxIds);
    if (outbox.length) await ctx.deliverQueues.add(outboxByChannel(outbox));
  } catch (err) {
    ctx.log.warn({ err }, 'could not record trace requests as delivered; the deadline task will');
  }
}
