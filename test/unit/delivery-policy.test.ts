import { describe, expect, it } from 'vitest';
import { CLOSED, circuitAfter, deliveryPolicy, failedAttempt, laneDecision, retryDelayMs, type CircuitView } from '../../src/pipeline/delivery-policy.js';

/** The delivery rules: backoff, the attempt limit, and the circuit breaker's moves. */
const policy = deliveryPolicy({ attempts: 5, backoffMs: 1000, maxBackoffMs: 10_000, circuit: { failureThreshold: 3, openSeconds: 30, maxOpenSeconds: 100 } });
const at = (s: number) => new Date(Date.UTC(2026, 10, 26, 12, 0, s));

describe('retry delays', () => {
  it('double from backoffMs with each failed attempt, up to maxBackoffMs', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(policy, n))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(retryDelayMs(policy, 500)).toBe(10_000);
  });

  it('fill in defaults for settings the hub file leaves out', () => {
    const p = deliveryPolicy({ attempts: 10, backoffMs: 2000 });
    expect(p).toMatchObject({ maxBackoffMs: 600_000, batchSize: 200, leaseSeconds: 120, circuit: { failureThreshold: 3, openSeconds: 30, maxOpenSeconds: 600 } });
  });
});

describe('a failed attempt', () => {
  it('is tried again after the delay of its attempt number', () => {
    expect(failedAttempt(policy, 0, at(0))).toEqual({ status: 'failed', attempts: 1, nextAttemptAt: at(1) });
    expect(failedAttempt(policy, 2, at(0))).toEqual({ status: 'failed', attempts: 3, nextAttemptAt: at(4) });
  });

  it('is dead once it has used the last attempt', () => {
    expect(failedAttempt(policy, 4, at(0))).toEqual({ status: 'dead', attempts: 5, nextAttemptAt: null });
    expect(failedAttempt(policy, 9, at(0)).status).toBe('dead');
  });

  it('is dead at once when trying again cannot help', () => {
    expect(failedAttempt(policy, 0, at(0), true)).toEqual({ status: 'dead', attempts: 1, nextAttemptAt: null });
  });
});

describe('the circuit breaker', () => {
  const down = { unreachable: true, answered: false };
  const up = { unreachable: false, answered: true };

  it('stays closed below the failure threshold and opens at it, for openSeconds', () => {
    let s: CircuitView = CLOSED;
    s = circuitAfter(policy, s, down, at(0));
    s = circuitAfter(policy, s, down, at(1));
    expect(s).toMatchObject({ circuit: 'closed', failures: 2 });
    s = circuitAfter(policy, s, down, at(2));
    expect(s).toEqual({ circuit: 'open', failures: 3, opens: 1, openedAt: at(2), retryAt: at(32) });
  });

  it('parks a lane until the retry time, then lets one probe through (half-open)', () => {
    const open: CircuitView = { circuit: 'open', failures: 3, opens: 1, openedAt: at(0), retryAt: at(30) };
    expect(laneDecision(open, at(29))).toEqual({ action: 'park', until: at(30) });
    expect(laneDecision(open, at(30))).toEqual({ action: 'deliver', probe: true, state: { ...open, circuit: 'half_open' } });
    expect(laneDecision(CLOSED, at(0))).toEqual({ action: 'deliver', probe: false, state: CLOSED });
  });

  it('re-opens after a failed probe for twice as long each time, up to maxOpenSeconds', () => {
    let s: CircuitView = { circuit: 'half_open', failures: 3, opens: 1, openedAt: at(0), retryAt: at(30) };
    s = circuitAfter(policy, s, down, at(30));
    expect(s).toMatchObject({ circuit: 'open', opens: 2, retryAt: new Date(at(30).getTime() + 60_000) });
    s = circuitAfter(policy, { ...s, circuit: 'half_open' }, down, at(90));
    expect(s.retryAt).toEqual(new Date(at(90).getTime() + 100_000));
  });

  it('closes, forgetting its failures, as soon as the endpoint answers, even refusing a message', () => {
    const half: CircuitView = { circuit: 'half_open', failures: 5, opens: 3, openedAt: at(0), retryAt: at(30) };
    expect(circuitAfter(policy, half, up, at(31))).toEqual(CLOSED);
    expect(circuitAfter(policy, { ...CLOSED, failures: 2 }, up, at(31))).toEqual(CLOSED);
  });

  it('is unchanged by a round in which nothing was tried', () => {
    const s: CircuitView = { ...CLOSED, failures: 2 };
    expect(circuitAfter(policy, s, { unreachable: false, answered: false }, at(0))).toBe(s);
  });
});
