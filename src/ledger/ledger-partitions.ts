import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database-types.js';

/**
 * Monthly partitions of the ledger, per retention class. Creating them ahead and dropping the
 * expired ones are both catalogue operations: retention never deletes rows one by one, and the
 * message store never grows without bound.
 */

const PARTITIONED = ['ledger_messages'] as const;
const TIME_COLUMN: Record<(typeof PARTITIONED)[number], string> = {
  ledger_messages: 'received_at',
};
/** Arbitrary constant naming the advisory lock that serialises partition DDL across hub processes. */
const PARTITION_LOCK = 74_201_001;

function monthStart(d: Date, offsetMonths = 0): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offsetMonths, 1));
}
function suffix(d: Date): string {
  return `${d.getUTCFullYear()}_${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

export interface PartitionPlan {
  created: string[];
  dropped: string[];
}

/**
 * Ensures partitions exist from `monthsBack` months ago to `monthsAhead` ahead for every class,
 * and drops month partitions wholly older than each class keeps.
 */
export async function maintainPartitions(
  db: Kysely<Database>,
  classes: Record<string, { months: number } | undefined>,
  now: Date = new Date(),
  options: { monthsAhead?: number; monthsBack?: number; drop?: boolean } = {},
): Promise<PartitionPlan> {
  const plan: PartitionPlan = { created: [], dropped: [] };
  const ahead = options.monthsAhead ?? 2;
  const back = options.monthsBack ?? 1;
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${PARTITION_LOCK})`.execute(trx);
    const existing = new Set(
      (await sql<{ relname: string }>`
        select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = current_schema() and c.relname like 'ledger_%'`.execute(trx)).rows.map((r) => r.relname),
    );
    for (const [cls, policy] of Object.entries(classes)) {
      if (!policy) continue;
      for (const table of PARTITIONED) {
        const classTable = `${table}__${cls}`;
        if (!existing.has(classTable)) {
          await sql`create table ${sql.table(classTable)} partition of ${sql.table(table)}
            for values in (${sql.lit(cls)}) partition by range (${sql.ref(TIME_COLUMN[table])})`.execute(trx);
          plan.created.push(classTable);
        }
        for (let i = -back; i <= ahead; i++) {
          const from = monthStart(now, i);
          const to = monthStart(now, i + 1);
          const name = `${classTable}__${suffix(from)}`;
          if (existing.has(name)) continue;
          await sql`create table ${sql.table(name)} partition of ${sql.table(classTable)}
            for values from (${sql.lit(from.toISOString())}) to (${sql.lit(to.toISOString())})`.execute(trx);
          plan.created.push(name);
        }
        if (options.drop !== false) {
          // A month partition is dropped when its whole range is older than the class keeps.
          const keepFrom = monthStart(now, -policy.months);
          const prefix = `${classTable}__`;
          for (const rel of existing) {
            const m = rel.startsWith(prefix) ? /^(\d{4})_(\d{2})$/.exec(rel.slice(prefix.length)) : null;
            if (!m) continue;
            const end = new Date(Date.UTC(Number(m[1]), Number(m[2]), 1));
            if (end <= keepFrom) {
              await sql`drop table ${sql.table(rel)}`.execute(trx);
              plan.dropped.push(rel);
            }
          }
        }
      }
    }
  });
  return plan;
}

/** Forgets idempotency keys older than the window, in bounded batches so no long lock is held. */
export async function pruneDedupKeys(db: Kysely<Database>, windowDays: number, batch = 10_000): Promise<number> {
  let total = 0;
  for (;;) {
    const r = await sql`
      delete from ledger_dedup where ctid in (
        select ctid from ledger_dedup where received_at < now() - make_interval(days => ${windowDays}) limit ${batch})`.execute(db);
    const n = Number(r.numAffectedRows ?? 0);
    total += n;
    if (n < batch) return total;
  }
}
