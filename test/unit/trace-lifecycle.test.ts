import { describe, expect, it } from 'vitest';
import { HubError } from '../../src/errors/hub-error.js';
import { actionsFor, allowedMoves, isFinal, movesFor, planTransition, TRACE_STATUSES, type TraceParty } from '../../src/traces/trace-lifecycle.js';
import type { TraceStatus } from '../../src/messages/generated-types.js';

function refusal(from: TraceStatus, to: TraceStatus, party: TraceParty): HubError {
  try {
    planTransition(from, to, party);
  } catch (err) {
    if (err instanceof HubError) return err;
    throw err;
  }
  throw new Error(`${from} -> ${to} by the ${party} was allowed`);
}

describe('trace request lifecycle', () => {
  it('lets each side make exactly its own moves, state by state', () => {
    const table = Object.fromEntries(TRACE_STATUSES.map((s) => [s, { requester: movesFor(s, 'requester'), addressee: movesFor(s, 'addressee'), hub: movesFor(s, 'hub') }]));
    expect(table).toEqual({
      SUBMITTED: { requester: ['CANCELLED'], addressee: ['ACKNOWLEDGED', 'REJECTED'], hub: ['DELIVERED'] },
      DELIVERED: { requester: ['CANCELLED'], addressee: ['ACKNOWLEDGED', 'REJECTED'], hub: [] },
      ACKNOWLEDGED: { requester: ['CANCELLED'], addressee: ['IN_PROGRESS', 'RESPONDED', 'REJECTED'], hub: [] },
      IN_PROGRESS: { requester: ['CANCELLED'], addressee: ['RESPONDED', 'REJECTED'], hub: [] },
      RESPONDED: { requester: ['CLOSED'], addressee: ['RESPONDED'], hub: [] },
      CLOSED: { requester: [], addressee: [], hub: [] },
      CANCELLED: { requester: [], addressee: [], hub: [] },
      REJECTED: { requester: [], addressee: [], hub: [] },
    });
  });

  it('has CLOSED, CANCELLED and REJECTED as its only final states', () => {
    expect(TRACE_STATUSES.filter(isFinal)).toEqual(['CLOSED', 'CANCELLED', 'REJECTED']);
    for (const s of TRACE_STATUSES) expect(allowedMoves(s).length === 0).toBe(isFinal(s));
  });

  it('plans one step for an ordinary move', () => {
    expect(planTransition('DELIVERED', 'ACKNOWLEDGED', 'addressee')).toEqual([{ from: 'DELIVERED', to: 'ACKNOWLEDGED', by: 'addressee' }]);
    expect(planTransition('RESPONDED', 'CLOSED', 'requester')).toEqual([{ from: 'RESPONDED', to: 'CLOSED', by: 'requester' }]);
    expect(planTransition('RESPONDED', 'RESPONDED', 'addressee')).toEqual([{ from: 'RESPONDED', to: 'RESPONDED', by: 'addressee' }]);
  });

  it('records the delivery first when the addressee acts on a request the hub has not seen delivered', () => {
    expect(planTransition('SUBMITTED', 'ACKNOWLEDGED', 'addressee')).toEqual([
      { from: 'SUBMITTED', to: 'DELIVERED', by: 'hub' },
      { from: 'DELIVERED', to: 'ACKNOWLEDGED', by: 'addressee' },
    ]);
    expect(planTransition('SUBMITTED', 'REJECTED', 'addressee').map((s) => s.to)).toEqual(['DELIVERED', 'REJECTED']);
    expect(planTransition('SUBMITTED', 'CANCELLED', 'requester')).toEqual([{ from: 'SUBMITTED', to: 'CANCELLED', by: 'requester' }]);
  });

  it('refuses a move the state does not allow with 409, naming the state and every allowed move', () => {
    const err = refusal('ACKNOWLEDGED', 'CLOSED', 'requester');
    expect(err.code).toBe('CONFLICT');
    expect(err.status).toBe(409);
    expect(err.message).toBe('the trace request is ACKNOWLEDGED; it cannot become CLOSED (from ACKNOWLEDGED: IN_PROGRESS by the addressee, RESPONDED by the addressee, REJECTED by the addressee, CANCELLED by the requester)');
    expect(err.extra).toEqual({
      currentStatus: 'ACKNOWLEDGED',
      allowed: [
        { status: 'IN_PROGRESS', by: 'addressee' },
        { status: 'RESPONDED', by: 'addressee' },
        { status: 'REJECTED', by: 'addressee' },
        { status: 'CANCELLED', by: 'requester' },
      ],
    });
    expect(err.errors).toEqual([{ pointer: '/payload/status', code: 'trace.transition', message: err.message }]);
    expect(refusal('CLOSED', 'CANCELLED', 'requester').message).toBe('the trace request is CLOSED; it cannot become CANCELLED (CLOSED is final)');
    expect(refusal('DELIVERED', 'RESPONDED', 'addressee').code).toBe('CONFLICT');
    expect(refusal('ACKNOWLEDGED', 'ACKNOWLEDGED', 'addressee').code).toBe('CONFLICT');
  });

  it('refuses the other side\'s move with 403, listing what the caller may do instead', () => {
    const err = refusal('DELIVERED', 'ACKNOWLEDGED', 'requester');
    expect(err.code).toBe('FORBIDDEN');
    expect(err.message).toBe('only the addressee may acknowledge a trace request; the caller is the requester');
    expect(err.extra).toEqual({ currentStatus: 'DELIVERED', allowed: [{ status: 'CANCELLED', by: 'requester' }] });
    expect(refusal('RESPONDED', 'CLOSED', 'addressee').message).toBe('only the requester may close a trace request; the caller is the addressee');
    expect(refusal('IN_PROGRESS', 'CANCELLED', 'addressee').code).toBe('FORBIDDEN');
    expect(refusal('SUBMITTED', 'DELIVERED', 'addressee').code).toBe('FORBIDDEN');
    expect(refusal('SUBMITTED', 'DELIVERED', 'requester').message).toBe('only the hub may record the delivery of a trace request; the caller is the requester');
  });

  it('tells each side what it can do next', () => {
    expect(actionsFor('DELIVERED', 'addressee')).toEqual({ statuses: ['ACKNOWLEDGED', 'REJECTED'], respond: false, comment: true });
    expect(actionsFor('IN_PROGRESS', 'addressee')).toEqual({ statuses: ['REJECTED'], respond: true, comment: true });
    expect(actionsFor('RESPONDED', 'requester')).toEqual({ statuses: ['CLOSED'], respond: false, comment: true });
    expect(actionsFor('CLOSED', 'addressee')).toEqual({ statuses: [], respond: false, comment: true });
    expect(actionsFor('SUBMITTED', null)).toEqual({ statuses: [], respond: false, comment: false });
  });
});
