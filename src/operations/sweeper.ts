import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database-types.js';

/**
 * Finds work the queues have lost: messages stored as validated but never applied (the process
 * died between the ledger commit and the enqueue, or Redis lost its data) and outbox rows never
 * delivered. PostgreSQL is the source of truth; the queues only say what to do next.
 */
export async function findUnfinished(
  db: Kysely<Database>,
  staleAfterSeconds: number,
  limit = 20_000,
): Promise<{ messages: string[]; deliveries: Map<string, string[]> }> {
  const messages = (
    await sql<{ id: string }>`
      select m.id from ledger_messages m
      where m.status = 'validated' and m.updated_at < now() - make_interval(secs => ${staleAfterSeconds})
        and not exists (select 1 from partner_controls p where p.paused and p.country = m.sender_country)
      order by m.updated_at limit ${limit}`.execute(db)
  ).rows.map((r) => r.id);
  const outbox = (
    await sql<{ id: string; channel: string }>`
      select o.id, o.channel from outbox o
      where (o.status in ('pending','failed') and (o.next_attempt_at is null or o.next_attempt_at <= now())
             and (o.status = 'failed' or o.created_at < now() - make_interval(secs => ${staleAfterSeconds})))
        and not exists (select 1 from partner_controls p where p.paused and p.country = o.recipient_country)
      order by o.created_at limit ${limit}`.execute(db)
  ).rows;
  const deliveries = new Map<string, string[]>();
  for (const r of outbox) deliveries.set(r.channel, [...(deliveries.get(r.channel) ?? []), r.id]);
  return { messages, deliveries };
}

/** Everything held back for a partner, to queue again when it is resumed. */
export async function findHeldFor(db: Kysely<Database>, country: string): Promise<{ messages: string[]; deliveries: Map<string, string[]> }> {
  const messages = (
    // In arrival order: what the partner sent while paused is applied as it was sent.
    await db.selectFrom('ledger_messages').select('id').where('status', '=', 'validated').where('sender_country', '=', country).orderBy('id').execute()
  ).map((r) => r.id);
  const rows = await db.selectFrom('outbox').select(['id', 'channel']).where('status', 'in', ['pending', 'failed']).where('recipient_country', '=', country).orderBy('created_at').orderBy('id').execute();
  const deliveries = new Map<string, string[]>();
  for (const r of rows) deliveries.set(r.channel, [...(deliveries.get(r.channel) ?? []), r.id]);
  return { messages, deliveries };
}
