import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { ChannelDeliverer, DeliveryResult, OutboxRow } from '../../adapters/channels/channel-deliverer.js';
import type { Database } from '../db/database-types.js';
import { describeError } from '../errors/failure-class.js';
import type { HubMetrics } from '../observability/hub-metrics.js';
import { pausedCountries } from '../operations/partner-controls.js';
import {
  claimLane,
  dueRows,
  hasDue,
  lanesOf,
  markDelivered,
  markFailed,
  nextAttemptAt,
  noteProbeFailure,
  parkLane,
  releaseLane,
  renewLease,
  saveCircuit,
} from './delivery-lanes.js';
import { circuitAfter, failedAttempt, laneDecision, type CircuitView, type DeliveryPolicy } from './delivery-policy.js';

/**
 * The deliver stage. A job names outbox rows (or partners); the stage works each partner's lane
 * on that channel: it takes the lane's lease, hands the due rows to the channel's deliverer in
 * the order the hub wrote them, records per row whether that worked (attempts, last error, next
 * attempt, dead after the limit), and keeps the partner's circuit breaker. While the circuit is
 * open the lane's rows are parked (their next attempt is the circuit's retry time) and cost no
 * attempts; when that time comes a single delivery probes the endpoint.
 *
 * Retries are not BullMQ retries of the job: each row carries its own next attempt, and the
 * stage asks for a delayed wake-up of the lane at the earliest one. A job fails (and BullMQ
 * retries it) only when the database itself is in trouble.
 */
export interface DeliveryDeps {
  db: Kysely<Database>;
  deliverers: ReadonlyMap<string, ChannelDeliverer>;
  log: Logger;
  metrics: HubMetrics;
  policy: DeliveryPolicy;
  /** Asks for the lane to be worked again at `at` (a delayed job). */
  wake(channel: string, country: string, at: Date): Promise<void>;
}

export interface DeliveryReport {
  delivered: string[];
  failed: string[];
  dead: string[];
  /** Lanes whose circuit is open: nothing tried. */
  parked: string[];
  /** Lanes another worker is delivering right now (it picks these rows up too). */
  busy: string[];
  /** Lanes of paused partners: left as they are until resumed. */
  paused: string[];
}

const OWNER = `${hostname()}:${process.pid}`;
/** A lane drained to empty is checked again after its lease is released, this many times at most. */
const MAX_PASSES = 20;

export async function deliverOutbox(deps: DeliveryDeps, channel: string, work: { ids?: readonly string[]; countries?: readonly string[] }): Promise<DeliveryReport> {
  const deliverer = deps.deliverers.get(channel);
  if (!deliverer) throw new Error(`no deliverer for channel ${channel}`);
  const report: DeliveryReport = { delivered: [], failed: [], dead: [], parked: [], busy: [], paused: [] };
  const lanes = new Set([...(work.countries ?? []), ...(await lanesOf(deps.db, channel, work.ids ?? []))]);
  if (lanes.size === 0) return report;
  const paused = await pausedCountries(deps.db);
  for (const country of [...lanes].sort()) {
    if (paused.has(country)) {
      report.paused.push(country);
      continue;
    }
    await workLane(deps, deliverer, channel, country, report);
  }
  return report;
}

async function workLane(deps: DeliveryDeps, deliverer: ChannelDeliverer, channel: string, country: string, report: DeliveryReport): Promise<void> {
  const { db, policy } = deps;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const owner = `${OWNER}:${randomUUID()}`;
    const state = await claimLane(db, channel, country, owner, policy.leaseSeconds);
    if (!state) {
      // Whoever holds the lane checks for due rows after releasing it, so nothing waits on us.
      report.busy.push(country);
      return;
    }
    let settled: boolean;
    try {
      settled = await deliverRounds(deps, deliverer, channel, country, owner, state, report);
    } finally {
      await releaseLane(db, channel, country, owner);
    }
    // Rows a concurrent job brought while we held the lease were left to us: look once more.
    if (settled || !(await hasDue(db, channel, country, new Date()))) break;
  }
  const at = await nextAttemptAt(db, channel, country);
  if (at) await deps.wake(channel, country, at);
}

/** Delivers round after round until the lane has nothing due; true if it stopped on the endpoint. */
async function deliverRounds(
  deps: DeliveryDeps,
  deliverer: ChannelDeliverer,
  channel: string,
  country: string,
  owner: string,
  initial: CircuitView,
  report: DeliveryReport,
): Promise<boolean> {
  const { db, policy, log, metrics } = deps;
  const batch = Math.max(1, Math.min(policy.batchSize, deliverer.maxBatch ?? policy.batchSize));
  let state = initial;
  for (;;) {
    const now = new Date();
    const decision = laneDecision(state, now);
    if (decision.action === 'park') {
      const parked = await parkLane(db, channel, country, decision.until);
      report.parked.push(country);
      if (parked) metrics.messages.inc({ stage: 'deliver', outcome: 'parked' }, parked);
      return true;
    }
    if (decision.state.circuit !== state.circuit) {
      state = decision.state;
      await saveCircuit(db, channel, country, state, {}, now);
      log.info({ channel, country }, 'delivery circuit half-open: probing the partner endpoint');
    }
    const rows = await dueRows(db, channel, country, decision.probe ? 1 : batch, now);
    if (rows.length === 0) return false;
    await renewLease(db, channel, country, owner, policy.leaseSeconds);
    const results = await attempt(deliverer, rows, metrics);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const ok = results.filter((r) => r.ok).map((r) => r.id);
    const tried = results.filter((r) => !r.ok && !r.notAttempted);
    const unreachable = tried.some((r) => r.unreachable);
    const done = new Date();
    await markDelivered(db, ok, done);
    // A probe that finds the endpoint still down costs its delivery nothing: the circuit absorbs it.
    const absorbed = decision.probe ? tried.filter((r) => r.unreachable) : [];
    const counted = tried.filter((r) => !absorbed.includes(r));
    const failures = counted.map((r) => ({ id: r.id, error: r.error ?? 'delivery failed', verdict: failedAttempt(policy, byId.get(r.id)!.attempts, done, r.permanent) }));
    await markFailed(db, failures, done);
    await noteProbeFailure(db, absorbed.map((r) => ({ id: r.id, error: r.error ?? 'delivery failed' })), done);

    report.delivered.push(...ok);
    for (const f of failures) {
      const row = byId.get(f.id)!;
      if (f.verdict.status === 'dead') {
        report.dead.push(f.id);
        log.warn({ correlationId: row.correlation_id, outboxId: f.id, channel, country, attempts: f.verdict.attempts, error: f.error }, 'delivery dead');
      } else {
        report.failed.push(f.id);
        log.warn({ correlationId: row.correlation_id, outboxId: f.id, channel, country, attempts: f.verdict.attempts, nextAttemptAt: f.verdict.nextAttemptAt, error: f.error }, 'delivery failed');
      }
    }
    metrics.messages.inc({ stage: 'deliver', outcome: 'delivered' }, ok.length);
    const dead = failures.filter((f) => f.verdict.status === 'dead').length;
    if (failures.length - dead) metrics.messages.inc({ stage: 'deliver', outcome: 'failed' }, failures.length - dead);
    if (dead) metrics.messages.inc({ stage: 'deliver', outcome: 'dead' }, dead);

    const next = circuitAfter(policy, state, { unreachable, answered: ok.length > 0 || tried.some((r) => !r.unreachable) }, done);
    const firstError = tried.find((r) => r.unreachable)?.error;
    if (circuitChanged(state, next) || (unreachable && next.circuit !== 'closed')) {
      await saveCircuit(db, channel, country, next, { error: firstError, failure: unreachable, success: !unreachable }, done);
      if (next.circuit === 'open' && state.circuit !== 'open') {
        log.warn({ channel, country, failures: next.failures, retryAt: next.retryAt, error: firstError }, 'delivery circuit open: the partner endpoint is down; deliveries parked');
      } else if (next.circuit === 'closed' && state.circuit !== 'closed') {
        log.info({ channel, country }, 'delivery circuit closed: the partner endpoint answers again');
      }
    }
    state = next;
    if (state.circuit === 'open') {
      const parked = await parkLane(db, channel, country, state.retryAt!);
      if (parked) metrics.messages.inc({ stage: 'deliver', outcome: 'parked' }, parked);
      report.parked.push(country);
      return true;
    }
    // The endpoint is failing but the circuit is not open yet: the failed rows wait for their
    // next attempt, and so does the rest of the lane rather than hammering the endpoint now.
    if (unreachable) {
      const holds = failures.map((f) => f.verdict.nextAttemptAt?.getTime()).filter((t): t is number => t !== undefined);
      if (holds.length) await parkLane(db, channel, country, new Date(Math.min(...holds)));
      return true;
    }
    // Nothing was tried at all: trying the same rows again at once would spin.
    if (ok.length === 0 && tried.length === 0) return true;
  }
}

function circuitChanged(a: CircuitView, b: CircuitView): boolean {
  return a.circuit !== b.circuit || a.failures !== b.failures || a.opens !== b.opens;
}

/** Runs the deliverer; whatever it throws counts as the endpoint failing for every row. */
async function attempt(deliverer: ChannelDeliverer, rows: readonly OutboxRow[], metrics: HubMetrics): Promise<DeliveryResult[]> {
  let results: DeliveryResult[];
  try {
    results = await metrics.time(`deliver-${deliverer.channel}`, () => deliverer.deliver(rows));
  } catch (err) {
    const error = describeError(err);
    return rows.map((r) => ({ id: r.id, ok: false, error, unreachable: true }));
  }
  const byId = new Map(results.map((r) => [r.id, r]));
  // A deliverer that forgets a row has not delivered it.
  return rows.map((r) => byId.get(r.id) ?? { id: r.id, ok: false, error: 'the deliverer reported nothing for this delivery', notAttempted: true });
}
