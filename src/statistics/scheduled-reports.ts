import { sql, type Kysely } from 'kysely';
import type { LoadedConfig } from '../config/load-config.js';
import type { AccessStatus, AgencyRole, Database } from '../db/database-types.js';
import { HubError } from '../errors/hub-error.js';
import { accessDenial, accessOf, outsideScope, todayUtc } from '../identity/agency-access.js';
import { insertOutbox } from '../ledger/ledger-writer.js';
import type { OutboxRecord } from '../ledger/ledger-types.js';
import type { StatisticsReport } from '../messages/generated-types.js';
import { buildOutbound } from '../pipeline/outbound-envelope.js';
import { lastCompletePeriod } from './report-periods.js';
import { statisticsTable, type DisclosureControl } from './statistics-query.js';
import { traceViewerOf } from './trace-viewer.js';
import { tableLabels } from './statistics-labels.js';
import { SUBJECT_MODULES, subjectDefinitions, type Subject } from './statistics-subjects.js';
import type { ReferenceCatalogue } from '../reference/reference-catalogue.js';

/**
 * Scheduled reports (iARMS' tailored reports per country): each subscription gets the table of
 * every month, quarter or year once it has ended, as a statistics.report message over its
 * agency's reply channel, like any other message the hub routes. The table is computed when sent,
 * under the agency's access then: a suspended agency, or one no longer approved for the subject's
 * module, is sent nothing (and gets the last complete period once it is let in again). Report ids
 * derive from subscription and period, and the subscription remembers the last period sent, so a
 * rerun sends nothing twice.
 */

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

export interface ScheduledRun {
  sent: number;
  withheld: number;
  /** Subscriptions whose report could not be made this run; they are tried again at the next. */
  failed: { subscriptionId: string; period: string; reason: string }[];
  outbox: OutboxRecord[];
}

/**
 * Each due subscription is claimed, computed and sent in a transaction of its own, so that a
 * cancellation waits for one table at most, and one table that fails (the database away, a
 * dimension renamed since) holds back no other report. A table refused for its size is answered
 * with a report saying so, once, rather than retried every hour or left unsent in silence.
 */
export async function runScheduledReports(db: Kysely<Database>, config: LoadedConfig, reference: ReferenceCatalogue, protection: DisclosureControl, now = new Date()): Promise<ScheduledRun> {
  const today = todayUtc(now);
  const definitions = subjectDefinitions(reference);
  const candidates = await db.selectFrom('statistics_subscriptions').select(['id', 'every', 'last_period']).where('cancelled_at', 'is', null).orderBy('created_at').execute();
  const run: ScheduledRun = { sent: 0, withheld: 0, failed: [], outbox: [] };
  for (const candidate of candidates) {
    const period = lastCompletePeriod(candidate.every, now);
    if (candidate.last_period === period.label) continue;
    try {
      await db.transaction().execute(async (trx) => {
        const s = (
          await sql<DueRow>`
            select s.id, s.agency_id, s.country, s.agency, s.name, s.subject, s.every, s.query, s.last_period,
                   a.role, a.access_status, a.access_scope, a.access_until::text as access_until, a.access_reason
            from statistics_subscriptions s join agencies a on a.id = s.agency_id
            where s.id = ${candidate.id} and s.cancelled_at is null and a.disabled_at is null
              and s.last_period is distinct from ${period.label}
            for update of s skip locked`.execute(trx)
        ).rows[0];
        if (!s) return;
        const access = accessOf(s);
        if (accessDenial(access, s.country, today) || outsideScope(access.scope, { module: SUBJECT_MODULES[s.subject], level: 'read' }, `${s.country}/${s.agency}`)) {
          run.withheld++;
          return;
        }
        let content: Pick<StatisticsReport, 'table' | 'refused'>;
        try {
          const table = await statisticsTable(trx, s.subject, definitions[s.subject], {
            scope: s.query.scope,
            country: s.country,
            traces: traceViewerOf(access, s.agency, s.query.scope),
            from: period.from,
            to: period.to,
            groupBy: s.query.groupBy,
            filters: s.query.filters,
            protection: s.query.scope === 'global' ? protection : null,
          });
          content = { table: { ...table, labels: tableLabels(table, reference) } as unknown as StatisticsReport['table'] };
        } catch (err) {
          if (!(err instanceof HubError)) throw err;
          content = { refused: { code: err.errors[0]?.code ?? err.code, detail: err.message } };
        }
        const payload: StatisticsReport = { subscriptionId: s.id, name: s.name, period, ...content };
        const message = buildOutbound(config, {
          sourceLedgerId: null,
          key: `statistics-report:${s.id}:${period.label}`,
          to: { country: s.country, agency: s.agency },
          type: 'statistics.report',
          payload: payload as unknown as Record<string, unknown>,
          correlationId: s.id,
          now,
        });
        // A country that is no longer a partner has no channel to be told on; it is not retried.
        if (message) await insertOutbox(trx, [message]);
        await trx.updateTable('statistics_subscriptions').set({ last_period: period.label }).where('id', '=', s.id).execute();
        if (message) {
          run.outbox.push(message);
          run.sent++;
        }
      });
    } catch (err) {
      run.failed.push({ subscriptionId: candidate.id, period: period.label, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  return run;
}
