import type { Kysely } from 'kysely';
import type { Database } from '../db/database-types.js';
import { HubError } from '../errors/hub-error.js';

/**
 * The audit log as the people who answer for use of the hub read it: an NCB, for the agencies it
 * authorised (what each searched and which records it was shown); the hub's administrators, for
 * everyone. Newest first, by id, so a page boundary never moves while entries are added.
 */
export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  detail: unknown;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  /** Cursor: entries older than this id. */
  before?: string;
  limit: number;
}

export async function writeAudit(db: Kysely<Database>, e: { actor: string; action: string; target?: string | null; detail?: unknown }): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({ actor: e.actor, action: e.action, target: e.target ?? null, detail: e.detail === undefined ? null : JSON.stringify(e.detail) })
    .execute();
}

const BIGINT_MAX = 2n ** 63n - 1n;

/**
 * A page cursor is a bigint column's value (audit ids, outbox seqs). Digits past its range name no
 * row the hub could have given out, and PostgreSQL refuses to compare with them: the caller's
 * field is at fault, not the hub.
 */
export function bigintCursor(before: string, pointer = '/querystring/before'): string {
  if (!/^[0-9]+$/.test(before) || BigInt(before) > BIGINT_MAX) {
    throw new HubError('BAD_REQUEST', `the cursor ${before.slice(0, 40)} is not one the hub gave out`, [{ pointer, code: 'cursor.range', message: `must be a whole number up to ${BIGINT_MAX}` }]);
  }
  return before;
}

export async function listAudit(db: Kysely<Database>, f: AuditFilter): Promise<{ items: AuditEntry[]; next: string | null }> {
  let q = db.selectFrom('audit_log').selectAll();
  if (f.actor) q = q.where('actor', '=', f.actor);
  if (f.action) q = q.where('action', '=', f.action);
  if (f.before) q = q.where('id', '<', bigintCursor(f.before));
  const rows = await q.orderBy('id', 'desc').limit(f.limit).execute();
  const items = rows.map((r) => ({ id: String(r.id), at: (r.at as Date).toISOString(), actor: r.actor, action: r.action, target: r.target, detail: r.detail }));
  return { items, next: items.length === f.limit ? items.at(-1)!.id : null };
}
