import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AttemptInfo } from '../../queues/apply.queue.js';
import type { LoadedConfig } from '../config/load-config.js';
import type { Database } from '../db/database-types.js';
import { classifyFailure, describeError, isRefusedValue } from '../errors/failure-class.js';
import { HubError, TransientError } from '../errors/hub-error.js';
import { uuidv7Time } from '../ids/uuidv7.js';
import type { OutboxRecord } from '../ledger/ledger-types.js';
import { appendLineage } from '../ledger/ledger-lineage.js';
import { insertOutbox, type DeliverAtCommit } from '../ledger/ledger-writer.js';
import type { Envelope, FieldError } from '../messages/generated-types.js';
import type { HubMetrics } from '../observability/hub-metrics.js';
import type { HandlerRegistry } from './handler-registry.js';
import { runHandlersPastRefusals, type RejectedRow } from './handler-run.js';
import { rejectionReceipt } from './outbound-envelope.js';
import { storableText } from '../messages/storable-content.js';
import { pausedCountries } from '../operations/partner-controls.js';

/**
 * The apply stage. A batch of validated messages is applied in one transaction: the rows are
 * locked (FOR UPDATE SKIP LOCKED) and only those still 'validated' are applied, so a job that
 * runs twice, or two jobs holding the same id, apply each message once. Handler writes, outbox
 * rows, status changes and lineage events commit together.
 *
 * A message its handler refuses (a permanent HubError) is rejected, with its errors and a receipt,
 * in the same transaction as the rest of the batch is applied (handler-run.ts). Any other failure
 * fails the whole job, which BullMQ retries with backoff; after the last attempt the messages are
 * dead. A failure that is not the environment's (a handler's bug that one message trips) would
 * take the whole batch with it at that point, so the last attempt splits the batch until the
 * failing message is alone (isolateFailure): it alone is dead, the others are applied.
 *
 * The handlers' run itself (handler-run.ts) is shared with apply-at-intake.ts, which applies a
 * batch in the transaction that stores it when this queue is idle.
 */
export interface ApplyDeps {
  db: Kysely<Database>;
  config: LoadedConfig;
  handlers: HandlerRegistry;
  log: Logger;
  metrics: HubMetrics;
  /** Pull channels: their outbox rows are delivered when they commit (see DeliverAtCommit). */
  pullChannels?: ReadonlySet<string>;
}

export interface ApplyOutcome {
  applied: string[];
  rejected: string[];
  /** Why each rejected message was rejected (synchronous channels answer with it). */
  rejections: Map<string, HubError>;
  /** Left for later: sender paused, or locked by another job. */
  skipped: string[];
  /** Outbox ids to deliver, by channel. */
  deliveries: Map<string, string[]>;
  /** Outbox rows delivered as they committed (pull channels), for what follows a delivery. */
  delivered: { id: string; type: string }[];
  /** Dead after the last attempt, when the batch was split to find them (isolateFailure). */
  dead: string[];
}

function emptyOutcome(): ApplyOutcome {
  return { applied: [], rejected: [], rejections: new Map(), skipped: [], deliveries: new Map(), delivered: [], dead: [] };
}

/** Adds what `second` did to `first`, in place. */
function mergeOutcome(first: ApplyOutcome, second: ApplyOutcome): ApplyOutcome {
  for (const [channel, list] of second.deliveries) for (const id of list) pushTo(first.deliveries, channel, id);
  for (const [id, cause] of second.rejections) first.rejections.set(id, cause);
  first.applied.push(...second.applied);
  first.rejected.push(...second.rejected);
  first.skipped.push(...second.skipped);
  first.delivered.push(...second.delivered);
  first.dead.push(...second.dead);
  return first;
}

/** A validated message as the handlers see it (a ledger row, or an entry at intake). */
export interface Row {
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

/** Adds one id to its channel's list (outbox ids to deliver, by channel), in place. */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Outbox rows into those delivered as they committed and those to deliver, by channel. */
export function sortDeliveries(outbox: readonly OutboxRecord[], delivered: ReadonlySet<string>, into: Pick<ApplyOutcome, 'deliveries' | 'delivered'>): void {
  for (const r of outbox) {
    if (delivered.has(r.id)) into.delivered.push({ id: r.id, type: r.type });
    else pushTo(into.deliveries, r.channel, r.id);
  }
}

/** Time bounds of a set of v7 ids, so the lookup touches only the partitions that can hold them. */
function timeBounds(ids: readonly string[]): { from: Date; to: Date } {
  const times = ids.map((id) => uuidv7Time(id).getTime());
  return { from: new Date(Math.min(...times)), to: new Date(Math.max(...times)) };
}

export async function applyMessages(deps: ApplyDeps, ids: readonly string[], attempt: AttemptInfo): Promise<ApplyOutcome> {
  const outcome = emptyOutcome();
  try {
    const done = await deps.metrics.time('apply', () => applyOnce(deps, ids));
    await runAfterCommit(deps, done.afterCommit);
    outcome.applied.push(...done.applied);
    outcome.skipped.push(...done.skipped);
    for (const { row, cause } of done.rejected) {
      outcome.rejected.push(row.id);
      outcome.rejections.set(row.id, cause);
      countRejection(deps, row, cause);
    }
    sortDeliveries(done.outbox, done.delivered, outcome);
    deps.metrics.messages.inc({ stage: 'apply', outcome: 'applied' }, done.applied.length);
    if (done.delivered.size) deps.metrics.messages.inc({ stage: 'deliver', outcome: 'delivered' }, done.delivered.size);
    if (done.rejected.length) deps.metrics.messages.inc({ stage: 'apply', outcome: 'rejected' }, done.rejected.length);
    return outcome;
  } catch (err) {
    if (isRefusedValue(err)) return isolateRefusedValue(deps, ids, err, attempt);
    if (ids.length > 1 && isLastAttempt(attempt) && !(await isEnvironmentFailure(deps, err))) return isolateFailure(deps, ids, attempt);
    await recordFailure(deps, ids, err, attempt);
    throw err;
  }
}

function isLastAttempt(attempt: AttemptInfo): boolean {
  return attempt.attemptsMade + 1 >= attempt.maxAttempts;
}

/** Network errors and the SQLSTATEs of a database that is away, overloaded or in conflict (class 40: serialisation, deadlock). */
const ENVIRONMENT_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const ENVIRONMENT_SQLSTATE = /^(08|40|53|57|58)[0-9A-Z]{3}$|^55P03$/;
const DATABASE_CHECK_MS = 2_000;

/**
 * Whether every message of the batch would have met this failure: the database or a service the
 * handlers need is away (a handler says so with TransientError), or a lock or serialisation
 * conflict. Splitting the batch then only multiplies failing transactions. Drivers do not always
 * give a lost connection a code, so the database is asked too: one that does not answer at once
 * counts as away.
 */
async function isEnvironmentFailure(deps: ApplyDeps, err: unknown): Promise<boolean> {
  if (err instanceof TransientError || (err instanceof HubError && err.status >= 500)) return true;
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && (ENVIRONMENT_ERRNO.has(code) || ENVIRONMENT_SQLSTATE.test(code))) return true;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no answer')), DATABASE_CHECK_MS);
  });
  try {
    await Promise.race([sql`select 1`.execute(deps.db), deadline]);
    return false;
  } catch {
    return true;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The last attempt of a batch failed, not for want of the database or a service: most likely one
 * message trips a handler's bug, and it would take every other message of the batch with it. The
 * halves are applied apart until the failing message is alone; it is dead (replayable once the bug
 * is fixed), and the others are applied. A half that fails for the environment's sake is dead
 * whole, as the batch would have been.
 */
async function isolateFailure(deps: ApplyDeps, ids: readonly string[], attempt: AttemptInfo): Promise<ApplyOutcome> {
  const half = Math.ceil(ids.length / 2);
  deps.log.warn({ count: ids.length }, 'the last apply attempt failed; applying the batch in halves to find the failing message');
  return mergeOutcome(await applyOrBury(deps, ids.slice(0, half), attempt), await applyOrBury(deps, ids.slice(half), attempt));
}

/** A part of a batch at its last attempt: applied, or split further, or dead (recorded by applyMessages). */
async function applyOrBury(deps: ApplyDeps, ids: readonly string[], attempt: AttemptInfo): Promise<ApplyOutcome> {
  try {
    return await applyMessages(deps, ids, attempt);
  } catch {
    // applyMessages has recorded the failure: these messages are dead (or, should the database
    // have gone, still validated, for the sweeper).
    return { ...emptyOutcome(), dead: [...ids] };
  }
}

/**
 * The database refused a value that one message of the batch carries. Every retry would fail the
 * same way and take the whole batch with it, so the halves are applied apart until the message
 * is alone; it is then rejected, with the database's reason, and a receipt tells its sender.
 */
async function isolateRefusedValue(deps: ApplyDeps, ids: readonly string[], err: unknown, attempt: AttemptInfo): Promise<ApplyOutcome> {
  if (ids.length > 1) {
    const half = Math.ceil(ids.length / 2);
    const first = await applyMessages(deps, ids.slice(0, half), attempt);
    return mergeOutcome(first, await applyMessages(deps, ids.slice(half), attempt));
  }
  const reason = storableText(`the database refused a value of this message: ${describeError(err)}`);
  const cause = new HubError('VALIDATION_FAILED', reason, [{ code: 'value.refused', message: reason }]);
  const outcome = emptyOutcome();
  const id = ids[0]!;
  let rejected: Row | undefined;
  await deps.db.transaction().execute(async (trx) => {
    const [row] = await lockValidated(trx, [id]);
    if (!row) return void outcome.skipped.push(id);
    const { receipt, delivered } = await markRejected(deps, trx, row, cause, await atCommit(deps, trx));
    if (receipt && delivered) outcome.delivered.push({ id: receipt.id, type: receipt.type });
    else if (receipt) pushTo(outcome.deliveries, receipt.channel, receipt.id);
    outcome.rejected.push(id);
    outcome.rejections.set(id, cause);
    rejected = row;
  });
  if (rejected) countRejection(deps, rejected, cause);
  deps.metrics.messages.inc({ stage: 'apply', outcome: 'rejected' }, outcome.rejected.length);
  return outcome;
}

export async function atCommit(deps: ApplyDeps, trx: Kysely<Database>, paused?: ReadonlySet<string>): Promise<DeliverAtCommit | undefined> {
  if (!deps.pullChannels?.size) return undefined;
  return { channels: deps.pullChannels, paused: paused ?? (await pausedCountries(trx)) };
}

export interface AppliedBatch {
  applied: string[];
  rejected: RejectedRow[];
  skipped: string[];
  outbox: OutboxRecord[];
  /** Outbox ids written as delivered (pull channels). */
  delivered: Set<string>;
  /** ApplyContext.afterCommit tasks, to run now that the batch has committed. */
  afterCommit: ((db: Kysely<Database>) => Promise<void>)[];
}

/**
 * The messages among `ids` still waiting to be applied, locked, in id order; those another job
 * holds right now are left out (SKIP LOCKED), as are those no longer validated.
 */
async function lockValidated(trx: Kysely<Database>, ids: readonly string[]): Promise<Row[]> {
  const { from, to } = timeBounds(ids);
  const r = await sql<Row>`
    select id, retention_class, received_at, channel, sender_country, sender_agency, message_id, correlation_id, envelope
    from ledger_messages
    where id = any(${ids}::uuid[]) and received_at between ${from} and ${to} and status = 'validated'
    order by id
    for update skip locked`.execute(trx);
  return r.rows;
}

async function applyOnce(deps: ApplyDeps, ids: readonly string[]): Promise<AppliedBatch> {
  return deps.db.transaction().execute(async (trx) => {
    const rows = await lockValidated(trx, ids);
    const paused = await pausedCountries(trx);
    const found = new Set(rows.map((r) => r.id));
    // Not validated any more (applied by a duplicate job) or locked by another job right now.
    const skipped: string[] = ids.filter((id) => !found.has(id));
    const pausedRows: Row[] = [];
    const active = rows.filter((row) => {
      if (row.sender_country && paused.has(row.sender_country)) {
        pausedRows.push(row);
        skipped.push(row.id);
        return false;
      }
      return true;
    });
    const { applied, rejected, outbox, afterCommit } = await runHandlersPastRefusals(deps, trx, active);

    const commitDelivery = await atCommit(deps, trx, paused);
    const delivered = await insertOutbox(trx, outbox, commitDelivery);
    const appliedSet = new Set(applied);
    const done = rows.filter((r) => appliedSet.has(r.id));
    if (done.length) {
      const outbound = outboundCounts(outbox);
      await appendLineage(
        trx,
        done.map((r) => ({ id: r.id, receivedAt: r.received_at, detail: { outbound: outbound.get(r.id) ?? 0 } })),
        { stage: 'apply', event: 'applied' },
        { status: 'applied', lastError: null },
      );
    }
    for (const { row, cause } of rejected) {
      const r = await markRejected(deps, trx, row, cause, commitDelivery);
      if (r.receipt) outbox.push(r.receipt);
      if (r.receipt && r.delivered) delivered.add(r.receipt.id);
    }
    if (pausedRows.length) {
      await appendLineage(trx, pausedRows.map((r) => ({ id: r.id, receivedAt: r.received_at })), { stage: 'apply', event: 'paused', reason: 'sender is paused; applied when resumed' });
    }
    return { applied, rejected, skipped, outbox, delivered, afterCommit };
  });
}

export function outboundCounts(outbox: readonly OutboxRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const o of outbox) if (o.sourceLedgerId) counts.set(o.sourceLedgerId, (counts.get(o.sourceLedgerId) ?? 0) + 1);
  return counts;
}

export async function runAfterCommit(deps: ApplyDeps, tasks: AppliedBatch['afterCommit']): Promise<void> {
  for (const task of tasks) {
    try {
      await task(deps.db);
    } catch (err) {
      deps.log.warn({ err }, 'bookkeeping after an applied batch failed; the batch itself is committed');
    }
  }
}

/** Counted once its transaction has committed. */
function countRejection(deps: ApplyDeps, row: Row, cause: HubError): void {
  deps.metrics.rejections.inc({ country: row.sender_country ?? 'none', channel: row.channel, code: rejectionErrors(cause)[0]!.code });
}

function rejectionErrors(cause: HubError): FieldError[] {
  return cause.errors.length ? [...cause.errors] : [{ code: cause.code.toLowerCase(), message: cause.message }];
}

/** A handler's refusal of one message, logged: its errors, and the receipt that tells its sender. */
export function handlerRejection(deps: ApplyDeps, row: Row, cause: HubError): { errors: FieldError[]; receipt: OutboxRecord | undefined } {
  const errors = rejectionErrors(cause);
  deps.log.info({ correlationId: row.correlation_id, ledgerId: row.id, code: cause.code, errors }, 'message rejected by its handler');
  const receipt = rejectionReceipt(deps.config, {
    ledgerId: row.id,
    sender: { country: row.sender_country, agency: row.sender_agency },
    messageId: row.message_id ?? undefined,
    correlationId: row.correlation_id,
    errors,
    now: new Date(),
  });
  return { errors, receipt };
}

/** Marks one message rejected (with its errors, a lineage event and a receipt) inside `trx`. */
async function markRejected(
  deps: ApplyDeps,
  trx: Kysely<Database>,
  row: Row,
  cause: HubError,
  commitDelivery: DeliverAtCommit | undefined,
): Promise<{ receipt?: OutboxRecord; delivered: boolean }> {
  const changed = await appendLineage(
    trx,
    [{ id: row.id, receivedAt: row.received_at, detail: { code: cause.code } }],
    { stage: 'apply', event: 'rejected', reason: cause.message },
    { status: 'rejected', errors: rejectionErrors(cause), onlyIfStatus: 'validated' },
  );
  if (changed.length === 0) return { delivered: false };
  const { receipt } = handlerRejection(deps, row, cause);
  if (!receipt) return { delivered: false };
  const delivered = await insertOutbox(trx, [receipt], commitDelivery);
  return { receipt, delivered: delivered.has(receipt.id) };
}

/**
 * Records a failed attempt on every message of the batch (attempts, last error, a 'failed' event)
 * and, after the last attempt, marks them dead. If the database itself is what failed this cannot
 * be written; the messages stay 'validated' and the sweeper retries them once it is back.
 */
async function recordFailure(deps: ApplyDeps, ids: readonly string[], err: unknown, attempt: AttemptInfo): Promise<void> {
  const last = isLastAttempt(attempt);
  const reason = describeError(err);
  deps.metrics.messages.inc({ stage: 'apply', outcome: last ? 'dead' : 'failed' }, ids.length);
  deps.log.warn({ err, count: ids.length, attempt: attempt.attemptsMade + 1, of: attempt.maxAttempts }, last ? 'apply failed for the last time; messages are dead' : 'apply failed; will retry');
  try {
    await appendLineage(
      deps.db,
      ids.map((id) => ({ id, receivedAt: uuidv7Time(id), detail: { attempt: attempt.attemptsMade + 1, of: attempt.maxAttempts, class: classifyFailure(err) } })),
      { stage: 'apply', event: last ? 'dead' : 'failed', reason },
      { incrementAttempts: true, lastError: reason, onlyIfStatus: 'validated', ...(last ? { status: 'dead' as const } : {}) },
    );
  } catch (recordErr) {
    deps.log.error({ err: recordErr }, 'could not record the failure in the ledger');
  }
}
