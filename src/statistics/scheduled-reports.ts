import { sql, type Kysely } from 'kysely';
import type { LoadedConfig } from '../config/load-config.js';
import type { AccessStatus, AgencyRole, Database } from '../db/database-types.js';
import { HubError } from '../errors/hub-error.js';
import { accessDenial, accessOf, outsideScope, todayUtc, type Module } from '../identity/agency-access.js';
import { insertOutbox } from '../ledger/ledger-writer.js';
import type { OutboxRecord } from '../ledger/ledger-types.js';
import type { StatisticsReport } from '../messages/generated-types.js';
import { buildOutbound } from '../pipeline/outbound-envelope.js';
import { lastCompletePeriod } from './report-periods.js';
import { statisticsTable, type DisclosureControl } from './statistics-query.js';
import { tableLabels } from './statistics-labels.js';
import { subjectDefinitions, type Subject } from './statistics-subjects.js';
import type { ReferenceCatalogue } from '../reference/reference-catalogue.js';

/**
 * Scheduled reports (iARMS' tailored reports per country): each subscription gets the table of
 * every month, quarter or year once it has ended, as a statistics.report message over its
 * agency's reply channel, like any other message the hub routes. The table is computed when sent,
 * under the agency's access then: a suspended agency, or one no longer approved for the subject's
 * module, is sent nothing (and gets the last complete period once it is let in again). Report ids
 * derive from subscription and period, and the subscription remembers the last period sent.
 */
export const SUBJECT_MODULES: Record<Subject, Module> = { records: 'records', seizures: 'seizures', hits: 'seizures' };

export interface SubscriptionQuery {
  scope: 'national' | 'global';
  groupBy: string[];
  filters: Record<string, string[]>;
}

interface DueRow {
  id: string;
  agency_id: string;
  country: string;
  agency: string;
  name: string;
  subject: Subject;
  every: 'month' | 'quarter' | 'year';
  query: SubscriptionQuery;
  last_period: string | null;
  role: AgencyRole;
  access_status: AccessStatus;
  access_scope: unknown;
  access_until: string | null;
  access_reason: string | null;
}

export async function runScheduledReports(
  db: Kysely<Database>,
  config: LoadedConfig,
  reference: ReferenceCatalogue,
  protection: DisclosureControl,
  now = new Date(),
): Promise<{ sent: number; withheld: number; failed: { subscriptionId: string; period: string; reason: string }[]; outbox: OutboxRecord[] }> {
  const today = todayUtc(now);
  return db.transaction().execute(async (trx) => {
    const rows = (
      await sql<DueRow>`
        select s.id, s.agency_id, s.country, s.agency, s.name, s.subject, s.every, s.query, s.last_period,
               a.role, a.access_status, a.access_scope, a.access_until::text as access_until, a.access_reason
        from statistics_subscriptions s join agencies a on a.id = s.agency_id
        where s.cancelled_at is null and a.disabled_at is null
        order by s.created_at
        for update of s skip locked`.execute(trx)
    ).rows;
    const definitions = subjectDefinitions(reference);
    const outbox: OutboxRecord[] = [];
    let withheld = 0;
    const failed: { subscriptionId: string; period: string; reason: string }[] = [];
    for (const s of rows) {
      const period = lastCompletePeriod(s.every, now);
      if (s.last_period === period.label) continue;
      const access = accessOf(s);
      if (accessDenial(access, s.country, today) || outsideScope(access.scope, { module: SUBJECT_MODULES[s.subject], level: 'read' }, `${s.country}/${s.agency}`)) {
        withheld++;
        continue;
      }
      let table;
      try {
        table = await statisticsTable(trx, s.subject, definitions[s.subject], {
          scope: s.query.scope,
          country: s.country,
          from: period.from,
          to: period.to,
          groupBy: s.query.groupBy,
          filters: s.query.filters,
          protection: s.query.scope === 'global' ? protection : null,
        });
      } catch (err) {
        // A table grown past the cell limit is refused for this period, not retried every hour.
        if (!(err instanceof HubError)) throw err;
        failed.push({ subscriptionId: s.id, period: period.label, reason: err.message });
        await trx.updateTable('statistics_subscriptions').set({ last_period: period.label }).where('id', '=', s.id).execute();
        continue;
      }
      const payload: StatisticsReport = { subscriptionId: s.id, name: s.name, period, table: { ...table, labels: tableLabels(table, reference) } as unknown as StatisticsReport['table'] };
      const message = buildOutbound(config, {
        sourceLedgerId: null,
        key: `statistics-report:${s.id}:${period.label}`,
        to: { country: s.country, agency: s.agency },
        type: 'statistics.report',
        payload: payload as unknown as Record<string, unknown>,
        correlationId: s.id,
        now,
      });
      if (message) outbox.push(message);
      await trx.updateTable('statistics_subscriptions').set({ last_period: period.label }).where('id', '=', s.id).execute();
    }
    await insertOutbox(trx, outbox);
    return { sent: outbox.length, withheld, failed, outbox };
  });
}
