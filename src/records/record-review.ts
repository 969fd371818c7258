import { sql, type Kysely } from 'kysely';
import type { LoadedConfig } from '../config/load-config.js';
import type { Database } from '../db/database-types.js';
import { insertOutbox } from '../ledger/ledger-writer.js';
import type { OutboxRecord } from '../ledger/ledger-types.js';
import type { RecordReviewDue } from '../messages/generated-types.js';
import { buildOutbound } from '../pipeline/outbound-envelope.js';
import { ACTIVE_STATUSES } from './record-lifecycle.js';

/**
 * The daily review of records, as INTERPOL's data rules ask: each active record must be confirmed
 * by its owner by its review date. Owners are reminded (once per review date) a configurable
 * number of days before, and records past the date are flagged overdue, visible in the owner's
 * searches, and reminded again. Reminder ids derive from record and date, so a rerun of the job
 * on the same day sends nothing twice.
 */
export async function runRecordReviews(db: Kysely<Database>, config: LoadedConfig, today: Date = new Date()): Promise<{ reminded: number; overdue: number; outbox: OutboxRecord[] }> {
  const day = today.toISOString().slice(0, 10);
  return db.transaction().execute(async (trx) => {
    const overdue = await sql<{ id: string }>`
      update records set review_overdue = true
      where status = any(${[...ACTIVE_STATUSES]}::text[]) and review_date < ${day}::date and not review_overdue
      returning id`.execute(trx);

    const maxLead = Math.max(config.hub.records.reviewReminderDays, ...[...config.partners.values()].map((p) => p.records?.reviewReminderDays ?? 0));
    const due = (
      await sql<{ id: string; owner_country: string; owner_reference: string; review_date: string; review_overdue: boolean; reminded: string | null }>`
        select id, owner_country, owner_reference, to_char(review_date, 'YYYY-MM-DD') as review_date, review_overdue,
               to_char(review_reminded_at, 'YYYY-MM-DD') as reminded
        from records
        where status = any(${[...ACTIVE_STATUSES]}::text[]) and review_date <= ${day}::date + ${maxLead}::int
        order by review_date
        for update skip locked`.execute(trx)
    ).rows;
    const outbox: OutboxRecord[] = [];
    const remindedIds: string[] = [];
    for (const r of due) {
      const lead = config.partners.get(r.owner_country)?.records?.reviewReminderDays ?? config.hub.records.reviewReminderDays;
      const dueFrom = new Date(`${r.review_date}T00:00:00Z`);
      dueFrom.setUTCDate(dueFrom.getUTCDate() - lead);
      if (today < dueFrom) continue;
      const isOverdue = r.review_date < day;
      // One reminder ahead of the date, one more when it has passed.
      const phase = isOverdue ? 'overdue' : 'ahead';
      if (r.reminded && (!isOverdue || r.reminded >= r.review_date)) continue;
      const ncb = config.partners.get(r.owner_country)?.ncb.agency;
      const payload: RecordReviewDue = { recordId: r.id, ownerReference: r.owner_reference, reviewDate: r.review_date, overdue: isOverdue };
      const message = buildOutbound(config, {
        sourceLedgerId: null,
        key: `record-review:${r.id}:${r.review_date}:${phase}`,
        to: { country: r.owner_country, ...(ncb ? { agency: ncb } : {}) },
        type: 'record.review-due',
        payload: payload as unknown as Record<string, unknown>,
        correlationId: r.id,
        now: today,
      });
      if (!message) continue;
      outbox.push(message);
      remindedIds.push(r.id);
    }
    await insertOutbox(trx, outbox);
    if (remindedIds.length) await sql`update records set review_reminded_at = ${today} where id = any(${remindedIds}::uuid[])`.execute(trx);
    return { reminded: remindedIds.length, overdue: overdue.rows.length, outbox };
  });
}
