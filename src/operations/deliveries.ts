import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DeliverQueues } from '../../queues/deliver.queue.js';
import type { LoadedConfig } from '../config/load-config.js';
import type { CircuitState, Database, OutboxStatus } from '../db/database-types.js';
import { bigintCursor } from './audit-log.js';
import { outboxByChannel } from '../pipeline/outbound-envelope.js';

/**
 * What admins see of outbound deliveries and what they can do about them: list them with their
 * attempts, last error and next attempt; send dead or failed ones again (one, many, or all that
 * match a filter), audited; see each partner's circuit breaker and ask for a probe now.
 */
export interface DeliveryFilter {
  status?: OutboxStatus;
  country?: string;
  channel?: string;
  type?: string;
  correlationId?: string;
  sourceLedgerId?: string;
  from?: Date;
  to?: Date;
  /** Cursor: the seq of the last item of the previous page (newest first). */
  before?: string;
  limit: number;
}

export interface DeliveryView {
  id: string;
  seq: string;
  sourceLedgerId: string | null;
  correlationId: string | null;
  type: string;
  recipient: { country: string; agency: string | null };
  channel: string;
  format: string;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
  ackedAt: string | null;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

function filtered(db: Kysely<Database>, f: Omit<DeliveryFilter, 'limit' | 'before'>) {
  let q = db.selectFrom('outbox');
  if (f.status) q = q.where('status', '=', f.status);
  if (f.country) q = q.where('recipient_country', '=', f.country);
  if (f.channel) q = q.where('channel', '=', f.channel);
  if (f.type) q = q.where('type', '=', f.type);
  if (f.correlationId) q = q.where('correlation_id', '=', f.correlationId);
  if (f.sourceLedgerId) q = q.where('source_ledger_id', '=', f.sourceLedgerId);
  if (f.from) q = q.where('created_at', '>=', f.from);
  if (f.to) q = q.where('created_at', '<', f.to);
  return q;
}

export async function findDeliveries(db: Kysely<Database>, f: DeliveryFilter): Promise<DeliveryView[]> {
  let q = filtered(db, f).selectAll();
  if (f.before) q = q.where('seq', '<', bigintCursor(f.before));
  const rows = await q.orderBy('seq', 'desc').limit(f.limit).execute();
  return rows.map((r) => ({
    id: r.id,
    seq: r.seq,
    sourceLedgerId: r.source_ledger_id,
    correlationId: r.correlation_id,
    type: r.type,
    recipient: { country: r.recipient_country, agency: r.recipient_agency },
    channel: r.channel,
    format: r.format,
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
    lastAttemptAt: iso(r.last_attempt_at),
    nextAttemptAt: iso(r.next_attempt_at),
    createdAt: iso(r.created_at)!,
    deliveredAt: iso(r.delivered_at),
    ackedAt: iso(r.acked_at),
  }));
}

export const REQUEUEABLE = ['dead', 'failed'] as const;

export interface RequeueResult {
  requeued: { id: string; channel: string; country: string }[];
  /** Rows that cannot be sent again, and why (their recipient is no partner any more); left as they were. */
  notRequeued: { id: string; reason: string }[];
  /** A filter matched more rows than its limit: the same request again takes the next ones. */
  more: boolean;
}

/**
 * Sends dead or failed deliveries again from the start (attempts 0, due now), over the channel and
 * in the format their recipient takes replies in now: a partner that moved its replies (a webhook
 * that never answered, replaced by the REST inbox) gets them where it reads them, not where they
 * failed. Only those still dead or failed are touched, so pressing twice requeues once. The change
 * and the audit entry commit together; the jobs are queued after (the sweeper finds the rows should
 * that fail).
 */
export async function requeueDeliveries(
  deps: { db: Kysely<Database>; config: LoadedConfig; deliverQueues: DeliverQueues; log: Logger },
  target: { ids: readonly string[] } | { filter: Omit<DeliveryFilter, 'before'> },
  actor: string,
  reason: string,
): Promise<RequeueResult> {
  if ('ids' in target && target.ids.length === 0) return { requeued: [], notRequeued: [], more: false };
  const result = await deps.db.transaction().execute(async (trx): Promise<RequeueResult> => {
    const q = 'ids' in target ? trx.selectFrom('outbox').where('id', 'in', [...target.ids]) : filtered(trx, target.filter);
    const limit = 'ids' in target ? target.ids.length : target.filter.limit;
    // One row past the limit tells whether there are more.
    const found = await q.select(['id', 'recipient_country']).where('status', 'in', [...REQUEUEABLE]).orderBy('seq').limit(limit + 1).forUpdate().execute();
    const more = found.length > limit;
    const requeued: RequeueResult['requeued'] = [];
    const notRequeued: RequeueResult['notRequeued'] = [];
    for (const row of found.slice(0, limit)) {
      const replies = deps.config.partners.get(row.recipient_country)?.replies;
      if (!replies) {
        notRequeued.push({ id: row.id, reason: `${row.recipient_country} is not a partner country any more; there is no channel to send it on` });
        continue;
      }
      requeued.push({ id: row.id, channel: replies.channel, country: row.recipient_country });
    }
    // Partners are few: one update per recipient country.
    const byCountry = new Map<string, string[]>();
    for (const r of requeued) byCountry.set(r.country, [...(byCountry.get(r.country) ?? []), r.id]);
    for (const [country, ids] of byCountry) {
      const { channel, format } = deps.config.partners.get(country)!.replies;
      await trx.updateTable('outbox').set({ status: 'pending', attempts: 0, next_attempt_at: null, channel, format }).where('id', 'in', ids).execute();
    }
    if (requeued.length) {
      await trx.insertInto('audit_log').values({ actor, action: 'delivery.requeue', target: null, detail: JSON.stringify({ ids: requeued.map((r) => r.id), reason }) }).execute();
    }
    return { requeued, notRequeued, more };
  });
  await deps.deliverQueues.add(outboxByChannel(result.requeued)).catch((err: unknown) => deps.log.warn({ err, count: result.requeued.length }, 'requeued deliveries not queued; the sweeper will pick them up'));
  if (result.requeued.length) deps.log.info({ actor, count: result.requeued.length, reason }, 'deliveries requeued');
  if (result.notRequeued.length) deps.log.warn({ actor, notRequeued: result.notRequeued }, 'deliveries left dead: their recipient has no reply channel');
  return result;
}

export interface LaneView {
  channel: string;
  country: string;
  circuit: CircuitState;
  /** Consecutive rounds in which the endpoint could not be reached. */
  failures: number;
  openedAt: string | null;
  /** When an open circuit lets one probe through. */
  retryAt: string | null;
  lastError: string | null;
  lastFailureAt: string | null;
  lastSuccessAt: string | null;
  leased: boolean;
  waiting: number;
  dead: number;
}

/** Every partner lane the hub has delivered on, with its circuit and what waits in it. */
export async function listLanes(db: Kysely<Database>, f: { channel?: string; country?: string; circuit?: CircuitState } = {}): Promise<LaneView[]> {
  const rows = await sql<{
    channel: string; country: string; circuit: CircuitState; failures: number; opened_at: Date | null; retry_at: Date | null; last_error: string | null;
    last_failure_at: Date | null; last_success_at: Date | null; leased: boolean; waiting: number; dead: number;
  }>`
    select l.channel, l.country, l.circuit, l.failures, l.opened_at, l.retry_at, l.last_error, l.last_failure_at, l.last_success_at,
      (l.lease_until is not null and l.lease_until > now()) as leased,
      (select count(*)::int from outbox o where o.channel = l.channel and o.recipient_country = l.country and o.status in ('pending','failed')) as waiting,
      (select count(*)::int from outbox o where o.channel = l.channel and o.recipient_country = l.country and o.status = 'dead') as dead
    from delivery_lanes l
    where (${f.channel ?? null}::text is null or l.channel = ${f.channel ?? null})
      and (${f.country ?? null}::text is null or l.country = ${f.country ?? null})
      and (${f.circuit ?? null}::text is null or l.circuit = ${f.circuit ?? null})
    order by l.channel, l.country`.execute(db);
  return rows.rows.map((r) => ({
    channel: r.channel,
    country: r.country,
    circuit: r.circuit,
    failures: r.failures,
    openedAt: iso(r.opened_at),
    retryAt: iso(r.retry_at),
    lastError: r.last_error,
    lastFailureAt: iso(r.last_failure_at),
    lastSuccessAt: iso(r.last_success_at),
    leased: r.leased,
    waiting: r.waiting,
    dead: r.dead,
  }));
}

/**
 * Lets an open circuit's probe through now: the rows it parked (they wait for exactly its retry
 * time) become due and so does the circuit. False when the lane's circuit is not open.
 */
async function openForProbe(trx: Kysely<Database>, channel: string, country: string): Promise<boolean> {
  const lane = (await sql<{ retry_at: Date | null }>`select retry_at from delivery_lanes where channel = ${channel} and country = ${country} and circuit = 'open' for update`.execute(trx)).rows[0];
  if (!lane?.retry_at) return false;
  await sql`update outbox set next_attempt_at = now()
    where channel = ${channel} and recipient_country = ${country} and status in ('pending','failed') and next_attempt_at = ${lane.retry_at}`.execute(trx);
  // Milliseconds, as every other time the stage writes: parked rows are matched to it exactly.
  await sql`update delivery_lanes set retry_at = date_trunc('milliseconds', now()), updated_at = now() where channel = ${channel} and country = ${country}`.execute(trx);
  return true;
}

/**
 * "The partner says it is back": an open circuit's probe is let through now instead of at its
 * retry time, and the lane is queued. A closed circuit is only queued.
 */
export async function probeLane(
  deps: { db: Kysely<Database>; deliverQueues: DeliverQueues },
  channel: string,
  country: string,
  actor: string,
): Promise<LaneView | undefined> {
  const found = await deps.db.transaction().execute(async (trx) => {
    const wasOpen = await openForProbe(trx, channel, country);
    const exists = await trx.selectFrom('delivery_lanes').select('country').where('channel', '=', channel).where('country', '=', country).executeTakeFirst();
    if (!exists) return false;
    await trx.insertInto('audit_log').values({ actor, action: 'delivery.probe', target: `${channel}/${country}`, detail: JSON.stringify({ wasOpen }) }).execute();
    return true;
  });
  if (!found) return undefined;
  await deps.deliverQueues.wake(channel, country, new Date());
  return (await listLanes(deps.db, { channel, country }))[0];
}

/**
 * The channel's own way to the partners is back (the broker connection was re-established): every
 * lane whose circuit it opened probes now rather than at its retry time. Returns those countries.
 */
export async function resumeChannel(deps: { db: Kysely<Database>; deliverQueues: DeliverQueues }, channel: string): Promise<string[]> {
  const open = await deps.db.selectFrom('delivery_lanes').select('country').where('channel', '=', channel).where('circuit', '=', 'open').execute();
  const resumed: string[] = [];
  for (const { country } of open) {
    if (await deps.db.transaction().execute((trx) => openForProbe(trx, channel, country))) resumed.push(country);
  }
  for (const country of resumed) await deps.deliverQueues.wake(channel, country, new Date());
  return resumed;
}
