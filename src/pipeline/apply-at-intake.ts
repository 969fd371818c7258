import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/database-types.js';
import { classifyFailure, describeError, type FailureClass } from '../errors/failure-class.js';
import type { LedgerEntry, OutboxRecord } from '../ledger/ledger-types.js';
import { insertOutbox } from '../ledger/ledger-writer.js';
import type { HubError } from '../errors/hub-error.js';
import type { Envelope, FieldError } from '../messages/generated-types.js';
import { atCommit, handlerRejection, outboundCounts, pushTo, runAfterCommit, sortDeliveries, type AppliedBatch, type ApplyDeps, type ApplyOutcome, type Row } from './apply-pipeline.js';
import { runHandlersPastRefusals } from './handler-run.js';

/**
 * Apply at intake: the fast path of the apply stage. When the apply queue is idle, intake runs
 * the handlers in the very transaction that stores the raw messages, so each message is written
 * once, already 'applied', instead of being stored 'validated', read back by an apply job and
 * rewritten (a second write of a wide row and all its index entries).
 *
 * The raw messages are stored whatever the handlers do: they run under a savepoint. A message its
 * handler refuses is rejected as the apply stage rejects it (errors, lineage, receipt) and the
 * rest is applied. Any other failure (a transient one, a deadlock) rolls back to the savepoint:
 * the batch is stored 'validated' and goes to the apply queue, where failures get their retries,
 * exactly as if this path did not exist. A transient failure is noted in each message's lineage
 * ('deferred') so that nothing fails silently.
 */
export interface IntakeApplication {
  /** Applied message ids, each with the number of outbound messages it caused. */
  applied: Map<string, number>;
  /** Messages their handlers refused: rejected as they are stored, each with its receipt. */
  refused: Map<string, Refusal>;
  /** Set when the handlers were tried and the batch was handed to the queue instead. */
  deferred?: { reason: string; class: FailureClass };
  outbox: OutboxRecord[];
  delivered: Set<string>;
  afterCommit: AppliedBatch['afterCommit'];
}

export interface Refusal {
  cause: HubError;
  errors: FieldError[];
  /** Undefined when the sender has no country to answer (the hub itself), or for a file's row (its file's receipt tells). */
  receipt: OutboxRecord | undefined;
}

function nothing(): IntakeApplication {
  return { applied: new Map(), refused: new Map(), outbox: [], delivered: new Set(), afterCommit: [] };
}

function asRow(e: LedgerEntry): Row {
  return {
    id: e.id,
    retention_class: e.retentionClass,
    received_at: e.receivedAt,
    channel: e.channel,
    sender_country: e.senderCountry,
    sender_agency: e.senderAgency,
    message_id: e.messageId ?? null,
    correlation_id: e.correlationId ?? null,
    envelope: e.envelope as Envelope,
  };
}

/**
 * Applies validated entries inside the intake transaction `trx`, or leaves all of them to the
 * queue. `paused` is the set of paused countries, read by the caller while the transaction
 * started (as the apply stage reads it at its start: a pause committed later is seen by the next batch).
 *
 * A message its handler refuses is rejected here, as the apply stage would reject it: with its
 * errors and a receipt, while the rest of the batch is applied (handler-run.ts).
 */
export async function applyAtIntake(deps: ApplyDeps, trx: Transaction<Database>, entries: readonly LedgerEntry[], paused: ReadonlySet<string>): Promise<IntakeApplication> {
  if (entries.length === 0) return nothing();
  // A paused sender's messages wait in the ledger; the queue's apply job records why.
  const rows = entries.filter((e) => !(e.senderCountry && paused.has(e.senderCountry))).map(asRow);
  if (rows.length === 0) return nothing();
  await sql`savepoint apply_at_intake`.execute(trx);
  try {
    const run = await deps.metrics.time('apply', () => runHandlersPastRefusals(deps, trx, rows, 'apply_at_intake'));
    // A row of a partner's file is answered in the file's receipt, with its line, as intake
    // answers a row it rejects itself; a receipt of its own could not say which row it was.
    const fileRows = new Set(entries.filter((e) => e.fileId !== undefined).map((e) => e.id));
    const refused = new Map<string, Refusal>(
      run.rejected.map(({ row, cause }) => {
        const { errors, receipt } = handlerRejection(deps, row, cause);
        return [row.id, { cause, errors, receipt: fileRows.has(row.id) ? undefined : receipt }];
      }),
    );
    const delivered = await insertOutbox(trx, run.outbox, await atCommit(deps, trx, paused));
    // No RELEASE: the commit keeps what the savepoint covers, and a round trip less matters here.
    const outbound = outboundCounts(run.outbox);
    return { applied: new Map(run.applied.map((id) => [id, outbound.get(id) ?? 0])), refused, outbox: run.outbox, delivered, afterCommit: run.afterCommit };
  } catch (err) {
    await sql`rollback to savepoint apply_at_intake`.execute(trx);
    const cls = classifyFailure(err);
    // Any other permanent failure is the queue's to judge, as it was before this path.
    if (cls === 'permanent') return nothing();
    deps.log.warn({ err, count: rows.length }, 'apply at intake failed; the messages are stored and queued for apply');
    return { ...nothing(), deferred: { reason: describeError(err), class: cls } };
  }
}

/**
 * What follows a committed intake application: bookkeeping tasks and metrics. Returns the outbox
 * ids to deliver by channel, and the rows delivered as they committed, as the apply stage does.
 */
export async function settleAtIntake(deps: ApplyDeps, app: IntakeApplication): Promise<Pick<ApplyOutcome, 'deliveries' | 'delivered'>> {
  await runAfterCommit(deps, app.afterCommit);
  const settled: Pick<ApplyOutcome, 'deliveries' | 'delivered'> = { deliveries: new Map(), delivered: [] };
  sortDeliveries(app.outbox, app.delivered, settled);
  // Receipts of refused messages were written with their ledger rows, pending.
  for (const { receipt } of app.refused.values()) if (receipt) pushTo(settled.deliveries, receipt.channel, receipt.id);
  deps.metrics.messages.inc({ stage: 'apply', outcome: 'applied' }, app.applied.size);
  if (app.refused.size) deps.metrics.messages.inc({ stage: 'apply', outcome: 'rejected' }, app.refused.size);
  if (app.delivered.size) deps.metrics.messages.inc({ stage: 'deliver', outcome: 'delivered' }, app.delivered.size);
  return settled;
}
