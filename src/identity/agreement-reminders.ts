import { sql, type Kysely } from 'kysely';
import type { LoadedConfig } from '../config/load-config.js';
import type { Database } from '../db/database-types.js';
import { insertOutbox } from '../ledger/ledger-writer.js';
import type { OutboxRecord } from '../ledger/ledger-types.js';
import type { AgencyAgreementDue } from '../messages/generated-types.js';
import { buildOutbound } from '../pipeline/outbound-envelope.js';
import { todayUtc } from './agency-access.js';

export const DEFAULT_AGREEMENT_REMINDER_DAYS = 30;

/**
 * Re-certification of national entities is the NCB's to do, so the hub reminds it: once a
 * configurable number of days before an agency's user agreement runs out, and once more the day
 * it has (the agency is refused from then on). The agreement row remembers the last reminder and
 * reminder ids derive from agreement and phase, so a rerun sends nothing twice; a renewal is a new
 * agreement, reminded afresh.
 */
export async function runAgreementReminders(db: Kysely<Database>, config: LoadedConfig, now = new Date()): Promise<{ reminded: number; outbox: OutboxRecord[] }> {
  const today = todayUtc(now);
  const lead = config.hub.access?.agreementReminderDays ?? DEFAULT_AGREEMENT_REMINDER_DAYS;
  return db.transaction().execute(async (trx) => {
    const due = (
      await sql<{ id: string; agency_id: string; country: string; code: string; name: string; reference: string; valid_until: string; reminded: 'ahead' | 'expired' | null }>`
        select g.id, g.agency_id, a.country, a.code, a.name, g.reference, g.valid_until::text as valid_until, g.reminded
        from agency_agreements g join agencies a on a.id = g.agency_id
        where g.ended_at is null and a.disabled_at is null and a.access_status in ('approved','suspended')
          and g.valid_until <= ${today}::date + ${lead}::int
          and (g.reminded is null or (g.reminded = 'ahead' and g.valid_until < ${today}::date))
        order by g.valid_until
        for update of g skip locked`.execute(trx)
    ).rows;
    const outbox: OutboxRecord[] = [];
    const reminded: { id: string; phase: 'ahead' | 'expired' }[] = [];
    for (const g of due) {
      const expired = g.valid_until < today;
      const phase = expired ? 'expired' : 'ahead';
      const ncb = config.partners.get(g.country)?.ncb.agency;
      const payload: AgencyAgreementDue = { agencyId: g.agency_id, agency: g.code, name: g.name, agreementReference: g.reference, validUntil: g.valid_until, expired };
      const message = buildOutbound(config, {
        sourceLedgerId: null,
        key: `agency-agreement:${g.id}:${phase}`,
        to: { country: g.country, ...(ncb ? { agency: ncb } : {}) },
        type: 'agency.agreement-due',
        payload: payload as unknown as Record<string, unknown>,
        correlationId: g.agency_id,
        now,
      });
      // A country that is no longer a partner has no channel to be told on; it is not retried.
      if (message) outbox.push(message);
      reminded.push({ id: g.id, phase });
    }
    await insertOutbox(trx, outbox);
    for (const phase of ['ahead', 'expired'] as const) {
      const ids = reminded.filter((r) => r.phase === phase).map((r) => r.id);
      if (ids.length) await trx.updateTable('agency_agreements').set({ reminded: phase }).where('id', 'in', ids).execute();
    }
    return { reminded: outbox.length, outbox };
  });
}
