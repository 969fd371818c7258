import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AttemptInfo } from '../../queues/apply.queue.js';
import type { LoadedConfig } from '../config/load-config.js';
import type { Database } from '../db/database-types.js';
import { classifyFailure, describeError } from '../errors/failure-class.js';
import { HubError } from '../errors/hub-error.js';
import { uuidv7Time } from '../ids/uuidv7.js';
import type { OutboxRecord } from '../ledger/ledger-types.js';
import { insertOutbox } from '../ledger/ledger-writer.js';
import type { Envelope, FieldError } from '../messages/generated-types.js';
import type { HubMetrics } from '../observability/hub-metrics.js';
import type { HandlerRegistry } from './handler-registry.js';
import type { ApplyContext } from './message-handler.js';
import { buildOutbound, rejectionReceipt } from './outbound-envelope.js';
import { pausedCountries } from '../operations/partner-controls.js';

/**
 * The apply stage. A batch of validated messages is applied in one transaction: the rows are
 * locked (FOR UPDATE SKIP LOCKED) and only those still 'validated' are applied, so a job that
 * runs twice, or two jobs holding the same id, apply each message once. Handler writes, outbox
 * rows, status changes and lineage events commit together.
 *
 * A handler that rejects one message (HubError) aborts the transaction; that message is rejected
 * on its own and the rest of the batch is applied again without it. Any other failure fails the
 * whole job, which BullMQ retries with backoff; after the last attempt the messages are dead.
 */
export interface ApplyDeps {
  db: Kysely<Database>;
  config: LoadedConfig;
  handlers: HandlerRegistry;
  log: Logger;
  metrics: HubMetrics;
}

export interface ApplyOutcome {
  applied: string[];
  rejected: string[];
  /** Left for later: sender paused, or locked by another job. */
  skipped: string[];
  /** Outbox ids to deliver, by channel. */
  deliveries: Map<string, string[]>;
}

interface Row {
  id: string;
  retention_class: string;
  received_at: Date;
  channel: string;
  sender_country: string | null;
  sender_agency: string | null;
  message_id: string | null;
  correlation_id: string | null;
  envelope: Envelope;
}

class RejectOne extends Error {
  constructor(
    readonly row: Row,
    override readonly cause: HubError,
  ) {
    super(cause.message);
  }
}

/** Time bounds of a set of v7 ids, so the lookup touches only the partitions that can hold them. */
function timeBounds(ids: readonly string[]): { from: Date; to: Date } {
  const times = ids.map((id) => uuidv7Time(id).getTime());
  return { from: new Date(Math.min(...times)), to: new Date(Math.max(...times)) };
}

export async function applyMessages(deps: ApplyDeps, ids: readonly string[], attempt: AttemptInfo): Promise<ApplyOutcome> {
  const outcome: ApplyOutcome = { applied: [], rejected: [], skipped: [], deliveries: new Map() };
  let remaining = [...ids];
  for (let round = 0; remaining.length && round <= ids.length; round++) {
    try {
      const done = await deps.metrics.time('apply', () => applyOnce(deps, remaining));
      outcome.applied.push(...done.applied);
      outcome.skipped.push(...done.skipped);
      for (const r of done.outbox) outcome.deliveries.set(r.channel, [...(outcome.deliveries.get(r.channel) ?? []), r.id]);
      deps.metrics.messages.inc({ stage: 'apply', outcome: 'applied' }, done.applied.length);
      return outcome;
    } catch (err) {
      if (err instanceof RejectOne) {
        const receipt = await rejectAtApply(deps, err.row, err.cause);
        if (receipt) outcome.deliveries.set(receipt.channel, [...(outcome.deliveries.get(receipt.channel) ?? []), receipt.id]);
        outcome.rejected.push(err.row.id);
        deps.metrics.messages.inc({ stage: 'apply', outcome: 'rejected' });
        remaining = remaining.filter((id) => id !== err.row.id);
        continue;
      }
      await recordFailure(deps, remaining, err, attempt);
      throw err;
    }
  }
  return outcome;
}

async function applyOnce(deps: ApplyDeps, ids: string[]): Promise<{ applied: string[]; skipped: string[]; outbox: OutboxRecord[] }> {
  const { db, config, handlers, log } = deps;
  const { from, to } = timeBounds(ids);
  return db.transaction().execute(async (trx) => {
    const rows = (
      await sql<Row>`
        select id, retention_class, received_at, channel, sender_country, sender_agency, message_id, correlation_id, envelope
        from ledger_messages
        where id = any(${ids}::uuid[]) and received_at between ${from} and ${to} and status = 'validated'
        order by id
        for update skip locked`.execute(trx)
    ).rows;
    const paused = await pausedCountries(trx);
    const now = new Date();
    const applied: string[] = [];
    const skipped: string[] = ids.filter((id) => !rows.some((r) => r.id === id));
    const outbox: OutboxRecord[] = [];
    const pausedRows: Row[] = [];
    for (const row of rows) {
      if (row.sender_country && paused.has(row.sender_country)) {
        pausedRows.push(row);
        skipped.push(row.id);
        continue;
      }
      const handler = handlers.get(row.envelope.type);
      const msgLog = log.child({ correlationId: row.correlation_id, ledgerId: row.id, type: row.envelope.type });
      if (!handler) throw new Error(`no handler for ${row.envelope.type}`);
      let seq = 0;
      const ctx: ApplyContext = {
        trx,
        log: msgLog,
        now,
        isPartner: (country) => config.partners.has(country),
        route(recipient, type, payload, options) {
          const record = buildOutbound(config, {
            sourceLedgerId: row.id,
            key: `${seq++}`,
            to: recipient,
            type,
            payload,
            sender: options?.sender,
            correlationId: row.correlation_id,
            inReplyTo: options?.inReplyTo ?? row.message_id ?? undefined,
            now,
          });
          if (!record) throw new HubError('VALIDATION_FAILED', `${recipient.country} is not a partner country of the hub`);
          outbox.push(record);
        },
      };
      try {
        await handler.apply(ctx, { ledgerId: row.id, receivedAt: row.received_at, channel: row.channel, envelope: row.envelope as never });
      } catch (err) {
        if (err instanceof HubError && classifyFailure(err) === 'permanent') throw new RejectOne(row, err);
        throw err;
      }
      msgLog.debug('applied');
      applied.push(row.id);
    }
    await insertOutbox(trx, outbox);
    const done = rows.filter((r) => applied.includes(r.id));
    if (done.length) {
      await sql`update ledger_messages set status = 'applied', updated_at = now(), last_error = null
        where id = any(${done.map((r) => r.id)}::uuid[]) and received_at between ${from} and ${to}`.execute(trx);
      await insertEvents(trx, done, 'apply', 'applied', null, (r) => ({ outbound: outbox.filter((o) => o.sourceLedgerId === r.id).length }));
    }
    if (pausedRows.length) await insertEvents(trx, pausedRows, 'apply', 'paused', 'sender is paused; applied when resumed', () => null);
    return { applied, skipped, outbox };
  });
}

async function insertEvents(
  db: Kysely<Database>,
  rows: readonly Pick<Row, 'id' | 'retention_class' | 'received_at'>[],
  stage: string,
  event: string,
  reason: string | null,
  detail: (r: Pick<Row, 'id' | 'retention_class' | 'received_at'>) => unknown,
): Promise<void> {
  await sql`
    insert into ledger_events (message_id, retention_class, message_received_at, stage, event, reason, detail)
    select id, cls, rat, ${stage}, ${event}, ${reason}, d::jsonb
    from unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.retention_class)}::text[], ${rows.map((r) => r.received_at)}::timestamptz[],
                ${rows.map((r) => JSON.stringify(detail(r)))}::text[]) as t(id, cls, rat, d)`.execute(db);
}

async function rejectAtApply(deps: ApplyDeps, row: Row, cause: HubError): Promise<OutboxRecord | undefined> {
  const errors: FieldError[] = cause.errors.length ? [...cause.errors] : [{ code: cause.code.toLowerCase(), message: cause.message }];
  const receipt = rejectionReceipt(deps.config, {
    ledgerId: row.id,
    sender: { country: row.sender_country, agency: row.sender_agency },
    messageId: row.message_id ?? undefined,
    correlationId: row.correlation_id,
    errors,
    now: new Date(),
  });
  deps.log.info({ correlationId: row.correlation_id, ledgerId: row.id, errors }, 'message rejected by its handler');
  await deps.db.transaction().execute(async (trx) => {
    const r = await sql`update ledger_messages set status = 'rejected', errors = ${JSON.stringify(errors)}::jsonb, updated_at = now()
      where id = ${row.id} and received_at = ${row.received_at} and status = 'validated'`.execute(trx);
    if (Number(r.numAffectedRows) === 0) return;
    await insertEvents(trx, [row], 'apply', 'rejected', cause.message, () => ({ errors }));
    if (receipt) await insertOutbox(trx, [receipt]);
  });
  return receipt;
}

/**
 * Records a failed attempt on every message of the batch (attempts, last error, a 'failed' event)
 * and, after the last attempt, marks them dead. If the database itself is what failed this cannot
 * be written; the messages stay 'validated' and the sweeper retries them once it is back.
 */
async function recordFailure(deps: ApplyDeps, ids: readonly string[], err: unknown, attempt: AttemptInfo): Promise<void> {
  const last = attempt.attemptsMade + 1 >= attempt.maxAttempts;
  const reason = describeError(err);
  deps.metrics.messages.inc({ stage: 'apply', outcome: last ? 'dead' : 'failed' }, ids.length);
  deps.log.warn({ err, count: ids.length, attempt: attempt.attemptsMade + 1, of: attempt.maxAttempts }, last ? 'apply failed for the last time; messages are dead' : 'apply failed; will retry');
  try {
    const { from, to } = timeBounds(ids);
    await deps.db.transaction().execute(async (trx) => {
      const rows = (
        await sql<Row>`
          update ledger_messages set attempts = attempts + 1, last_error = ${reason}, updated_at = now(),
            status = case when ${last} then 'dead' else status end
          where id = any(${ids}::uuid[]) and received_at between ${from} and ${to} and status = 'validated'
          returning id, retention_class, received_at`.execute(trx)
      ).rows;
      if (rows.length) await insertEvents(trx, rows, 'apply', last ? 'dead' : 'failed', reason, () => ({ attempt: attempt.attemptsMade + 1, of: attempt.maxAttempts, class: classifyFailure(err) }));
    });
  } catch (recordErr) {
    deps.log.error({ err: recordErr }, 'could not record the failure in the ledger');
  }
}
