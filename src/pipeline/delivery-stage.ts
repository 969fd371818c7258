import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { ChannelDeliverer } from '../../adapters/channels/channel-deliverer.js';
import type { AttemptInfo } from '../../queues/apply.queue.js';
import type { Database } from '../db/database-types.js';
import { describeError } from '../errors/failure-class.js';
import type { HubMetrics } from '../observability/hub-metrics.js';
import { pausedCountries } from '../operations/partner-controls.js';

/**
 * The deliver stage: outbox rows still pending (or failed and due) are handed to their channel's
 * deliverer; each row's attempts, last error and next attempt are kept on the row, where admins
 * see them. Rows for a paused partner are left pending and queued again on resume.
 */
export interface DeliveryDeps {
  db: Kysely<Database>;
  deliverers: ReadonlyMap<string, ChannelDeliverer>;
  log: Logger;
  metrics: HubMetrics;
  maxAttempts: number;
  backoffMs: number;
}

export async function deliverOutbox(deps: DeliveryDeps, channel: string, ids: readonly string[], attempt: AttemptInfo): Promise<{ delivered: string[]; failed: string[] }> {
  const deliverer = deps.deliverers.get(channel);
  if (!deliverer) throw new Error(`no deliverer for channel ${channel}`);
  const paused = await pausedCountries(deps.db);
  const rows = await deps.db
    .selectFrom('outbox')
    .selectAll()
    .where('id', 'in', ids.length ? [...ids] : ['00000000-0000-0000-0000-000000000000'])
    .where('status', 'in', ['pending', 'failed'])
    .where('channel', '=', channel)
    .execute();
  const due = rows.filter((r) => !paused.has(r.recipient_country));
  if (due.length === 0) return { delivered: [], failed: [] };
  const results = await deps.metrics.time(`deliver-${channel}`, () => deliverer.deliver(due));
  const ok = results.filter((r) => r.ok).map((r) => r.id);
  const bad = results.filter((r) => !r.ok);
  if (ok.length) {
    await sql`update outbox set status = 'delivered', delivered_at = now(), attempts = attempts + 1, last_error = null, next_attempt_at = null
      where id = any(${ok}::uuid[]) and status in ('pending','failed')`.execute(deps.db);
  }
  for (const r of bad) {
    const row = due.find((d) => d.id === r.id)!;
    const attempts = row.attempts + 1;
    const dead = attempts >= deps.maxAttempts;
    await sql`update outbox set status = ${dead ? 'dead' : 'failed'}, attempts = ${attempts}, last_error = ${r.error ?? 'delivery failed'},
      next_attempt_at = ${dead ? null : new Date(Date.now() + deps.backoffMs * 2 ** (attempts - 1))} where id = ${r.id}`.execute(deps.db);
    deps.log.warn({ correlationId: row.correlation_id, outboxId: r.id, channel, attempts, error: r.error }, dead ? 'delivery dead' : 'delivery failed');
  }
  deps.metrics.messages.inc({ stage: 'deliver', outcome: 'delivered' }, ok.length);
  if (bad.length) {
    deps.metrics.messages.inc({ stage: 'deliver', outcome: 'failed' }, bad.length);
    // Failing the job makes BullMQ retry the batch with backoff; delivered rows are skipped then.
    if (attempt.attemptsMade + 1 < attempt.maxAttempts) throw new Error(`${bad.length} deliveries failed on ${channel}: ${describeError(bad[0]!.error)}`);
  }
  return { delivered: ok, failed: bad.map((b) => b.id) };
}
