import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/test-hub.js';

/**
 * What one party can learn of another's data by indirect means: a route of one module acting in
 * another, a reused idempotency key or request reference, a search filter, a check repeated with
 * other descriptions, a message's delivery list. Each answer must tell the caller no more than a
 * direct read would.
 */
let t: TestHub;
type A = { id: string; auth: string };
let frNcb: A;
let frAgencyA: A;
let frAgencyB: A;
let deNcb: A;
let deSeizuresOnly: A;
let deTracesOnly: A;
let usNcb: A;

const inject = (opts: InjectOptions) => t.hub.app!.inject(opts);
const post = (auth: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
  inject({ method: 'POST', url, headers: { authorization: auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
const get = (auth: string, url: string) => inject({ method: 'GET', url, headers: { authorization: auth } });

let n = 0;
function record(serial: string, extra: Record<string, unknown> = {}, firearm: Record<string, unknown> = {}) {
  n++;
  return {
    ownerReference: `FR-AZ-${n}`,
    status: 'STOLEN',
    firearm: { serials: [{ value: serial, location: 'frame' }], make: 'Smith & Wesson', model: 'M&P9', calibre: '9mm Luger', type: 'pistol', countryOfManufacture: 'US', ...firearm },
    event: { date: '2026-09-01', caseNumber: `PJ-AZ-${n}`, place: { country: 'FR', locality: 'Marseille' }, illicitBasis: 'national-law' },
    ...extra,
  };
}
function seizure(serial: string) {
  n++;
  return {
    seizureReference: `ZOLL-AZ-${n}`,
    date: '2026-11-20',
    place: { type: 'airport', locality: 'Frankfurt' },
    direction: 'import',
    legalBasis: 'WaffG § 52',
    criminalContext: 'trafficking',
    firearms: [{ itemReference: 'EXH-1', description: { make: 'Walther', calibre: '9x19', type: 'pistol', serials: [{ value: serial }], countryOfManufacture: 'DE' } }],
  };
}
function traceRequest(ref: string) {
  return {
    requestReference: ref,
    addressedTo: { country: 'DE', as: 'country-of-manufacture' },
    firearm: { serials: [{ value: 'WP 123-456', location: 'frame' }], make: 'Walther', model: 'P99', calibre: '9mm Luger', type: 'pistol', countryOfManufacture: 'DE' },
    illicitNature: { basis: 'national-law', legalJustification: 'Possession without a licence' },
    recovery: { date: '2026-10-01', place: { country: 'FR', locality: 'Marseille' }, circumstances: 'Found during a search of a vehicle after a shooting' },
    intendedUse: 'Criminal investigation of the shooting; evidence in court',
    priority: 'routine',
    crimeCategory: 'homicide',
    caseReference: `CASE-${ref}`,
  };
}

beforeAll(async () => {
  t = await startTestHub('cross-party-disclosure');
  frNcb = await t.agency('FR', 'NCB-PARIS');
  frAgencyA = await t.agency('FR', 'PJ-MARSEILLE', 'agency', { access: { traces: 'write' } });
  frAgencyB = await t.agency('FR', 'DOUANE-LYON', 'agency', { access: { traces: 'write' } });
  deNcb = await t.agency('DE', 'NCB-WIESBADEN');
  deSeizuresOnly = await t.agency('DE', 'ZOLL-SEIZ', 'agency', { access: { seizures: 'write' } });
  deTracesOnly = await t.agency('DE', 'BKA-TRACE', 'agency', { access: { traces: 'read' } });
  usNcb = await t.agency('US', 'NCB-WASHINGTON');
  void frNcb;
  void deTracesOnly;
});
afterAll(() => t?.stop());

describe('scopes across modules', () => {
  it('keeps an agency approved for seizures only from making a trace request out of a seizure', async () => {
    // control: the direct route is refused
    const direct = await post(deSeizuresOnly.auth, '/v1/trace-requests', { ...traceRequest('DE-DIRECT-1'), addressedTo: { country: 'US' } });
    expect(direct.statusCode).toBe(403);
    expect(direct.json().code).toBe('OUTSIDE_SCOPE');

    const s = await post(deSeizuresOnly.auth, '/v1/seizures', seizure('NOHIT 998877'));
    expect(s.statusCode, s.body).toBe(201);
    const res = await post(deSeizuresOnly.auth, `/v1/seizures/${s.json().seizureId}/trace-requests`, {
      addressedTo: { country: 'US', as: 'country-of-manufacture' },
      intendedUse: 'Criminal investigation',
      crimeCategory: 'trafficking',
    });
    expect(res.statusCode, res.body).toBe(403);
    const traces = await t.hub.ctx.db.selectFrom('trace_requests').select('id').where('requester_agency', '=', 'ZOLL-SEIZ').execute();
    expect(traces).toHaveLength(0);
  });
});

describe('trace requests: only their two sides', () => {
  it('keeps another agency of the country from reading a trace request by reposting its reference under a reused Idempotency-Key', async () => {
    const created = await post(frAgencyA.auth, '/v1/trace-requests', traceRequest('FR-A-SECRET-1'));
    expect(created.statusCode, created.body).toBe(201);
    const traceId = created.json().id as string;
    // B is no side of it: GET is a 404 (control)
    expect((await get(frAgencyB.auth, `/v1/trace-requests/${traceId}`)).statusCode).toBe(404);

    // B sends any message of its own with message id K (a notice), then re-uses K as Idempotency-Key
    const k = 'b-reused-key-1';
    const notice = await inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { authorization: frAgencyB.auth, 'content-type': 'application/json' },
      payload: JSON.stringify({ messageId: k, type: 'hub.notice', sender: { country: 'FR', agency: 'DOUANE-LYON' }, sentAt: new Date().toISOString(), payload: { to: [{ country: 'DE' }], subject: 's', body: 'b' } }),
    });
    expect(notice.statusCode, notice.body).toBe(202);
    const res = await post(frAgencyB.auth, '/v1/trace-requests', { requestReference: 'FR-A-SECRET-1' }, { 'idempotency-key': k });
    expect(res.statusCode).not.toBe(200);
    expect(res.body).not.toContain(traceId);
    expect(res.body).not.toContain('CASE-FR-A-SECRET-1');
  });

  it('keeps another agency of the country from reading a trace request by sending the same content again', async () => {
    const body = traceRequest('FR-A-SECRET-2');
    const created = await post(frAgencyA.auth, '/v1/trace-requests', body);
    expect(created.statusCode, created.body).toBe(201);
    const traceId = created.json().id as string;
    const res = await post(frAgencyB.auth, '/v1/trace-requests', body);
    expect(res.statusCode).not.toBe(200);
    expect(res.body).not.toContain(traceId);
  });
});

describe('record restrictions: inference', () => {
  it('narrows the reviewOverdue filter to the caller\'s own records, so it tells nothing of another country\'s', async () => {
    const r = await post(frNcb.auth, '/v1/records', record('REV 10001'));
    expect(r.statusCode, r.body).toBe(201);
    const id = r.json().id as string;
    await t.hub.ctx.db.updateTable('records').set({ review_overdue: true }).where('id', '=', id).execute();
    // The view hides it from a non-owner ...
    const view = (await get(deNcb.auth, `/v1/records/${id}`)).json();
    expect(view.reviewOverdue).toBeUndefined();
    // ... and so does the filter.
    const overdue = (await get(deNcb.auth, '/v1/records?owner=FR&reviewOverdue=true')).json().items.map((x: { id: string }) => x.id);
    const notOverdue = (await get(deNcb.auth, '/v1/records?owner=FR&reviewOverdue=false')).json().items.map((x: { id: string }) => x.id);
    expect(overdue.includes(id) && !notOverdue.includes(id)).toBe(false);
  });

  it('answers a check on a record the caller may not see on the serial alone: the same answer whatever make or calibre it tries', async () => {
    const r = await post(frNcb.auth, '/v1/records', record('ORCL 424242', { restrictions: { visibility: 'deny', countries: ['US'] } }));
    expect(r.statusCode, r.body).toBe(201);
    const check = async (make: string, calibre: string) => {
      const res = await post(usNcb.auth, '/v1/checks', { serial: 'ORCL 424242', make, calibre, type: 'pistol', purpose: 'border control probe' });
      expect(res.statusCode, res.body).toBe(200);
      const m = (res.json().matches as { restricted?: unknown; score: number; tier: string }[]).find((x) => x.restricted);
      expect(m).toBeDefined();
      return m!;
    };
    const right = await check('Smith & Wesson', '9mm Luger');
    const wrong = await check('Beretta', '9mm Luger');
    const neither = await check('Glock', '.45 ACP');
    expect(right).toEqual({ restricted: expect.objectContaining({ ownerCountry: 'FR' }) });
    expect(wrong).toEqual(right);
    expect(neither).toEqual(right);
  });
});

describe('message lookup: outbound recipients', () => {
  it("does not name, in a message's deliveries, the owner agency of a record restricted from the sender", async () => {
    const frUnit = await t.agency('FR', 'PJ-SECRET-UNIT', 'agency');
    const deZoll = await t.agency('DE', 'ZOLL-F5', 'agency');
    const r = await post(frUnit.auth, '/v1/records', record('LIN 515151', { restrictions: { visibility: 'deny', countries: ['DE'] } }));
    expect(r.statusCode, r.body).toBe(201);
    const s = await post(deZoll.auth, '/v1/seizures', { ...seizure('LIN 515151'), firearms: [{ description: { make: 'S&W', calibre: '9x19', type: 'pistol', serials: [{ value: 'LIN 515151' }] } }] });
    expect(s.statusCode, s.body).toBe(201);
    const hit = s.json().items[0].hits[0];
    // the hit itself is restricted for DE: only "contact NCB-PARIS"
    expect(hit.restricted).toBeDefined();
    expect(JSON.stringify(hit)).not.toContain('PJ-SECRET-UNIT');
    const m = await get(deZoll.auth, `/v1/messages/${s.json().ledgerId}`);
    expect(m.statusCode).toBe(200);
    expect(m.body).not.toContain('PJ-SECRET-UNIT');
  });
});
