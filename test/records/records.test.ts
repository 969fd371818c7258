import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRecordReviews } from '../../src/records/record-review.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { waitFor } from '../support/test-environment.js';

/**
 * Firearm records: the owner country creates and manages them, decides who sees them, and every
 * change is versioned. REST requests and channel messages take the same path.
 */
let t: TestHub;
let fr: { id: string; auth: string };
let frCustoms: { id: string; auth: string };
let de: { id: string; auth: string };
let deCustoms: { id: string; auth: string };
let us: { id: string; auth: string };
let admin: { id: string; auth: string };

const inject = (opts: InjectOptions) => t.hub.app!.inject(opts);
const post = (auth: string, url: string, body: unknown, headers: Record<string, string> = {}) =>
  inject({ method: 'POST', url, headers: { authorization: auth, 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) });
const get = (auth: string, url: string) => inject({ method: 'GET', url, headers: { authorization: auth } });

function record(ref: string, overrides: Record<string, unknown> = {}, firearm: Record<string, unknown> = {}) {
  return {
    ownerReference: ref,
    status: 'STOLEN',
    firearm: { serials: [{ value: 'AB 12-345', location: 'frame' }], make: 'S&W', model: 'M&P9', calibre: '9mm Luger', type: 'pistol', countryOfManufacture: 'US', ...firearm },
    event: { date: '2026-10-01', caseNumber: `CASE-${ref}`, place: { country: 'FR', locality: 'Lyon' }, illicitBasis: 'national-law', circumstances: 'Burglary of a gun shop' },
    ...overrides,
  };
}

beforeAll(async () => {
  t = await startTestHub('records');
  fr = await t.agency('FR', 'NCB-PARIS');
  frCustoms = await t.agency('FR', 'DOUANE-CDG', 'agency');
  de = await t.agency('DE', 'NCB-WIESBADEN');
  deCustoms = await t.agency('DE', 'ZOLL-FRA', 'agency');
  us = await t.agency('US', 'NCB-WASHINGTON');
  admin = await t.agency(null, 'HUB-OPS');
});
afterAll(() => t?.stop());

describe('creating and updating a record', () => {
  it('creates a record with its description normalised to reference ids, keeping the text as received', async () => {
    const res = await post(fr.auth, '/v1/records', record('FR-001'));
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ ownerCountry: 'FR', ownerAgency: 'NCB-PARIS', ownerReference: 'FR-001', status: 'STOLEN', version: 1, outcome: 'created' });
    expect(body.firearm.make).toBe('S&W');
    const sw = t.hub.ctx.reference.resolveMake('Smith & Wesson');
    expect(sw.status).toBe('mapped');
    expect(body.reference.makeId).toBe(sw.status === 'mapped' ? sw.id : undefined);
    const luger = t.hub.ctx.reference.resolveCalibre('9x19mm');
    expect(body.reference.calibreId).toBe(luger.status === 'mapped' ? luger.id : undefined);
    expect(res.headers.location).toBe(`/v1/records/${body.id}`);
    // Five years after entry by default.
    expect(body.reviewDate).toBe(`${new Date().getUTCFullYear() + 5}-${new Date().toISOString().slice(5, 10)}`);
  });

  it('is idempotent: the same content again changes nothing', async () => {
    const first = await post(fr.auth, '/v1/records', record('FR-002'));
    const again = await post(fr.auth, '/v1/records', record('FR-002'));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: first.json().id, version: 1, outcome: 'unchanged' });
    const history = (await get(fr.auth, `/v1/records/${first.json().id}/history`)).json();
    expect(history.versions).toHaveLength(1);
  });

  it('updates by owner reference and keeps every version with who, when and which message', async () => {
    const first = (await post(fr.auth, '/v1/records', record('FR-003'))).json();
    const second = await post(frCustoms.auth, '/v1/records', record('FR-003', {}, { model: 'M&P9 Shield' }));
    expect(second.statusCode).toBe(200);
    expect(second.json()).toMatchObject({ id: first.id, version: 2, outcome: 'updated' });
    const history = (await get(fr.auth, `/v1/records/${first.id}/history`)).json();
    expect(history.versions.map((v: { version: number; agency: string; change: string }) => [v.version, v.agency, v.change])).toEqual([
      [1, 'NCB-PARIS', 'create'],
      [2, 'DOUANE-CDG', 'update'],
    ]);
    expect(history.versions[1].ledgerId).toBe(second.json().ledgerId);
    expect(history.versions[0].snapshot.firearm.model).toBe('M&P9');
  });

  it('arrives as a record.upsert message over the message channel and is applied the same way', async () => {
    const envelope = { messageId: 'rec-msg-1', type: 'record.upsert', sender: { country: 'DE', agency: 'NCB-WIESBADEN' }, sentAt: new Date().toISOString(), payload: record('DE-100', {}, { make: 'Heckler & Koch', model: 'P30', calibre: '9mm Para' }) };
    const res = await inject({ method: 'POST', url: '/v1/messages', headers: { authorization: de.auth, 'content-type': 'application/json' }, payload: JSON.stringify(envelope) });
    expect(res.statusCode).toBe(202);
    const found = await (async () => {
      for (let i = 0; i < 100; i++) {
        const items = (await get(de.auth, '/v1/records?owner=DE')).json().items as { ownerReference: string; reference: { makeId: string } }[];
        const hit = items.find((r) => r.ownerReference === 'DE-100');
        if (hit) return hit;
        await new Promise((r) => setTimeout(r, 50));
      }
      return undefined;
    })();
    const hk = t.hub.ctx.reference.resolveMake('H&K');
    expect(found?.reference.makeId).toBe(hk.status === 'mapped' ? hk.id : 'unmapped');
  });

  it('refuses an invalid record naming each field, including a make left unknown without a description', async () => {
    const res = await post(fr.auth, '/v1/records', record('FR-BAD', { status: 'MISPLACED' }, { make: 'UNKNOWN', serials: [] }));
    expect(res.statusCode).toBe(400);
    const pointers = res.json().errors.map((e: { pointer: string }) => e.pointer).sort();
    expect(pointers).toEqual(['/body/firearm/makeDescription', '/body/firearm/serials', '/body/status']);
  });

  it('lists values that map to no reference entry for admins to map', async () => {
    await post(fr.auth, '/v1/records', record('FR-004', {}, { make: 'Manufacture d\'armes de Nowhere', calibre: '9.3x999 Imaginary' }));
    const res = (await get(admin.auth, '/v1/admin/reference/unmapped')).json();
    const values = res.items.map((i: { kind: string; value: string }) => `${i.kind}:${i.value}`);
    expect(values).toEqual(expect.arrayContaining(["make:Manufacture d'armes de Nowhere", 'calibre:9.3x999 Imaginary']));
    // Counted once the records are committed: a second record with the same make makes two.
    await post(fr.auth, '/v1/records', record('FR-005', {}, { make: 'Manufacture d\'armes de Nowhere' }));
    const make = (await get(admin.auth, '/v1/admin/reference/unmapped')).json().items.find((i: { kind: string; value: string }) => i.kind === 'make' && i.value === "Manufacture d'armes de Nowhere");
    expect(make).toMatchObject({ occurrences: 2 });
    const rec = (await get(fr.auth, '/v1/records?serial=AB12345&owner=FR')).json().items.find((r: { ownerReference: string }) => r.ownerReference === 'FR-004');
    expect(rec.reference.makeId).toBeNull();
    expect(rec.firearm.make).toBe("Manufacture d'armes de Nowhere");
  });
});

describe('status changes', () => {
  it('follows the record lifecycle and refuses an illegal transition with the current state and the allowed ones', async () => {
    const created = (await post(fr.auth, '/v1/records', record('FR-010'))).json();
    const located = await post(fr.auth, `/v1/records/${created.id}/status`, { status: 'LOCATED', reason: 'recovered after a hit' });
    expect(located.statusCode).toBe(200);
    expect(located.json()).toMatchObject({ status: 'LOCATED', version: 2 });
    const cleared = await post(fr.auth, `/v1/records/${created.id}/status`, { status: 'CLEARED' });
    expect(cleared.json().status).toBe('CLEARED');
    const illegal = await post(fr.auth, `/v1/records/${created.id}/status`, { status: 'STOLEN' });
    expect(illegal.statusCode).toBe(409);
    expect(illegal.json()).toMatchObject({ code: 'CONFLICT', currentStatus: 'CLEARED', allowed: [] });
    expect(illegal.json().detail).toBe('the record is CLEARED; it cannot become STOLEN (CLEARED is final)');
    // A registry resending its old data cannot revive a cleared record either.
    const resend = await post(fr.auth, '/v1/records', record('FR-010', {}, { model: 'changed' }));
    expect(resend.statusCode).toBe(409);
  });

  it('needs a reason to cancel a record entered in error', async () => {
    const created = (await post(fr.auth, '/v1/records', record('FR-011'))).json();
    const noReason = await post(fr.auth, `/v1/records/${created.id}/status`, { status: 'CANCELLED' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors[0].pointer).toBe('/body/reason');
    const ok = await post(fr.auth, `/v1/records/${created.id}/status`, { status: 'CANCELLED', reason: 'entered twice' });
    expect(ok.json().status).toBe('CANCELLED');
  });
});

describe('ownership', () => {
  it('lets only the owner country change a record', async () => {
    const created = (await post(fr.auth, '/v1/records', record('FR-020'))).json();
    const patch = await inject({ method: 'PATCH', url: `/v1/records/${created.id}`, headers: { authorization: de.auth, 'content-type': 'application/merge-patch+json' }, payload: JSON.stringify({ firearm: { model: 'X' } }) });
    expect(patch.statusCode).toBe(403);
    const status = await post(de.auth, `/v1/records/${created.id}/status`, { status: 'CLEARED' });
    expect(status.statusCode).toBe(403);
    // By message, a country can only name its own references: DE's FR-020 does not exist.
    const msg = await inject({
      method: 'POST', url: '/v1/messages', headers: { authorization: de.auth, 'content-type': 'application/json' },
      payload: JSON.stringify({ messageId: 'de-steal-1', type: 'record.status', sender: { country: 'DE', agency: 'NCB-WIESBADEN' }, sentAt: new Date().toISOString(), payload: { ownerReference: 'FR-020', status: 'CLEARED' } }),
    });
    expect(msg.statusCode).toBe(202);
    const view = await waitFor(async () => {
      const v = (await get(de.auth, `/v1/messages/${msg.json().ledgerId}`)).json();
      return v.status === 'rejected' ? v : undefined;
    }, 'the status change to be rejected');
    expect(view.lineage.at(-1)).toMatchObject({ stage: 'apply', event: 'rejected', detail: { code: 'NOT_FOUND' } });
    expect((await get(fr.auth, `/v1/records/${created.id}`)).json().status).toBe('STOLEN');
  });

  it('lets the owner patch a record (JSON merge patch)', async () => {
    const created = (await post(fr.auth, '/v1/records', record('FR-021'))).json();
    const res = await inject({ method: 'PATCH', url: `/v1/records/${created.id}`, headers: { authorization: frCustoms.auth, 'content-type': 'application/merge-patch+json' }, payload: JSON.stringify({ firearm: { model: 'M&P9 M2.0', finish: 'black' } }) });
    expect(res.statusCode).toBe(200);
    expect(res.json().firearm).toMatchObject({ model: 'M&P9 M2.0', finish: 'black', make: 'S&W' });
    expect(res.json().version).toBe(2);
  });
});

describe('restrictions', () => {
  let restricted: string;
  let denyUs: string;
  let confidential: string;
  beforeAll(async () => {
    restricted = (await post(fr.auth, '/v1/records', record('FR-R1', { restrictions: { visibility: 'allow', countries: ['DE'] } }, { serials: [{ value: 'RSTR-001' }] }))).json().id;
    denyUs = (await post(fr.auth, '/v1/records', record('FR-R2', { restrictions: { visibility: 'deny', countries: ['US'] } }, { serials: [{ value: 'RSTR-002' }] }))).json().id;
    confidential = (await post(fr.auth, '/v1/records', record('FR-R3', { restrictions: { visibility: 'all', confidentiality: 'confidential' } }, { serials: [{ value: 'RSTR-003' }] }))).json().id;
  });

  it('hides an allow-listed record from every other country in get, search and export, and shows it to the owner', async () => {
    expect((await get(fr.auth, `/v1/records/${restricted}`)).statusCode).toBe(200);
    expect((await get(de.auth, `/v1/records/${restricted}`)).statusCode).toBe(200);
    expect((await get(us.auth, `/v1/records/${restricted}`)).statusCode).toBe(404);
    expect((await get(us.auth, '/v1/records?serial=RSTR-001')).json().items).toHaveLength(0);
    expect((await get(de.auth, '/v1/records?serial=RSTR-001')).json().items).toHaveLength(1);
    const exportUs = await get(us.auth, '/v1/records/export?format=ndjson&serial=RSTR-001');
    expect(exportUs.statusCode).toBe(200);
    expect(exportUs.body).toBe('');
    const exportFr = await get(fr.auth, '/v1/records/export?format=ndjson&serial=RSTR-001');
    expect(exportFr.body.trim().split('\n').map((l) => JSON.parse(l).id)).toEqual([restricted]);
  });

  it('hides a deny-listed record from the denied country only', async () => {
    expect((await get(us.auth, `/v1/records/${denyUs}`)).statusCode).toBe(404);
    expect((await get(de.auth, `/v1/records/${denyUs}`)).statusCode).toBe(200);
  });

  it('shows a confidential record to National Central Bureaus only', async () => {
    expect((await get(de.auth, `/v1/records/${confidential}`)).statusCode).toBe(200);
    expect((await get(deCustoms.auth, `/v1/records/${confidential}`)).statusCode).toBe(404);
    expect((await get(frCustoms.auth, `/v1/records/${confidential}`)).statusCode).toBe(200);
  });

  it('shows the restrictions and review date to the owner only', async () => {
    expect((await get(fr.auth, `/v1/records/${restricted}`)).json().restrictions).toEqual({ visibility: 'allow', countries: ['DE'], confidentiality: 'official-use' });
    expect((await get(de.auth, `/v1/records/${restricted}`)).json().restrictions).toBeUndefined();
  });
});

describe('search and export', () => {
  it('finds a record by serial as marked, normalised or with one misread character', async () => {
    await post(us.auth, '/v1/records', record('US-S1', {}, { serials: [{ value: '369J257' }], make: 'Glock', calibre: '.380 ACP' }));
    const count = async (q: string) => (await get(us.auth, `/v1/records?owner=US&${q}`)).json().items.length;
    expect(await count('serial=369J257&serialMatch=exact')).toBe(1);
    expect(await count('serial=369j-257&serialMatch=exact')).toBe(0);
    expect(await count('serial=369j-257&serialMatch=normalised')).toBe(1);
    expect(await count('serial=369M257&serialMatch=fuzzy')).toBe(1);
    expect(await count('serial=369J2S7&serialMatch=fuzzy')).toBe(1);
    expect(await count('serial=999999&serialMatch=fuzzy')).toBe(0);
  });

  it('filters by make and calibre through their reference ids, whatever spelling is used', async () => {
    const items = (await get(us.auth, '/v1/records?owner=US&calibre=9mm%20Kurz')).json().items;
    expect(items.map((r: { ownerReference: string }) => r.ownerReference)).toEqual(['US-S1']);
    expect((await get(us.auth, '/v1/records?owner=US&calibre=9mm%20Makarov')).json().items).toHaveLength(0);
  });

  it('pages with a cursor and exports CSV with a header row', async () => {
    for (let i = 0; i < 5; i++) await post(us.auth, '/v1/records', record(`US-P${i}`, {}, { serials: [{ value: `PG${i}0001` }] }));
    const first = (await get(us.auth, '/v1/records?owner=US&limit=3')).json();
    const second = (await get(us.auth, `/v1/records?owner=US&limit=3&after=${first.next}`)).json();
    const ids = [...first.items, ...second.items].map((r: { id: string }) => r.id);
    expect(new Set(ids).size).toBe(6);
    const csv = await get(us.auth, '/v1/records/export?format=csv&owner=US');
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('id,ownerCountry,ownerReference,status,serial,make,makeId,model,calibre,calibreId,type,ncicTyp,countryOfManufacture,eventDate,eventCountry,caseNumber,confidentiality,updatedAt');
    expect(lines).toHaveLength(7);
  });
});

describe('review dates', () => {
  it('reminds the owner before the review date, flags the record when it passes, and never twice', async () => {
    const soon = new Date(Date.now() + 10 * 86400_000).toISOString().slice(0, 10);
    const created = (await post(fr.auth, '/v1/records', record('FR-REV', { reviewDate: soon }))).json();
    const first = await runRecordReviews(t.hub.ctx.db, t.hub.ctx.config, new Date());
    const reminder = first.outbox.find((o) => (o.envelope.payload as { recordId: string }).recordId === created.id);
    expect(reminder).toMatchObject({ recipientCountry: 'FR', recipientAgency: 'NCB-PARIS', type: 'record.review-due' });
    expect(reminder!.envelope.payload).toEqual({ recordId: created.id, ownerReference: 'FR-REV', reviewDate: soon, overdue: false });
    const again = await runRecordReviews(t.hub.ctx.db, t.hub.ctx.config, new Date());
    expect(again.outbox.some((o) => (o.envelope.payload as { recordId: string }).recordId === created.id)).toBe(false);

    const later = new Date(Date.now() + 11 * 86400_000);
    const overdue = await runRecordReviews(t.hub.ctx.db, t.hub.ctx.config, later);
    expect(overdue.outbox.find((o) => (o.envelope.payload as { recordId: string }).recordId === created.id)?.envelope.payload).toMatchObject({ overdue: true });
    const view = (await get(fr.auth, `/v1/records/${created.id}`)).json();
    expect(view.reviewOverdue).toBe(true);
    const flagged = (await get(fr.auth, '/v1/records?reviewOverdue=true')).json().items.map((r: { id: string }) => r.id);
    expect(flagged).toContain(created.id);
  });
});
