import { sql, type Kysely } from 'kysely';
import type { Database, MessageStatus } from '../db/database-types.js';
import type { FieldError } from '../messages/generated-types.js';
import type { LedgerEventName, LedgerStage } from './ledger-types.js';

/**
 * Appends one lineage event to many ledger messages in one statement, together with whatever
 * state change the event stands for (status, errors, attempts), so a message's state and its
 * history never disagree. Targets carry their receipt time, which prunes the update to the
 * partitions that hold them.
 */
export interface LineageTarget {
  id: string;
  receivedAt: Date;
  /** Per-message detail for the event. */
  detail?: unknown;
}

export interface LineageChange {
  status?: MessageStatus;
  errors?: readonly FieldError[];
  lastError?: string | null;
  incrementAttempts?: boolean;
  /** Only messages currently in this status are changed (the others are left and not returned). */
  onlyIfStatus?: MessageStatus;
}

export async function appendLineage(
  db: Kysely<Database>,
  targets: readonly LineageTarget[],
  event: { stage: LedgerStage; event: LedgerEventName; reason?: string | null; actor?: string | null },
  change: LineageChange = {},
): Promise<string[]> {
  if (targets.length === 0) return [];
  const sets = [
    sql`lineage = m.lineage || jsonb_build_array(jsonb_strip_nulls(jsonb_build_object(
      'at', to_jsonb(clock_timestamp()), 'stage', ${event.stage}::text, 'event', ${event.event}::text,
      'reason', ${event.reason ?? null}::text, 'actor', ${event.actor ?? null}::text, 'detail', t.detail::jsonb)))`,
    sql`updated_at = now()`,
  ];
  if (change.status) sets.push(sql`status = ${change.status}`);
  if (change.errors) sets.push(sql`errors = ${JSON.stringify(change.errors)}::jsonb`);
  if (change.lastError !== undefined) sets.push(sql`last_error = ${change.lastError}`);
  if (change.incrementAttempts) sets.push(sql`attempts = m.attempts + 1`);
  const guard = change.onlyIfStatus ? sql`and m.status = ${change.onlyIfStatus}` : sql``;
  const r = await sql<{ id: string }>`
    update ledger_messages m set ${sql.join(sets, sql`, `)}
    from unnest(${targets.map((t) => t.id)}::uuid[], ${targets.map((t) => t.receivedAt)}::timestamptz[],
                ${targets.map((t) => (t.detail === undefined ? null : JSON.stringify(t.detail)))}::text[]) as t(id, rat, detail)
    where m.id = t.id and m.received_at = t.rat ${guard}
    returning m.id`.execute(db);
  return r.rows.map((x) => x.id);
}
