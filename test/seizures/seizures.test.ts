import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { waitFor } from '../support/test-environment.js';

/**
 * Seizures: a seized firearm is matched against the records, every hit is notified at once to the
 * record's owner and to the seizing agency (each within the owner's restrictions), and only the
 * owner confirms or rejects it. Records entered later are matched against past seizures.
 */
let t: TestHub;
let fr: { id: string; auth: string };
let deCustoms: { id: string; auth: string };
let us: { id: string; auth: string };

const inject = (opts: InjectOptions) => t.hub.app!.inject(opts);
const post = (auth: string, url: string, body?: unknown) =>
  inject({ method: 'POST', url, headers: { authorization: auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
const get = (auth: string, url: string) => inject({ method: 'GET', url, headers: { authorization: auth } });

let refs = 0;
function record(serial: string, firearm: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  refs++;
  return {
    ownerReference: `FR-S-${refs}`,
    status: 'STOLEN',
    firearm: { serials: [{ value: serial, location: 'frame' }], make: 'Smith & Wesson', model: 'M&P9', calibre: '9mm Luger', type: 'pistol', countryOfManufacture: 'US', ...firearm },
    event: { date: '2026-09-01', caseNumber: `PJ-${refs}`, place: { country: 'FR', locality: 'Marseille' }, illicitBasis: 'national-law' },
    ...extra,
  };
}

function seizure(firearms: Record<string, unknown>[], extra: Record<string, unknown> = {}) {
  refs++;
  return {
    seizureReference: `ZOLL-${refs}`,
    date: '2026-11-20',
    place: { type: 'airport', locality: 'Frankfurt' },
    direction: 'import',
    legalBasis: 'WaffG § 52',
    criminalContext: 'trafficking',
    firearms: firearms.map((f, i) => ({ itemReference: `EXH-${i + 1}`, description: { make: 'S&W', calibre: '9x19', type: 'semi-automatic pistol', ...f } })),
    ...extra,
  };
}

type Hit = { hitId: string; tier: string; score: number; serialTier: string; explanation: string[]; record?: { id: string; ownerReference: string }; restricted?: { ownerCountry: string; message: string } };

async function createRecord(body: Record<string, unknown>, auth = fr.auth): Promise<string> {
  const res = await post(auth, '/v1/records', body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

async function report(body: Record<string, unknown>, auth = deCustoms.auth): Promise<{ seizureId: string; items: { index: number; hits: Hit[] }[] }> {
  const res = await post(auth, '/v1/seizures', body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

async function inboxOf(auth: string, type: string) {
  const items = (await get(auth, '/v1/inbox?limit=500')).json().items as { type: string; envelope: { payload: Record<string, unknown> } }[];
  return items.filter((i) => i.type === type).map((i) => i.envelope.payload);
}

async function notificationsOf(auth: string, hitId: string, expected = 1) {
  return waitFor(async () => {
    const found = (await inboxOf(auth, 'hit.notification')).filter((p) => p.hitId === hitId);
    return found.length >= expected ? found : undefined;
  }, `hit.notification ${hitId} in the inbox`);
}

beforeAll(async () => {
  t = await startTestHub('seizures');
  fr = await t.agency('FR', 'NCB-PARIS');
  await t.agency('DE', 'NCB-WIESBADEN');
  deCustoms = await t.agency('DE', 'ZOLL-FRA', 'agency');
  us = await t.agency('US', 'NCB-WASHINGTON');
});
afterAll(() => t?.stop());

describe('matching a seized firearm against the records', () => {
  it('finds an exact serial of the same maker as a STRONG hit and notifies both countries over their channels', async () => {
    const recordId = await createRecord(record('MPK 40211'));
    const res = await report(seizure([{ serials: [{ value: 'MPK 40211' }], model: 'M&P 9' }]));
    const [hit] = res.items[0]!.hits;
    expect(hit).toMatchObject({ tier: 'STRONG', serialTier: 'EXACT', record: { id: recordId } });
    expect(hit!.score).toBeGreaterThanOrEqual(0.95);
    expect(hit!.explanation.join(' ')).toMatch(/same maker/);

    const [toOwner] = await notificationsOf(fr.auth, hit!.hitId);
    expect(toOwner).toMatchObject({ audience: 'record-owner', status: 'PENDING_CONFIRMATION', seizure: { country: 'DE', agency: 'ZOLL-FRA', itemReference: 'EXH-1' } });
    expect((toOwner!.seizure as { report: { legalBasis: string } }).report.legalBasis).toBe('WaffG § 52');
    const [toSeizing] = await notificationsOf(deCustoms.auth, hit!.hitId);
    expect(toSeizing).toMatchObject({ audience: 'seizing-agency', record: { id: recordId, ownerCountry: 'FR' } });
  });

  it('ranks each serial tier: normalised, look-alike, one edit, partial', async () => {
    const id = await createRecord(record('SW-58213-K'));
    const cases: [string, Record<string, unknown>, string, string][] = [
      ['normalised (spacing, hyphens, case)', { value: 'sw 58213 k' }, 'NORMALISED', 'STRONG'],
      ['look-alike characters (5/S, 8/B)', { value: 'SW-S8213-K' }, 'FUZZY', 'STRONG'],
      ['one adjacent transposition', { value: 'SW-58123-K' }, 'FUZZY', 'POSSIBLE'],
      ['partial, unreadable characters marked', { value: 'SW-5??13-K', partial: true }, 'PARTIAL', 'POSSIBLE'],
    ];
    for (const [label, serial, serialTier, tier] of cases) {
      const res = await report(seizure([{ serials: [serial] }]));
      const hit = res.items[0]!.hits.find((h) => h.record?.id === id);
      expect(hit, label).toMatchObject({ serialTier, tier });
    }
  });

  it('never makes a STRONG hit of a serial on a different maker, since serials are unique per maker only', async () => {
    await createRecord(record('77310452', { make: 'Glock Ges.m.b.H.', model: '17', countryOfManufacture: 'AT' }));
    const res = await report(seizure([{ serials: [{ value: '77310452' }], make: 'Beretta', model: '92', countryOfManufacture: 'IT' }]));
    const [hit] = res.items[0]!.hits;
    expect(hit!.serialTier).toBe('EXACT');
    expect(hit!.tier).not.toBe('STRONG');
    expect(hit!.explanation.join(' ')).toMatch(/unique per maker/);
  });

  it('keeps near-name calibres apart: a 9x18 Makarov is not the recorded 9x19', async () => {
    await createRecord(record('KM 90817'));
    const res = await report(seizure([{ serials: [{ value: 'KM 90817' }], calibre: '9x18 Makarov' }]));
    const [hit] = res.items[0]!.hits;
    expect(hit!.tier).not.toBe('STRONG');
    expect(hit!.explanation.join(' ')).toMatch(/different cartridges/);
  });

  it('tells the seizing agency only whom to contact when the record is restricted from it, while the owner gets everything', async () => {
    const id = await createRecord(record('RST 11223', {}, { restrictions: { visibility: 'allow', countries: ['US'] } }));
    const res = await report(seizure([{ serials: [{ value: 'RST 11223' }] }]));
    const [hit] = res.items[0]!.hits;
    expect(hit!.record).toBeUndefined();
    expect(hit!.restricted).toMatchObject({ ownerCountry: 'FR' });
    expect(hit!.restricted!.message).toMatch(/contact NCB-PARIS/);
    expect(JSON.stringify(hit)).not.toContain('FR-S-');

    const [toSeizing] = await notificationsOf(deCustoms.auth, hit!.hitId);
    expect(toSeizing!.record).toBeUndefined();
    expect(JSON.stringify(toSeizing)).not.toMatch(/M&P9|Marseille|FR-S-/);
    const [toOwner] = await notificationsOf(fr.auth, hit!.hitId);
    expect(toOwner).toMatchObject({ record: { id } });
  });

  it('arrives as a seizure.report message over the message channel and is matched the same way', async () => {
    const id = await createRecord(record('CHN 55001'));
    const envelope = { messageId: 'seizure-msg-1', type: 'seizure.report', sender: { country: 'DE', agency: 'ZOLL-FRA' }, sentAt: new Date().toISOString(), payload: seizure([{ serials: [{ value: 'CHN55001' }] }]) };
    const res = await inject({ method: 'POST', url: '/v1/messages', headers: { authorization: deCustoms.auth, 'content-type': 'application/json' }, payload: JSON.stringify(envelope) });
    expect(res.statusCode).toBe(202);
    const hits = await waitFor(async () => {
      const items = (await get(fr.auth, '/v1/hits?side=owner&limit=500')).json().items as (Hit & { record: { id: string } })[];
      const mine = items.filter((h) => h.record.id === id);
      return mine.length ? mine : undefined;
    }, 'the hit of a seizure sent as a message');
    expect(hits[0]).toMatchObject({ tier: 'STRONG', serialTier: 'NORMALISED' });
  });

  it('rejects an invalid report naming each field', async () => {
    const res = await post(deCustoms.auth, '/v1/seizures', { seizureReference: 'X', date: 'yesterday', place: { type: 'harbour' }, firearms: [] });
    expect(res.statusCode).toBe(400);
    const pointers = (res.json().errors as { pointer: string }[]).map((e) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/body/date', '/body/place/type', '/body/legalBasis', '/body/firearms']));
  });
});

describe('confirming and rejecting hits', () => {
  it('lets the owner confirm: the hit is CONFIRMED, the record LOCATED, and both sides are told', async () => {
    const id = await createRecord(record('CNF 31415'));
    const [hit] = (await report(seizure([{ serials: [{ value: 'CNF 31415' }] }]))).items[0]!.hits;
    const res = await post(fr.auth, `/v1/hits/${hit!.hitId}/confirm`, { reason: 'markings compared with photos' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'CONFIRMED', decidedBy: 'FR/NCB-PARIS' });
    expect((await get(fr.auth, `/v1/records/${id}`)).json().status).toBe('LOCATED');
    for (const auth of [fr.auth, deCustoms.auth]) {
      const decided = await waitFor(async () => (await inboxOf(auth, 'hit.decided')).find((p) => p.hitId === hit!.hitId), 'hit.decided in the inbox');
      expect(decided).toMatchObject({ decision: 'CONFIRMED', recordOwnerCountry: 'FR', recordStatus: 'LOCATED' });
    }
    const again = await post(fr.auth, `/v1/hits/${hit!.hitId}/reject`, { reason: 'changed my mind' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ currentStatus: 'CONFIRMED' });
  });

  it('refuses a decision from the seizing country, and a rejection without a reason', async () => {
    await createRecord(record('REJ 27182'));
    const [hit] = (await report(seizure([{ serials: [{ value: 'REJ 27182' }] }]))).items[0]!.hits;
    const bySeizer = await post(deCustoms.auth, `/v1/hits/${hit!.hitId}/confirm`);
    expect(bySeizer.statusCode).toBe(403);
    const noReason = await post(fr.auth, `/v1/hits/${hit!.hitId}/reject`);
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors.map((e: { pointer: string }) => e.pointer)).toContain('/body/reason');
    const byOther = await post(us.auth, `/v1/hits/${hit!.hitId}/reject`, { reason: 'not mine' });
    expect(byOther.statusCode).toBe(404);
    const rejected = await post(fr.auth, `/v1/hits/${hit!.hitId}/reject`, { reason: 'different model on the photos' });
    expect(rejected.json()).toMatchObject({ status: 'REJECTED', decisionReason: 'different model on the photos' });
    const audit = await t.hub.ctx.db.selectFrom('audit_log').select(['action', 'actor']).where('target', '=', hit!.hitId).execute();
    expect(audit).toEqual([{ action: 'hit.rejected', actor: 'FR/NCB-PARIS' }]);
  });
});

describe('reverse matching', () => {
  it('matches a record entered after the seizure and notifies both countries', async () => {
    const { items } = await report(seizure([{ serials: [{ value: 'LATE 60606' }] }]));
    expect(items[0]!.hits).toEqual([]);
    const id = await createRecord(record('LATE-60606'));
    const hits = await waitFor(async () => {
      const list = (await get(deCustoms.auth, '/v1/hits?side=seizing&limit=500')).json().items as (Hit & { record?: { id: string }; foundBy: string })[];
      const mine = list.filter((h) => h.record?.id === id);
      return mine.length ? mine : undefined;
    }, 'the hit found by reverse matching');
    expect(hits[0]).toMatchObject({ foundBy: 'record', tier: 'STRONG', serialTier: 'NORMALISED' });
    await notificationsOf(fr.auth, hits[0]!.hitId);
    await notificationsOf(deCustoms.auth, hits[0]!.hitId);
    // Resending the same record changes nothing and notifies nobody again.
    const count = (await t.hub.ctx.db.selectFrom('hits').select((eb) => eb.fn.countAll<number>().as('n')).where('record_id', '=', id).executeTakeFirstOrThrow()).n;
    await post(fr.auth, '/v1/records', { ...record('LATE-60606'), ownerReference: (await get(fr.auth, `/v1/records/${id}`)).json().ownerReference, firearm: { ...record('LATE-60606').firearm, model: 'M&P9 M2.0' } });
    const after = (await t.hub.ctx.db.selectFrom('hits').select((eb) => eb.fn.countAll<number>().as('n')).where('record_id', '=', id).executeTakeFirstOrThrow()).n;
    expect(Number(after)).toBe(Number(count));
  });
});

describe('checks', () => {
  it('answers whether a serial is recorded, audits the check with its purpose, and creates nothing', async () => {
    await createRecord(record('CHK 44556'));
    const before = await t.hub.ctx.db.selectFrom('seizures').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const res = await post(us.auth, '/v1/checks', { serial: 'chk-44556', make: 'S&W', purpose: 'roadside control, case 2026-1187' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ recorded: true, matches: [{ serialTier: 'NORMALISED', record: { ownerCountry: 'FR' } }] });
    const after = await t.hub.ctx.db.selectFrom('seizures').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toEqual(before.n);
    const audit = await t.hub.ctx.db.selectFrom('audit_log').select(['actor', 'detail']).where('action', '=', 'check').execute();
    expect(audit.at(-1)).toMatchObject({ actor: 'US/NCB-WASHINGTON', detail: { purpose: 'roadside control, case 2026-1187', serial: 'chk-44556' } });
    const noPurpose = await post(us.auth, '/v1/checks', { serial: 'CHK 44556' });
    expect(noPurpose.statusCode).toBe(400);
    expect(noPurpose.json().errors.map((e: { pointer: string }) => e.pointer)).toContain('/body/purpose');
  });
});

describe('a seizure with no hit becomes a trace request', () => {
  it('turns the seized firearm into a trace request to the country of manufacture with one call, seen by both sides', async () => {
    const { seizureId, items } = await report(seizure([{ serials: [{ value: 'NOHIT 70707' }], countryOfManufacture: 'US' }]));
    expect(items[0]!.hits).toEqual([]);
    const res = await post(deCustoms.auth, `/v1/seizures/${seizureId}/trace-requests`, {
      addressedTo: { country: 'US', as: 'country-of-manufacture' },
      intendedUse: 'criminal investigation of the importer',
      crimeCategory: 'firearms trafficking',
    });
    expect(res.statusCode, res.body).toBe(201);
    const traceId = res.json().traceRequestId as string;
    const outgoing = (await get(deCustoms.auth, `/v1/trace-requests/${traceId}`)).json();
    expect(JSON.stringify(outgoing)).toContain('NOHIT 70707');
    expect(JSON.stringify(outgoing)).toContain('WaffG § 52');
    const incoming = await get(us.auth, `/v1/trace-requests/${traceId}`);
    expect(incoming.statusCode).toBe(200);
    // The same call again creates nothing new.
    const again = await post(deCustoms.auth, `/v1/seizures/${seizureId}/trace-requests`, { addressedTo: { country: 'US', as: 'country-of-manufacture' }, intendedUse: 'criminal investigation of the importer', crimeCategory: 'firearms trafficking' });
    expect(again.json()).toMatchObject({ traceRequestId: traceId, outcome: 'unchanged' });
  });

  it('refuses while the firearm has a hit that is not rejected, and for another country\'s seizure', async () => {
    await createRecord(record('HASHIT 80808'));
    const { seizureId } = await report(seizure([{ serials: [{ value: 'HASHIT 80808' }] }]));
    const body = { addressedTo: { country: 'US' }, intendedUse: 'investigation', crimeCategory: 'trafficking' };
    expect((await post(deCustoms.auth, `/v1/seizures/${seizureId}/trace-requests`, body)).statusCode).toBe(409);
    expect((await post(fr.auth, `/v1/seizures/${seizureId}/trace-requests`, body)).statusCode).toBe(404);
  });
});
