import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database-types.js';

/**
 * Per-partner pause switch. While a country is paused its inbound messages are still received and
 * stored, but not applied, and nothing is delivered to it; resuming queues all of that again.
 * Workers read the switch from the database on every batch, so it takes effect on every hub
 * process at once without any message bus.
 */
export async function pausedCountries(db: Kysely<Database>): Promise<Set<string>> {
  const rows = await db.selectFrom('partner_controls').select('country').where('paused', '=', true).execute();
  return new Set(rows.map((r) => r.country));
}

export async function setPaused(db: Kysely<Database>, country: string, paused: boolean, actor: string, reason: string | null): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`
      insert into partner_controls (country, paused, reason, changed_at, changed_by) values (${country}, ${paused}, ${reason}, now(), ${actor})
      on conflict (country) do update set paused = excluded.paused, reason = excluded.reason, changed_at = excluded.changed_at, changed_by = excluded.changed_by`.execute(trx);
    await trx
      .insertInto('audit_log')
      .values({ actor, action: paused ? 'partner.pause' : 'partner.resume', target: country, detail: JSON.stringify({ reason }) })
      .execute();
  });
}
