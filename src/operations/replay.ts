import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { ApplyQueue } from '../../queues/apply.queue.js';
import type { DeliverQueues } from '../../queues/deliver.queue.js';
import type { Database } from '../db/database-types.js';
import { uuidv7Time } from '../ids/uuidv7.js';
import type { IntakeService } from '../intake/intake-service.js';
import { appendLineage } from '../ledger/ledger-lineage.js';
import { storeEntries } from '../ledger/ledger-writer.js';

/**
 * Replay runs a failed message again from its raw bytes, through the whole pipeline, as a new
 * ledger entry linked to the original (replay_of). The original is marked 'replayed' in the same
 * transaction, so one failure is replayed once however often the button is pressed, and its
 * history shows who replayed it, when and why. Applied messages are never replayed: that would be
 * applying them twice.
 *
 * A replay stays in its original's conversation (its correlation id), so the sender and the admins
 * find it, and its replies, under the id the sender was given. Messages are replayed in the order
 * they were first received, whatever order they were asked for in: the replays get new ids in
 * that order, and the apply stage applies by id, so an upsert still comes before its status change.
 */
export const REPLAYABLE = ['rejected', 'dead'] as const;

export interface ReplayResult {
  original: string;
  replay?: string;
  status?: 'validated' | 'rejected';
  error?: string;
}

/** Ledger ids are v7: in their canonical lowercase form they sort as the messages were received. */
function firstReceivedFirst(ids: readonly string[]): string[] {
  return [...ids].sort((a, b) => {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

export async function replayMessages(
  deps: { db: Kysely<Database>; intake: IntakeService; applyQueue: ApplyQueue; deliverQueues: DeliverQueues; log: Logger },
  ids: readonly string[],
  actor: string,
  reason: string,
): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  const toApply: string[] = [];
  const receipts = new Map<string, string[]>();
  for (const original of firstReceivedFirst(ids)) {
    const result = await deps.db.transaction().execute(async (trx): Promise<ReplayResult> => {
      const row = (
        await sql<{ channel: string; format: string; content_type: string; sender_country: string | null; sender_agency: string | null; raw: Buffer; retention_class: string; received_at: Date; status: string; correlation_id: string | null }>`
          select channel, format, content_type, sender_country, sender_agency, raw, retention_class, received_at, status, correlation_id
          from ledger_messages where id = ${original} and received_at = ${uuidv7Time(original)} for update`.execute(trx)
      ).rows[0];
      if (!row) return { original, error: 'no such message' };
      if (!(REPLAYABLE as readonly string[]).includes(row.status)) return { original, error: `is ${row.status}; only ${REPLAYABLE.join(' or ')} messages can be replayed` };
      const prepared = deps.intake.prepare({
        channel: row.channel,
        format: row.format,
        contentType: row.content_type,
        raw: row.raw,
        sender: { country: row.sender_country, agency: row.sender_agency },
        correlationId: row.correlation_id ?? undefined,
        replayOf: original,
      });
      await storeEntries(trx, [prepared.entry]);
      await appendLineage(trx, [{ id: original, receivedAt: row.received_at, detail: { replay: prepared.entry.id } }], { stage: 'admin', event: 'replayed', reason, actor }, { status: 'replayed' });
      await trx.insertInto('audit_log').values({ actor, action: 'message.replay', target: original, detail: JSON.stringify({ replay: prepared.entry.id, reason }) }).execute();
      deps.log.info({ correlationId: row.correlation_id, ledgerId: original, replay: prepared.entry.id, actor }, 'message replayed');
      if (prepared.entry.status === 'validated') toApply.push(prepared.entry.id);
      for (const r of prepared.entry.outbox) receipts.set(r.channel, [...(receipts.get(r.channel) ?? []), r.id]);
      return { original, replay: prepared.entry.id, status: prepared.entry.status === 'validated' ? 'validated' : 'rejected' };
    });
    results.push(result);
  }
  await Promise.all([deps.applyQueue.add(toApply), deps.deliverQueues.add(receipts)]).catch((err: unknown) => deps.log.warn({ err }, 'replays stored but not queued; the sweeper will pick them up'));
  return results;
}
