import { describe, expect, it } from 'vitest';
import { accessDenial, assertRouteClassified, messageTypeNeed, outsideScope, routeNeed, scopeAllows, type AgencyAccess } from '../../src/identity/agency-access.js';
import { agreementErrors } from '../../src/identity/user-agreements.js';
import { discoverMessageTypes } from '../../src/messages/message-types.js';
import { loadSchemaCatalog } from '../../src/messages/schema-catalog.js';

const entity = (over: Partial<AgencyAccess> = {}): AgencyAccess => ({ role: 'agency', status: 'approved', scope: { seizures: 'write' }, until: '2027-01-31', reason: null, ...over });

describe('whether an agency may use the hub today', () => {
  it('lets an approved agency in up to and including the last day of its agreement', () => {
    expect(accessDenial(entity(), 'FR', '2027-01-31')).toBeUndefined();
    expect(accessDenial(entity(), 'FR', '2027-02-01')).toMatchObject({ code: 'ACCESS_NOT_GRANTED', status: 'expired' });
  });

  it('keeps out a pending, suspended or revoked agency, saying whose approval it needs', () => {
    expect(accessDenial(entity({ status: 'pending' }), 'DE', '2026-11-26')?.detail).toContain('the NCB of DE approves it');
    expect(accessDenial(entity({ status: 'suspended', reason: 'audit' }), 'DE', '2026-11-26')).toMatchObject({ status: 'suspended', detail: 'access suspended by the NCB of DE: audit' });
    expect(accessDenial(entity({ status: 'revoked' }), 'DE', '2026-11-26')).toMatchObject({ status: 'revoked' });
  });

  it('never expires an NCB or a hub admin', () => {
    expect(accessDenial({ role: 'ncb', status: 'approved', scope: null, until: null, reason: null }, 'FR', '2099-01-01')).toBeUndefined();
  });
});

describe('scopes', () => {
  it('lets write include read, and read only read', () => {
    expect(scopeAllows({ records: 'write' }, { module: 'records', level: 'read' })).toBe(true);
    expect(scopeAllows({ records: 'read' }, { module: 'records', level: 'read' })).toBe(true);
    expect(scopeAllows({ records: 'read' }, { module: 'records', level: 'write' })).toBe(false);
    expect(scopeAllows({ records: 'write' }, { module: 'traces', level: 'read' })).toBe(false);
    expect(scopeAllows(null, { module: 'traces', level: 'write' })).toBe(true);
  });

  it('says what the agency is approved for when it refuses', () => {
    expect(outsideScope({ seizures: 'write' }, { module: 'traces', level: 'read' }, 'FR/DOUANE')?.detail).toBe('FR/DOUANE is approved for seizures (write), not to read traces');
    expect(outsideScope({}, { module: 'records', level: 'read' }, 'FR/DOUANE')?.detail).toContain('approved for no module');
  });
});

describe('what a route needs', () => {
  it('reads the module from the path and the level from the method; a check is a search', () => {
    expect(routeNeed('GET', '/v1/records/:id')).toEqual({ module: 'records', level: 'read' });
    expect(routeNeed('PATCH', '/v1/records/:id')).toEqual({ module: 'records', level: 'write' });
    expect(routeNeed('POST', '/v1/hits/:id/confirm')).toEqual({ module: 'seizures', level: 'write' });
    expect(routeNeed('POST', '/v1/checks')).toEqual({ module: 'seizures', level: 'read' });
    expect(routeNeed('GET', '/v1/trace-requests/export')).toEqual({ module: 'traces', level: 'read' });
    expect(routeNeed('GET', '/v1/inbox')).toBeUndefined();
    expect(routeNeed('GET', '/health/ready')).toBeUndefined();
  });

  it('refuses to build a /v1 route that is in no module and not known to be outside them', () => {
    expect(() => assertRouteClassified('/v1/statistics/records')).toThrow(/\/v1\/statistics is in no module/);
    expect(() => assertRouteClassified('/v1/records/:id')).not.toThrow();
    expect(() => assertRouteClassified('/metrics')).not.toThrow();
  });

  it('gives every inbound message type but notices a module', () => {
    const inbound = [...discoverMessageTypes(loadSchemaCatalog()).values()].filter((t) => t.direction !== 'outbound').map((t) => t.type);
    expect(inbound.length).toBeGreaterThan(5);
    for (const type of inbound) expect(messageTypeNeed(type) === undefined, type).toBe(type.startsWith('hub.'));
    expect(messageTypeNeed('hit.decision')).toEqual({ module: 'seizures', level: 'write' });
  });
});

describe('a user agreement as an NCB records it', () => {
  const ok = { reference: 'UA-1', signedOn: '2026-11-01', signedBy: 'Head', scope: { records: 'read' as const } };
  it('runs three years by default and five at most, and must still be in force', () => {
    expect(agreementErrors(ok, '2026-11-26')).toEqual([]);
    expect(agreementErrors({ ...ok, validUntil: '2031-11-01' }, '2026-11-26')).toEqual([]);
    expect(agreementErrors({ ...ok, validUntil: '2031-11-02' }, '2026-11-26')).toEqual([expect.objectContaining({ code: 'agreement.too-long' })]);
    expect(agreementErrors({ ...ok, signedOn: '2023-11-25' }, '2026-11-26')).toEqual([expect.objectContaining({ code: 'agreement.expired' })]);
    expect(agreementErrors({ ...ok, signedOn: '2024-02-29' }, '2026-11-26')).toEqual([]);
  });
});
