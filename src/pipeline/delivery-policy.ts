import type { CircuitState } from '../db/database-types.js';
import type { HubConfig } from '../messages/generated-types.js';

/**
 * The delivery rules as plain functions over plain data: when a failed delivery is tried again,
 * when it is dead, and how a partner's circuit breaker moves between closed, open and half-open.
 * The delivery stage does the I/O around them.
 */
export interface DeliveryPolicy {
  attempts: number;
  backoffMs: number;
  maxBackoffMs: number;
  batchSize: number;
  leaseSeconds: number;
  circuit: { failureThreshold: number; openSeconds: number; maxOpenSeconds: number };
}

export function deliveryPolicy(config: HubConfig['delivery']): DeliveryPolicy {
  return {
    attempts: config.attempts,
    backoffMs: config.backoffMs,
    maxBackoffMs: config.maxBackoffMs ?? 600_000,
    batchSize: config.batchSize ?? 200,
    leaseSeconds: config.leaseSeconds ?? 120,
    circuit: {
      failureThreshold: config.circuit?.failureThreshold ?? 3,
      openSeconds: config.circuit?.openSeconds ?? 30,
      maxOpenSeconds: config.circuit?.maxOpenSeconds ?? 600,
    },
  };
}

/** Delay before the next attempt of a delivery that has failed `attempts` times (1, 2, ...). */
export function retryDelayMs(policy: DeliveryPolicy, attempts: number): number {
  const exponent = Math.max(0, attempts - 1);
  // 2 ** 60 would overflow into nonsense long before the cap; stop doubling once past it.
  return exponent > 40 ? policy.maxBackoffMs : Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** exponent);
}

export type RowVerdict = { status: 'failed'; attempts: number; nextAttemptAt: Date } | { status: 'dead'; attempts: number; nextAttemptAt: null };

/** What becomes of a delivery that was tried and failed. */
export function failedAttempt(policy: DeliveryPolicy, attemptsBefore: number, now: Date, permanent = false): RowVerdict {
  const attempts = attemptsBefore + 1;
  if (permanent || attempts >= policy.attempts) return { status: 'dead', attempts, nextAttemptAt: null };
  return { status: 'failed', attempts, nextAttemptAt: new Date(now.getTime() + retryDelayMs(policy, attempts)) };
}

export interface CircuitView {
  circuit: CircuitState;
  /** Consecutive rounds in which the endpoint could not be reached. */
  failures: number;
  /** Consecutive openings without a success in between (each one stays open twice as long). */
  opens: number;
  retryAt: Date | null;
  openedAt: Date | null;
}

export const CLOSED: CircuitView = { circuit: 'closed', failures: 0, opens: 0, retryAt: null, openedAt: null };

export type LaneDecision =
  /** Deliver; a probe is a single delivery that decides whether the circuit closes again. */
  | { action: 'deliver'; probe: boolean; state: CircuitView }
  | { action: 'park'; until: Date };

/** Whether a lane may deliver now. An open circuit whose time is up becomes half-open. */
export function laneDecision(state: CircuitView, now: Date): LaneDecision {
  if (state.circuit === 'closed') return { action: 'deliver', probe: false, state };
  if (state.circuit === 'open' && state.retryAt && state.retryAt.getTime() > now.getTime()) return { action: 'park', until: state.retryAt };
  return { action: 'deliver', probe: true, state: { ...state, circuit: 'half_open' } };
}

export interface RoundOutcome {
  /** Some delivery failed because the endpoint as a whole could not be reached. */
  unreachable: boolean;
  /** The endpoint answered at least once (a success, or a refusal of one message). */
  answered: boolean;
}

/** The circuit after one round of deliveries to the lane. */
export function circuitAfter(policy: DeliveryPolicy, state: CircuitView, outcome: RoundOutcome, now: Date): CircuitView {
  if (outcome.unreachable) {
    const failures = state.failures + 1;
    if (state.circuit === 'half_open' || state.circuit === 'open' || failures >= policy.circuit.failureThreshold) {
      const opens = state.opens + 1;
      const seconds = Math.min(policy.circuit.maxOpenSeconds, policy.circuit.openSeconds * 2 ** Math.min(opens - 1, 30));
      return { circuit: 'open', failures, opens, openedAt: now, retryAt: new Date(now.getTime() + seconds * 1000) };
    }
    return { ...state, failures };
  }
  if (outcome.answered) return CLOSED;
  return state;
}
