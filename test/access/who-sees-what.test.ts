import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { waitFor } from '../support/test-environment.js';

/**
 * Who sees what, route by route: a message's lookup and the inbox, records under their owner's
 * restrictions, seizures and hits, trace requests, agencies and administration. Each case asks as
 * the parties that must be answered and as those that must not.
 */
let t: TestHub;
type A = { id: string; auth: string };
let frNcb: A, frPj: A, frDouane: A, deNcb: A, deZoll: A, deRecordsRead: A, dePending: A, usNcb: A, admin: A;

const inject = (opts: InjectOptions) => t.hub.app!.inject(opts);
const post = (auth: string | undefined, url: string, body?: unknown, headers: Record<string, string> = {}) =>
  inject({ method: 'POST', url, headers: { ...(auth ? { authorization: auth } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
const get = (auth: string | undefined, url: string) => inject({ method: 'GET', url, headers: auth ? { authorization: auth } : {} });

let n = 0;
function record(serial: string, extra: Record<string, unknown> = {}) {
  n++;
  return {
    ownerReference: `FR-PP-${n}`,
    status: 'STOLEN',
    firearm: { serials: [{ value: serial, location: 'frame' }], make: 'Smith & Wesson', model: 'M&P9', calibre: '9mm Luger', type: 'pistol', countryOfManufacture: 'US' },
    event: { date: '2026-09-01', caseNumber: `SECRETCASE-${n}`, place: { country: 'FR', locality: 'Marseille' }, illicitBasis: 'national-law' },
    ...extra,
  };
}
function seizure(serial: string) {
  n++;
  return {
    seizureReference: `ZOLL-PP-${n}`,
    date: '2026-11-20',
    place: { type: 'airport', locality: 'Frankfurt' },
    legalBasis: 'WaffG § 52',
    firearms: [{ itemReference: 'EXH-1', description: { make: 'S&W', calibre: '9x19', type: 'pistol', serials: [{ value: serial }] } }],
  };
}
function traceRequest(ref: string, to = 'DE') {
  return {
    requestReference: ref,
    addressedTo: { country: to, as: 'country-of-manufacture' },
    firearm: { serials: [{ value: 'WP 123-456', location: 'frame' }], make: 'Walther', model: 'P99', calibre: '9mm Luger', type: 'pistol', countryOfManufacture: 'DE' },
    illicitNature: { basis: 'national-law', legalJustification: 'Possession without a licence' },
    recovery: { date: '2026-10-01', place: { country: 'FR', locality: 'Marseille' }, circumstances: 'Found during a search of a vehicle' },
    intendedUse: 'Criminal investigation; evidence in court',
    priority: 'routine',
    crimeCategory: 'homicide',
    caseReference: `CASE-${ref}`,
  };
}
function noticeFrom(country: string, agency: string, to: string[], messageId = `m-${Math.random().toString(36).slice(2)}`) {
  return { messageId, type: 'hub.notice', sender: { country, agency }, sentAt: new Date().toISOString(), payload: { to: to.map((c) => ({ country: c })), subject: 'probe', body: 'probe body' } };
}
const sendMessage = (auth: string, env: unknown) => inject({ method: 'POST', url: '/v1/messages', headers: { authorization: auth, 'content-type': 'application/json' }, payload: JSON.stringify(env) });

beforeAll(async () => {
  t = await startTestHub('who-sees-what');
  frNcb = await t.agency('FR', 'NCB-PARIS');
  frPj = await t.agency('FR', 'PJ-PARIS', 'agency');
  frDouane = await t.agency('FR', 'DOUANE-CDG', 'agency');
  deNcb = await t.agency('DE', 'NCB-WIESBADEN');
  deZoll = await t.agency('DE', 'ZOLL-FRA', 'agency');
  deRecordsRead = await t.agency('DE', 'LKA-READ', 'agency', { access: { records: 'read' } });
  dePending = await t.agency('DE', 'PENDING-X', 'agency', { access: 'pending' });
  usNcb = await t.agency('US', 'NCB-WASHINGTON');
  admin = await t.agency(null, 'HUB-OPS');
});
afterAll(() => t?.stop());

describe('messages and inbox', () => {
  it('GET /v1/messages/{id}: sender, its NCB and hub admins only', async () => {
    const sent = await sendMessage(frPj.auth, noticeFrom('FR', 'PJ-PARIS', ['DE']));
    expect(sent.statusCode, sent.body).toBe(202);
    const id = sent.json().ledgerId as string;
    expect((await get(frPj.auth, `/v1/messages/${id}`)).statusCode).toBe(200);
    expect((await get(frNcb.auth, `/v1/messages/${id}`)).statusCode).toBe(200);
    expect((await get(admin.auth, `/v1/messages/${id}`)).statusCode).toBe(200);
    expect((await get(frDouane.auth, `/v1/messages/${id}`)).statusCode).toBe(404);
    expect((await get(deNcb.auth, `/v1/messages/${id}`)).statusCode).toBe(404);
    expect((await get(dePending.auth, `/v1/messages/${id}`)).statusCode).toBe(403);
  });

  it('a message naming another sender is refused', async () => {
    const res = await sendMessage(frPj.auth, noticeFrom('FR', 'NCB-PARIS', ['DE']));
    expect(res.statusCode).toBe(403);
    const res2 = await sendMessage(deNcb.auth, noticeFrom('FR', 'NCB-PARIS', ['DE']));
    expect(res2.statusCode).toBe(403);
  });

  it('inbox: a country-wide item goes to the NCB only; nobody else can ack it', async () => {
    const sent = await sendMessage(frNcb.auth, noticeFrom('FR', 'NCB-PARIS', ['DE']));
    expect(sent.statusCode).toBe(202);
    const corr = sent.json().correlationId as string;
    const item = await waitFor(async () => ((await get(deNcb.auth, '/v1/inbox?limit=500')).json().items as { id: string; correlationId: string }[]).find((i) => i.correlationId === corr), 'DE inbox');
    const zollItems = (await get(deZoll.auth, '/v1/inbox?limit=500')).json().items as { id: string }[];
    expect(zollItems.map((i) => i.id)).not.toContain(item.id);
    for (const a of [deZoll, frNcb, usNcb]) expect((await post(a.auth, `/v1/inbox/${item.id}/ack`)).statusCode).toBe(404);
    expect((await post(admin.auth, `/v1/inbox/${item.id}/ack`)).statusCode).toBe(403);
    expect((await post(dePending.auth, `/v1/inbox/${item.id}/ack`)).statusCode).toBe(403);
    expect((await post(deNcb.auth, `/v1/inbox/${item.id}/ack`)).statusCode).toBe(200);
  });
});

describe('records and restrictions', () => {
  let allowUs: string;
  let confidential: string;
  beforeAll(async () => {
    const a = await post(frNcb.auth, '/v1/records', record('RESTR 77001', { restrictions: { visibility: 'allow', countries: ['US'] } }));
    expect(a.statusCode, a.body).toBe(201);
    allowUs = a.json().id;
    const c = await post(frNcb.auth, '/v1/records', record('CONF 77002', { restrictions: { visibility: 'all', confidentiality: 'confidential' } }));
    expect(c.statusCode, c.body).toBe(201);
    confidential = c.json().id;
  });

  it('a restricted record is 404 to others, in GET, PATCH, status, history; owner and allowed see it', async () => {
    expect((await get(deNcb.auth, `/v1/records/${allowUs}`)).statusCode).toBe(404);
    expect((await inject({ method: 'PATCH', url: `/v1/records/${allowUs}`, headers: { authorization: deNcb.auth, 'content-type': 'application/json' }, payload: '{"status":"CLEARED"}' })).statusCode).toBe(404);
    expect((await post(deNcb.auth, `/v1/records/${allowUs}/status`, { status: 'CLEARED' })).statusCode).toBe(404);
    expect((await get(deNcb.auth, `/v1/records/${allowUs}/history`)).statusCode).toBe(404);
    const us = await get(usNcb.auth, `/v1/records/${allowUs}`);
    expect(us.statusCode).toBe(200);
    expect(us.json().restrictions).toBeUndefined();
    expect((await get(usNcb.auth, `/v1/records/${allowUs}/history`)).statusCode).toBe(403);
    expect((await post(usNcb.auth, `/v1/records/${allowUs}/status`, { status: 'CLEARED' })).statusCode).toBe(403);
    expect((await get(frDouane.auth, `/v1/records/${allowUs}/history`)).statusCode).toBe(200);
    expect((await get(admin.auth, `/v1/records/${allowUs}/history`)).statusCode).toBe(200);
  });

  it('confidential: NCBs of others only, not their agencies', async () => {
    expect((await get(deRecordsRead.auth, `/v1/records/${confidential}`)).statusCode).toBe(404);
    expect((await get(deNcb.auth, `/v1/records/${confidential}`)).statusCode).toBe(200);
  });

  it('search, pagination and exports (ndjson, csv) never hold restricted records', async () => {
    for (const auth of [deNcb.auth, deRecordsRead.auth]) {
      const s = (await get(auth, '/v1/records?limit=500&owner=FR')).json();
      expect(JSON.stringify(s)).not.toContain(allowUs);
      expect((await get(auth, '/v1/records?serial=RESTR77001')).json().items).toHaveLength(0);
      const nd = await get(auth, '/v1/records/export?format=ndjson');
      expect(nd.body).not.toContain(allowUs);
      const csv = await get(auth, '/v1/records/export?format=csv');
      expect(csv.body).not.toContain(allowUs);
      expect(csv.body).not.toContain('RESTR');
    }
    const agencyCsv = await get(deRecordsRead.auth, '/v1/records/export?format=csv');
    expect(agencyCsv.body).not.toContain(confidential);
    // a cursor pointing past the restricted one does not bring it back
    const after = (await get(deNcb.auth, `/v1/records?after=ffffffff-ffff-7fff-bfff-ffffffffffff&limit=500`)).json();
    expect(JSON.stringify(after)).not.toContain(allowUs);
  });

  it('scope: records read cannot write or check; pending agencies get nothing', async () => {
    const w = await post(deRecordsRead.auth, '/v1/records', { ...record('X 1'), ownerReference: 'DE-1' });
    expect(w.statusCode).toBe(403);
    expect(w.json().code).toBe('OUTSIDE_SCOPE');
    expect((await post(deRecordsRead.auth, '/v1/checks', { serial: 'RESTR77001', purpose: 'probe' })).statusCode).toBe(403);
    expect((await get(deRecordsRead.auth, '/v1/hits')).statusCode).toBe(403);
    expect((await get(deRecordsRead.auth, '/v1/trace-requests')).statusCode).toBe(403);
    const env = { messageId: 'rr-1', type: 'record.upsert', sender: { country: 'DE', agency: 'LKA-READ' }, sentAt: new Date().toISOString(), payload: { ...record('X 2'), ownerReference: 'DE-2' } };
    expect((await sendMessage(deRecordsRead.auth, env)).statusCode).toBe(403);
    const batch = await inject({ method: 'POST', url: '/v1/message-batches', headers: { authorization: deRecordsRead.auth, 'content-type': 'application/x-ndjson' }, payload: `${JSON.stringify({ ...env, messageId: 'rr-2' })}\n` });
    expect(batch.json().rejected).toBe(1);
    for (const url of ['/v1/records', '/v1/inbox', '/v1/hits']) expect((await get(dePending.auth, url)).json().code).toBe('ACCESS_NOT_GRANTED');
  });
});

describe('seizures, hits and checks', () => {
  it('hits and seizures: third countries get 404; the seizing side cannot decide; restricted record hidden from the seizing side', async () => {
    await post(frNcb.auth, '/v1/records', record('HITP 55501', { restrictions: { visibility: 'deny', countries: ['DE'] } }));
    const s = await post(deZoll.auth, '/v1/seizures', seizure('HITP 55501'));
    expect(s.statusCode, s.body).toBe(201);
    const hit = s.json().items[0].hits[0];
    expect(hit.record).toBeUndefined();
    expect(hit.restricted.ownerCountry).toBe('FR');
    expect(JSON.stringify(s.json())).not.toMatch(/SECRETCASE|Marseille|FR-PP-/);
    const seizureId = s.json().seizureId as string;
    expect((await get(usNcb.auth, `/v1/hits/${hit.hitId}`)).statusCode).toBe(404);
    expect((await post(usNcb.auth, `/v1/hits/${hit.hitId}/confirm`)).statusCode).toBe(404);
    expect((await post(deZoll.auth, `/v1/hits/${hit.hitId}/confirm`)).statusCode).toBe(403);
    expect((await get(usNcb.auth, `/v1/seizures/${seizureId}`)).statusCode).toBe(404);
    expect((await get(frNcb.auth, `/v1/seizures/${seizureId}`)).statusCode).toBe(404);
    expect((await post(frNcb.auth, `/v1/seizures/${seizureId}/trace-requests`, { addressedTo: { country: 'US' }, intendedUse: 'xyz', crimeCategory: 'xx' })).statusCode).toBe(404);
    const deView = (await get(deNcb.auth, `/v1/hits/${hit.hitId}`)).json();
    expect(deView.record).toBeUndefined();
    const seizingList = (await get(deZoll.auth, '/v1/hits?side=seizing&limit=500')).json();
    expect(JSON.stringify(seizingList)).not.toMatch(/SECRETCASE|FR-PP-/);
    const usList = (await get(usNcb.auth, '/v1/hits?side=seizing&limit=500')).json();
    expect(usList.items).toHaveLength(0);
    // a hit.decision sent as a message by a third country: not found
    const dec = await sendMessage(usNcb.auth, { messageId: 'dec-1', type: 'hit.decision', sender: { country: 'US', agency: 'NCB-WASHINGTON' }, sentAt: new Date().toISOString(), payload: { hitId: hit.hitId, decision: 'CONFIRMED' } });
    expect([202, 400, 404]).toContain(dec.statusCode);
    expect((await get(frNcb.auth, `/v1/hits/${hit.hitId}`)).json().status).toBe('PENDING_CONFIRMATION');
  });

  it('checks hide restricted records (contact the owner)', async () => {
    await post(frNcb.auth, '/v1/records', record('CHKP 66601', { restrictions: { visibility: 'deny', countries: ['US'] } }));
    const c = (await post(usNcb.auth, '/v1/checks', { serial: 'CHKP 66601', make: 'Smith & Wesson', purpose: 'probe' })).json();
    expect(c.matches[0].restricted.ownerCountry).toBe('FR');
    expect(JSON.stringify(c)).not.toMatch(/SECRETCASE|FR-PP-|Marseille/);
    expect((await post(admin.auth, '/v1/checks', { serial: 'CHKP 66601', purpose: 'probe' })).statusCode).toBe(403);
  });
});

describe('trace requests', () => {
  it('third parties and other agencies see nothing: GET, list, export, report, actions, attachments', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('probe-image')]);
    const up = await inject({ method: 'POST', url: '/v1/trace-attachments', headers: { authorization: frPj.auth, 'content-type': 'image/png' }, payload: png });
    expect(up.statusCode, up.body).toBe(201);
    const sha = up.json().sha256 as string;
    const created = await post(frPj.auth, '/v1/trace-requests', { ...traceRequest('PP-TR-1'), attachments: [{ sha256: sha }] });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    for (const a of [usNcb, frDouane, deZoll]) {
      expect((await get(a.auth, `/v1/trace-requests/${id}`)).statusCode).toBe(404);
      expect((await post(a.auth, `/v1/trace-requests/${id}/comments`, { text: 'hi' })).statusCode).toBe(404);
      expect((await post(a.auth, `/v1/trace-requests/${id}/status`, { status: 'CANCELLED', reason: 'x' })).statusCode).toBe(404);
      expect(JSON.stringify((await get(a.auth, '/v1/trace-requests?limit=500')).json())).not.toContain(id);
      expect((await get(a.auth, '/v1/trace-requests/export?format=json')).body).not.toContain(id);
      expect((await get(a.auth, '/v1/trace-requests/export?format=csv')).body).not.toContain(id);
      // Attachments are open to every agency of an uploading country (documented in the route), so
      // FR/DOUANE-CDG gets 200 here by design; only the other countries' callers are checked.
      if (a !== frDouane) expect((await get(a.auth, `/v1/trace-attachments/${sha}`)).statusCode).toBe(404);
    }
    const usReport = (await get(usNcb.auth, '/v1/trace-requests/report?direction=incoming')).json();
    expect(usReport.total).toBe(0);
    expect((await get(usNcb.auth, '/v1/trace-requests/report?direction=outgoing&country=FR')).statusCode).toBe(403);
    // the addressed NCB is a side
    expect((await get(deNcb.auth, `/v1/trace-requests/${id}`)).statusCode).toBe(200);
    expect((await get(deNcb.auth, `/v1/trace-attachments/${sha}`)).statusCode).toBe(200);
    expect((await get(frNcb.auth, `/v1/trace-requests/${id}`)).statusCode).toBe(200);
    // requester cannot do the addressee's moves
    expect((await post(frPj.auth, `/v1/trace-requests/${id}/status`, { status: 'ACKNOWLEDGED' })).statusCode).toBe(403);
  });
});

describe('agencies, admin and operations', () => {
  it("another country's NCB can neither see nor administer an agency", async () => {
    const body = { reference: 'UA-X', signedOn: new Date().toISOString().slice(0, 10), signedBy: 'x', scope: { records: 'write' } };
    for (const [method, url, payload] of [
      ['GET', `/v1/agencies/${frPj.id}`, undefined],
      ['GET', `/v1/agencies/${frPj.id}/activity`, undefined],
      ['POST', `/v1/agencies/${frPj.id}/keys`, {}],
      ['POST', `/v1/agencies/${frPj.id}/approval`, body],
      ['POST', `/v1/agencies/${frPj.id}/suspension`, { reason: 'because' }],
      ['POST', `/v1/agencies/${frPj.id}/revocation`, { reason: 'because' }],
      ['POST', `/v1/agencies/${frPj.id}/reinstatement`, {}],
    ] as const) {
      const res = await inject({ method, url, headers: { authorization: deNcb.auth, ...(payload ? { 'content-type': 'application/json' } : {}) }, ...(payload ? { payload: JSON.stringify(payload) } : {}) });
      expect(res.statusCode, `${method} ${url} ${res.body}`).toBe(404);
    }
    expect((await get(deNcb.auth, '/v1/agencies?country=FR')).statusCode).toBe(403);
    expect(JSON.stringify((await get(deNcb.auth, '/v1/agencies?limit=500')).json())).not.toContain(frPj.id);
    expect((await get(deZoll.auth, '/v1/agencies')).statusCode).toBe(403);
    expect((await post(deZoll.auth, '/v1/agencies', { code: 'EVIL', name: 'x' })).statusCode).toBe(403);
    expect((await post(admin.auth, `/v1/agencies/${frPj.id}/approval`, body)).statusCode).toBe(403);
  });

  it('/v1/admin/* and /admin/queues are for hub admins only', async () => {
    for (const a of [frNcb, deZoll, undefined]) {
      for (const url of ['/v1/admin/messages', '/v1/admin/audit', '/v1/admin/deliveries', '/v1/admin/partners', '/v1/admin/deliveries/circuits', '/v1/admin/reference/unmapped']) {
        expect((await get(a?.auth, url)).statusCode, url).toBe(a ? 403 : 401);
      }
      expect((await post(a?.auth, '/v1/admin/agencies', { code: 'EVIL2', name: 'x', role: 'hub_admin' })).statusCode).toBe(a ? 403 : 401);
      expect((await post(a?.auth, '/v1/admin/partners/FR/pause', {})).statusCode).toBe(a ? 403 : 401);
      for (const url of ['/admin/queues', '/admin/queues/api/queues']) expect((await get(a?.auth, url)).statusCode, url).toBe(a ? 403 : 401);
    }
    const basic = `Basic ${Buffer.from(`x:${frNcb.auth.slice(7)}`).toString('base64')}`;
    expect((await get(basic, '/admin/queues/api/queues')).statusCode).toBe(403);
    expect((await get(admin.auth, '/v1/admin/audit')).statusCode).toBe(200);
  });

  it('/metrics and /docs are public by design (no record data)', async () => {
    expect((await get(undefined, '/metrics')).statusCode).toBe(200);
    expect((await get(undefined, '/docs/json')).statusCode).toBe(200);
  });
});
