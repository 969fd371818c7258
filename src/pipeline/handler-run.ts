import { sql, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/database-types.js';
import { classifyFailure } from '../errors/failure-class.js';
import { HubError } from '../errors/hub-error.js';
import type { OutboxRecord } from '../ledger/ledger-types.js';
import type { AppliedBatch, ApplyDeps, Row } from './apply-pipeline.js';
import type { ApplyContext } from './message-handler.js';
import { buildOutbound } from './outbound-envelope.js';

/**
 * Running the handlers over a batch of validated messages, in order, inside the caller's
 * transaction: the apply stage's (apply-pipeline.ts) or intake's (apply-at-intake.ts).
 *
 * A set-based handler reports the messages it refuses and writes nothing for them. A handler that
 * takes one message at a time throws its refusal, after the messages before it have been written:
 * the batch goes back to a savepoint and carries on without the refused message (see
 * runHandlersPastRefusals), so one refusal never costs the rest of the batch.
 */

export interface RejectedRow {
  row: Row;
  cause: HubError;
}

/** A handler refused one message of the batch (thrown out of runHandlers). */
class RejectOne extends Error {
  constructor(
    readonly row: Row,
    override readonly cause: HubError,
  ) {
    super(cause.message);
  }
}

export interface HandlersRun {
  applied: string[];
  rejected: RejectedRow[];
  outbox: OutboxRecord[];
  afterCommit: AppliedBatch['afterCommit'];
}

/**
 * Runs the handlers over rows (in order) inside `trx` and gathers what they route. A handler's
 * permanent refusal of a single message throws RejectOne; set-based handlers report theirs.
 */
async function runHandlers(deps: ApplyDeps, trx: Transaction<Database>, active: readonly Row[]): Promise<HandlersRun> {
  const { config, handlers, log } = deps;
  const now = new Date();
  const applied: string[] = [];
  const rejected: RejectedRow[] = [];
  const byId = new Map(active.map((r) => [r.id, r]));
  const outbox: OutboxRecord[] = [];
  const seqBySource = new Map<string, number>();
  const afterCommit: AppliedBatch['afterCommit'] = [];
  let current: Row | undefined;

  const ctx: ApplyContext = {
    trx,
    log,
    now,
    isPartner: (country) => config.partners.has(country),
    ncbOf: (country) => config.partners.get(country)?.ncb.agency,
    afterCommit: (task) => void afterCommit.push(task),
    route(recipient, type, payload, options) {
      const row = options?.source ? byId.get(options.source) : current;
      if (!row) throw new Error(`route() needs the source message${options?.source ? ` (${options.source} is not in this batch)` : ''}`);
      const seq = seqBySource.get(row.id) ?? 0;
      seqBySource.set(row.id, seq + 1);
      const record = buildOutbound(config, {
        sourceLedgerId: row.id,
        key: `${seq}`,
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

  // Consecutive messages of one type that has a set-based handler are applied together; order
  // across types is kept, so an upsert followed by a status change of the same record stays in order.
  for (let i = 0; i < active.length; ) {
    const handler = handlers.get(active[i]!.envelope.type);
    if (!handler) throw new Error(`no handler for ${active[i]!.envelope.type}`);
    if (handler.applyMany) {
      let j = i;
      while (j < active.length && active[j]!.envelope.type === handler.type) j++;
      const chunk = active.slice(i, j);
      current = undefined;
      const refused = await handler.applyMany(ctx, chunk.map(toMessage) as never);
      for (const row of chunk) {
        const err = refused.get(row.id);
        if (err) rejected.push({ row, cause: err });
        else applied.push(row.id);
      }
      i = j;
      continue;
    }
    const row = active[i]!;
    current = row;
    try {
      // The row's logger is made only if the handler logs: a pino child costs its serialisation.
      let rowLog: Logger | undefined;
      const rowCtx: ApplyContext = {
        ...ctx,
        get log() {
          return (rowLog ??= log.child({ correlationId: row.correlation_id, ledgerId: row.id, type: row.envelope.type }));
        },
      };
      await handler.apply!(rowCtx, toMessage(row) as never);
    } catch (err) {
      if (err instanceof HubError && classifyFailure(err) === 'permanent') throw new RejectOne(row, err);
      throw err;
    }
    applied.push(row.id);
    i++;
  }
  return { applied, rejected, outbox, afterCommit };
}

function toMessage(row: Row) {
  return { ledgerId: row.id, receivedAt: row.received_at, channel: row.channel, envelope: row.envelope };
}

function merge(into: HandlersRun, run: HandlersRun): void {
  into.applied.push(...run.applied);
  into.rejected.push(...run.rejected);
  into.outbox.push(...run.outbox);
  into.afterCommit.push(...run.afterCommit);
}

/**
 * Runs the handlers over `rows` inside `trx` and carries on past refusals: every refused message,
 * reported or thrown, ends up in `rejected`, and what the others wrote stands.
 *
 * A thrown refusal rolls the work back to the savepoint taken before the run it ended; the
 * messages before the refused one are run again (they applied in that very state a moment ago),
 * a new savepoint is taken, and the run goes on after it. So each message is run at most twice,
 * however many of its batch are refused, where starting the batch again after each refusal would
 * run it once per refusal. `taken` names a savepoint the caller has just taken, to be used for the
 * first run instead of taking another (a round trip less when nothing is refused).
 */
export async function runHandlersPastRefusals(deps: ApplyDeps, trx: Transaction<Database>, rows: readonly Row[], taken?: string): Promise<HandlersRun> {
  const total: HandlersRun = { applied: [], rejected: [], outbox: [], afterCommit: [] };
  let savepoint = taken;
  let pending = rows;
  while (pending.length) {
    if (!savepoint) await sql`savepoint handlers_run`.execute(trx);
    const rollback = sql`rollback to savepoint ${sql.id(savepoint ?? 'handlers_run')}`;
    savepoint = undefined;
    try {
      merge(total, await runHandlers(deps, trx, pending));
      break;
    } catch (err) {
      if (!(err instanceof RejectOne)) throw err;
      await rollback.execute(trx);
      total.rejected.push({ row: err.row, cause: err.cause });
      const at = pending.indexOf(err.row);
      const before = pending.slice(0, at);
      pending = pending.slice(at + 1);
      if (before.length === 0) continue;
      try {
        merge(total, await runHandlers(deps, trx, before));
      } catch (again) {
        // A handler that judges differently the second time: start over from the savepoint.
        if (!(again instanceof RejectOne)) throw again;
        await rollback.execute(trx);
        total.rejected.push({ row: again.row, cause: again.cause });
        pending = [...before.filter((r) => r !== again.row), ...pending];
      }
    }
  }
  return total;
}
