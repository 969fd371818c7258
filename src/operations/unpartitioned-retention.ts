import { sql, type Kysely } from 'kysely';
import { retentionClassOf, type LoadedConfig } from '../config/load-config.js';
import type { Database } from '../db/database-types.js';

/**
 * Retention for what lives beside the ledger: finished outbox rows, partners' SFTP files (the
 * raw file in chunks, its rejections), and the audit log, which grows with every search. The ledger's own messages go with their month partitions
 * (ledger-partitions.ts); these tables are not partitioned, so expired rows are deleted in bounded
 * batches, each its own short statement. A partner's retention class decides for both: what was
 * sent to it, and the files it dropped. Nothing unfinished is touched: pending or failed
 * deliveries, files still being split or not yet answered.
 */
export interface RetentionReport {
  outbox: number;
  sftpFiles: number;
  auditLog: number;
}

/** Five years: the longest initial retention INTERPOL's rules foresee for the data it is about. */
export const DEFAULT_AUDIT_LOG_MONTHS = 60;

const BATCH = 5_000;
const FINISHED_DELIVERY = ['delivered', 'acked', 'dead'];

/**
 * The start of the same day `months` earlier, or of the last day of that month when it is shorter:
 * Date.UTC would carry the surplus days into the next month (31 May less three months would be
 * 3 March, not 28 February) and delete what the class still keeps.
 */
export function monthsBefore(now: Date, months: number): Date {
  const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months, 1));
  const lastDay = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth(), Math.min(now.getUTCDate(), lastDay)));
}

/** For each retention class: its cutoff, and the countries it applies to (`null` for the default class: every country no other class claims). */
function cutoffs(config: LoadedConfig, now: Date): { cutoff: Date; countries: string[] | null; others: string[] }[] {
  const byClass = new Map<string, string[]>();
  for (const country of config.partners.keys()) {
    const cls = retentionClassOf(config, country);
    byClass.set(cls, [...(byClass.get(cls) ?? []), country]);
  }
  const defaultClass = config.hub.retention.defaultClass;
  const notDefault = [...byClass].filter(([cls]) => cls !== defaultClass).flatMap(([, countries]) => countries);
  return Object.entries(config.hub.retention.classes).flatMap(([cls, policy]) => {
    if (!policy) return [];
    const cutoff = monthsBefore(now, policy.months);
    return [cls === defaultClass ? { cutoff, countries: null, others: notDefault } : { cutoff, countries: byClass.get(cls) ?? [], others: [] }];
  });
}

async function inBatches(run: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await run();
    total += n;
    if (n < BATCH) return total;
  }
}

export async function pruneUnpartitioned(db: Kysely<Database>, config: LoadedConfig, now: Date = new Date()): Promise<RetentionReport> {
  const report: RetentionReport = { outbox: 0, sftpFiles: 0, auditLog: 0 };
  // Oldest first by id, which follows time: each batch reads the front of the primary key only.
  const auditCutoff = monthsBefore(now, config.hub.retention.auditLogMonths ?? DEFAULT_AUDIT_LOG_MONTHS);
  report.auditLog = await inBatches(async () => {
    const r = await sql`
      delete from audit_log where id in (
        select id from audit_log where at < ${auditCutoff} order by id limit ${BATCH})`.execute(db);
    return Number(r.numAffectedRows ?? 0);
  });
  for (const { cutoff, countries, others } of cutoffs(config, now)) {
    if (countries?.length === 0) continue;
    const whose = (column: string) =>
      countries === null ? sql`not (${sql.ref(column)} = any(${others}::text[]))` : sql`${sql.ref(column)} = any(${countries}::text[])`;
    report.outbox += await inBatches(async () => {
      const r = await sql`
        delete from outbox where id in (
          select id from outbox
          where status = any(${FINISHED_DELIVERY}::text[]) and created_at < ${cutoff} and ${whose('recipient_country')}
          limit ${BATCH})`.execute(db);
      return Number(r.numAffectedRows ?? 0);
    });
    // Duplicates first, then originals no duplicate names any more: a file that a later, unexpired
    // duplicate names as its original waits for that duplicate.
    for (const duplicates of [true, false]) {
      report.sftpFiles += await inBatches(async () => {
        const r = await sql`
          delete from sftp_files where id in (
            select f.id from sftp_files f
            where f.finished_at < ${cutoff} and f.receipt_sent_at is not null and f.moved_to is not null and ${whose('f.partner_country')}
              and ${duplicates ? sql`f.duplicate_of is not null` : sql`not exists (select 1 from sftp_files d where d.duplicate_of = f.id)`}
            limit ${BATCH})`.execute(db);
        return Number(r.numAffectedRows ?? 0);
      });
    }
  }
  return report;
}
