import { sql, type Kysely } from 'kysely';
import type { OutboxRow } from '../../adapters/channels/channel-deliverer.js';
import type { CircuitState, Database } from '../db/database-types.js';
import type { CircuitView, RowVerdict } from './delivery-policy.js';

/**
 * The delivery stage's reads and writes. A lane is what one partner receives over one channel:
 * its outbox rows, a lease that lets one worker (of any hub process) deliver them at a time, and
 * the partner's circuit breaker.
 */
interface LaneRow {
  circuit: CircuitState;
  failures: number;
  opens: number;
  retry_at: Date | null;
  opened_at: Date | null;
}

function view(r: LaneRow): CircuitView {
  return { circuit: r.circuit, failures: r.failures, opens: r.opens, retryAt: r.retry_at, openedAt: r.opened_at };
}

/** Takes the lane's lease if nobody holds it (or the holder's lease ran out); undefined if busy. */
export async function claimLane(db: Kysely<Database>, channel: string, country: string, owner: string, leaseSeconds: number): Promise<CircuitView | undefined> {
  const r = await sql<LaneRow>`
    insert into delivery_lanes (channel, country, lease_owner, lease_until, updated_at)
    values (${channel}, ${country}, ${owner}, now() + make_interval(secs => ${leaseSeconds}), now())
    on conflict (channel, country) do update set lease_owner = excluded.lease_owner, lease_until = excluded.lease_until
      where delivery_lanes.lease_until is null or delivery_lanes.lease_until < now()
    returning circuit, failures, opens, retry_at, opened_at`.execute(db);
  return r.rows[0] ? view(r.rows[0]) : undefined;
}

export async function renewLease(db: Kysely<Database>, channel: string, country: string, owner: string, leaseSeconds: number): Promise<void> {
  await sql`update delivery_lanes set lease_until = now() + make_interval(secs => ${leaseSeconds})
    where channel = ${channel} and country = ${country} and lease_owner = ${owner}`.execute(db);
}

export async function releaseLane(db: Kysely<Database>, channel: string, country: string, owner: string): Promise<void> {
  await sql`update delivery_lanes set lease_owner = null, lease_until = null
    where channel = ${channel} and country = ${country} and lease_owner = ${owner}`.execute(db);
}

export async function saveCircuit(
  db: Kysely<Database>,
  channel: string,
  country: string,
  state: CircuitView,
  event: { error?: string | undefined; success?: boolean; failure?: boolean },
  now: Date,
): Promise<void> {
  await sql`update delivery_lanes set circuit = ${state.circuit}, failures = ${state.failures}, opens = ${state.opens},
      retry_at = ${state.retryAt}, opened_at = ${state.openedAt}, updated_at = ${now},
      last_error = coalesce(${event.error ?? null}, last_error),
      last_failure_at = case when ${event.failure ?? false} then ${now}::timestamptz else last_failure_at end,
      last_success_at = case when ${event.success ?? false} then ${now}::timestamptz else last_success_at end
    where channel = ${channel} and country = ${country}`.execute(db);
}

/**
 * The lane's deliveries that may go now, oldest first: due (never tried, or their next attempt
 * has come), and first in their conversation, since a later message of a conversation must not
 * overtake an earlier one that is still on its way.
 */
export async function dueRows(db: Kysely<Database>, channel: string, country: string, limit: number, now: Date): Promise<OutboxRow[]> {
  const r = await sql<OutboxRow>`
    select o.* from outbox o
    where o.channel = ${channel} and o.recipient_country = ${country} and o.status in ('pending','failed')
      and (o.next_attempt_at is null or o.next_attempt_at <= ${now})
      and (o.correlation_id is null or not exists (
        select 1 from outbox p
        where p.channel = o.channel and p.recipient_country = o.recipient_country and p.correlation_id = o.correlation_id
          and p.status in ('pending','failed') and p.seq < o.seq))
    order by o.seq
    limit ${limit}`.execute(db);
  return r.rows;
}

export async function hasDue(db: Kysely<Database>, channel: string, country: string, now: Date): Promise<boolean> {
  return (await dueRows(db, channel, country, 1, now)).length > 0;
}

/** When the lane next has something to try: the earliest scheduled attempt. */
export async function nextAttemptAt(db: Kysely<Database>, channel: string, country: string): Promise<Date | null> {
  const r = await sql<{ at: Date | null }>`
    select min(next_attempt_at) as at from outbox
    where channel = ${channel} and recipient_country = ${country} and status in ('pending','failed')`.execute(db);
  return r.rows[0]?.at ?? null;
}

/** While the circuit is open, nothing in the lane is tried before `until`; attempts are untouched. */
export async function parkLane(db: Kysely<Database>, channel: string, country: string, until: Date): Promise<number> {
  const r = await sql`update outbox set next_attempt_at = ${until}
    where channel = ${channel} and recipient_country = ${country} and status in ('pending','failed')
      and (next_attempt_at is null or next_attempt_at < ${until})`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

export async function markDelivered(db: Kysely<Database>, ids: readonly string[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await sql`update outbox set status = 'delivered', delivered_at = ${now}, attempts = attempts + 1, last_attempt_at = ${now},
      last_error = null, next_attempt_at = null
    where id = any(${[...ids]}::uuid[]) and status in ('pending','failed')`.execute(db);
}

export async function markFailed(db: Kysely<Database>, failures: readonly { id: string; error: string; verdict: RowVerdict }[], now: Date): Promise<void> {
  if (failures.length === 0) return;
  await sql`update outbox o set status = t.status, attempts = t.attempts, last_error = t.err, next_attempt_at = t.next, last_attempt_at = ${now}
    from unnest(${failures.map((f) => f.id)}::uuid[], ${failures.map((f) => f.verdict.status)}::text[], ${failures.map((f) => f.verdict.attempts)}::int[],
                ${failures.map((f) => f.error)}::text[], ${failures.map((f) => f.verdict.nextAttemptAt)}::timestamptz[]) as t(id, status, attempts, err, next)
    where o.id = t.id and o.status in ('pending','failed')`.execute(db);
}

/** A failed probe of an open circuit: recorded, but it costs the delivery no attempt. */
export async function noteProbeFailure(db: Kysely<Database>, failures: readonly { id: string; error: string }[], now: Date): Promise<void> {
  if (failures.length === 0) return;
  await sql`update outbox o set last_error = t.err, last_attempt_at = ${now}
    from unnest(${failures.map((f) => f.id)}::uuid[], ${failures.map((f) => f.error)}::text[]) as t(id, err)
    where o.id = t.id and o.status in ('pending','failed')`.execute(db);
}

/** The recipient countries of the given rows that still have something to deliver on the channel. */
export async function lanesOf(db: Kysely<Database>, channel: string, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const r = await sql<{ country: string }>`
    select distinct recipient_country as country from outbox
    where id = any(${[...ids]}::uuid[]) and channel = ${channel} and status in ('pending','failed')`.execute(db);
  return r.rows.map((x) => x.country);
}
