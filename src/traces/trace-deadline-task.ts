import type { Queue } from 'bullmq';
import { sql, type Kysely } from 'kysely';
import type { LoadedConfig } from '../config/load-config.js';
import type { Database } from '../db/database-types.js';
import type { OutboxRecord } from '../ledger/ledger-types.js';
import { insertOutbox } from '../ledger/ledger-writer.js';
import type { HubContext } from '../hub.js';
import { buildOutbound, outboxByChannel } from '../pipeline/outbound-envelope.js';
import { markTracesDelivered } from './trace-delivery.js';
import { deadlinePayload, type TraceRow } from './trace-notifications.js';
import { sideRecipient } from './trace-parties.js';
import { appendEvents, updateTrace } from './trace-store.js';

/**
 * Reminders and OVERDUE flags of trace requests. All state is in PostgreSQL (each request's due
 * and reminder instants, and whether each was acted on), so the task is idempotent and catches up
 * after any downtime: whatever is due at `now` and not yet done is done, once. What makes it
 * punctual is BullMQ: after each run the task puts one delayed job in the maintenance queue for
 * the next instant any request falls due, and a job scheduler runs it every
 * `traces.deadlineCheckSeconds` as well (which also notices requests submitted since). Both live
 * in Redis and survive restarts of the hub; if Redis itself lost them, the next scheduled run
 * still finds everything due in PostgreSQL.
 *
 * A reminder goes to the addressee, who must act; an overdue notice goes to both sides. `now` is
 * a parameter so tests control the clock.
 */
export type DeadlineKind = 'acknowledgement' | 'response';

interface Due {
  kind: DeadlineKind;
  phase: 'reminder' | 'overdue';
  owes: readonly string[];
  at: 'ack_remind_at' | 'ack_due_at' | 'response_remind_at' | 'response_due_at';
  done: 'ack_reminded_at' | 'ack_overdue_at' | 'response_reminded_at' | 'response_overdue_at';
  due: 'ack_due_at' | 'response_due_at';
}

const OWES_ACK = ['SUBMITTED', 'DELIVERED'];
const OWES_RESPONSE = ['SUBMITTED', 'DELIVERED', 'ACKNOWLEDGED', 'IN_PROGRESS'];

const DUES: readonly Due[] = [
  { kind: 'acknowledgement', phase: 'reminder', owes: OWES_ACK, at: 'ack_remind_at', done: 'ack_reminded_at', due: 'ack_due_at' },
  { kind: 'acknowledgement', phase: 'overdue', owes: OWES_ACK, at: 'ack_due_at', done: 'ack_overdue_at', due: 'ack_due_at' },
  { kind: 'response', phase: 'reminder', owes: OWES_RESPONSE, at: 'response_remind_at', done: 'response_reminded_at', due: 'response_due_at' },
  { kind: 'response', phase: 'overdue', owes: OWES_RESPONSE, at: 'response_due_at', done: 'response_overdue_at', due: 'response_due_at' },
];

/** Most requests handled per kind in one run; more are left for the run that follows at once. */
const BATCH = 500;

export interface DeadlineRun {
  reminded: number;
  overdue: number;
  delivered: number;
  outbox: OutboxRecord[];
  /** The next instant a request falls due for something; null when none is open. */
  nextWakeup: Date | null;
}

export async function runTraceDeadlines(db: Kysely<Database>, config: LoadedConfig, now: Date = new Date()): Promise<DeadlineRun> {
  const delivered = await markTracesDelivered(db, config, 'all', now);
  const hub = { country: config.hub.identity.country, agency: config.hub.identity.agency };
  let full = false;
  const result = await db.transaction().execute(async (trx) => {
    const outbox: OutboxRecord[] = [];
    let reminded = 0;
    let overdue = 0;
    for (const d of DUES) {
      const t = sql.ref;
      // A reminder that comes after its due date is pointless: the overdue notice says it all.
      const stillAhead = d.phase === 'reminder' ? sql`and ${t(d.due)} > ${now}` : sql``;
      const rows = (
        await sql<TraceRow>`
          select * from trace_requests
          where status = any(${d.owes}::text[]) and ${t(d.at)} <= ${now} and ${t(d.done)} is null ${stillAhead}
          order by ${t(d.at)}, id
          limit ${BATCH}
          for update skip locked`.execute(trx)
      ).rows;
      if (rows.length === BATCH) full = true;
      for (const trace of rows) {
        await appendEvents(trx, trace, [{ kind: d.phase === 'reminder' ? 'reminder' : 'overdue', party: 'hub', actor: hub, body: { deadline: d.kind, dueAt: trace[d.due].toISOString() } }], now);
        const next = await updateTrace(trx, trace, { [d.done]: now }, now);
        const sides = d.phase === 'reminder' ? (['addressee'] as const) : (['addressee', 'requester'] as const);
        for (const side of sides) {
          const message = buildOutbound(config, {
            sourceLedgerId: null,
            key: `trace-deadline:${trace.id}:${d.kind}:${d.phase}:${side}`,
            to: sideRecipient(next, side),
            type: 'trace.deadline',
            payload: deadlinePayload(next, d.kind, d.phase),
            correlationId: trace.correlation_id,
            now,
          });
          if (message) outbox.push(message);
        }
        if (d.phase === 'reminder') reminded++;
        else overdue++;
      }
    }
    await insertOutbox(trx, outbox);
    return { outbox, reminded, overdue };
  });
  const nextWakeup = full ? now : await nextDeadline(db, now);
  return { ...result, delivered: delivered.length, outbox: [...delivered, ...result.outbox], nextWakeup };
}

/** The earliest instant after `now` at which an open request falls due for a reminder or a flag. */
export async function nextDeadline(db: Kysely<Database>, now: Date): Promise<Date | null> {
  const parts = DUES.map((d) => {
    const t = sql.ref;
    const stillAhead = d.phase === 'reminder' ? sql`and ${t(d.due)} > ${now}` : sql``;
    return sql`(select min(${t(d.at)}) as at from trace_requests where status = any(${d.owes}::text[]) and ${t(d.done)} is null and ${t(d.at)} > ${now} ${stillAhead})`;
  });
  const r = await sql<{ at: Date | null }>`select min(at) as at from (${sql.join(parts, sql` union all `)}) as x`.execute(db);
  return r.rows[0]?.at ?? null;
}

/**
 * Puts a delayed job in the maintenance queue for the next due instant. Its id is the instant, so
 * however many runs ask for the same instant there is one job, and it survives restarts in Redis.
 */
export async function scheduleWakeup(queue: Queue, at: Date | null, now: number = Date.now()): Promise<void> {
  if (!at) return;
  const ms = at.getTime();
  await queue.add('trace-deadlines', {}, { jobId: `trace-deadlines-${ms}`, delay: Math.max(0, ms - now), removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } });
}

/** The maintenance task: run the deadlines at `now`, queue what they send, and wake up for the next one. */
export async function runTraceDeadlineTask(ctx: Pick<HubContext, 'db' | 'config' | 'deliverQueues' | 'maintenanceQueue' | 'log'>, now: Date = new Date()): Promise<Omit<DeadlineRun, 'outbox'> & { queued: number }> {
  const run = await runTraceDeadlines(ctx.db, ctx.config, now);
  await ctx.deliverQueues.add(outboxByChannel(run.outbox));
  await scheduleWakeup(ctx.maintenanceQueue.queue, run.nextWakeup);
  if (run.reminded || run.overdue || run.delivered) ctx.log.info({ reminded: run.reminded, overdue: run.overdue, delivered: run.delivered, nextWakeup: run.nextWakeup }, 'trace deadlines');
  return { reminded: run.reminded, overdue: run.overdue, delivered: run.delivered, nextWakeup: run.nextWakeup, queued: run.outbox.length };
}
