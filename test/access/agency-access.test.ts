import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../src/identity/agency-repository.js';
import { approveAgency } from '../../src/identity/user-agreements.js';
import { runAgreementReminders } from '../../src/identity/agreement-reminders.js';
import { waitFor } from '../support/test-environment.js';
import type { OutboxRecord } from '../../src/ledger/ledger-types.js';
import { notice, startTestHub, type TestHub } from '../support/test-hub.js';

/**
 * User access: a country's National Central Bureau answers for its national entities (INTERPOL
 * RPD art. 21). A customs or police agency gets no access until its NCB approves it on a signed
 * user agreement, only within the scope the NCB set, and not after the NCB suspends or revokes it
 * or the agreement runs out.
 */
let t: TestHub;
let frNcb: { id: string; auth: string };
let deNcb: { id: string; auth: string };
let admin: { id: string; auth: string };

const inject = (opts: InjectOptions) => t.hub.app!.inject(opts);
const post = (auth: string, url: string, body?: unknown) =>
  inject({ method: 'POST', url, headers: { authorization: auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
const get = (auth: string, url: string) => inject({ method: 'GET', url, headers: { authorization: auth } });

const today = () => new Date().toISOString().slice(0, 10);
const agreement = (overrides: Record<string, unknown> = {}) => ({
  reference: 'UA-FR-2026-014',
  signedOn: today(),
  signedBy: 'Directeur régional des douanes',
  scope: { records: 'write', seizures: 'write', traces: 'write' },
  ...overrides,
});

function record(ref: string) {
  return {
    ownerReference: ref,
    status: 'STOLEN',
    firearm: { serials: [{ value: 'GX 774-190', location: 'frame' }], make: 'Glock', model: '17', calibre: '9mm Luger', type: 'pistol', countryOfManufacture: 'AT' },
    event: { date: '2026-10-01', caseNumber: `CASE-${ref}`, place: { country: 'FR', locality: 'Lille' }, illicitBasis: 'national-law', circumstances: 'Theft from a vehicle' },
  };
}

/** A national entity of FR as the hub admin creates it: pending, with a key. */
async function pendingEntity(code: string) {
  return t.agency('FR', code, 'agency', { access: 'pending' });
}

beforeAll(async () => {
  t = await startTestHub('agency-access');
  frNcb = await t.agency('FR', 'NCB-PARIS');
  deNcb = await t.agency('DE', 'NCB-WIESBADEN');
  admin = await t.agency(null, 'HUB-OPS');
});
afterAll(() => t?.stop());

describe('a national entity waits for its NCB', () => {
  it('is created pending by the hub admin, and its key opens nothing, naming who must approve it', async () => {
    const created = await post(admin.auth, '/v1/admin/agencies', { country: 'FR', code: 'DOUANE-LILLE', name: 'Douane Lille', role: 'agency' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ role: 'agency', access: 'pending' });
    const customs = await pendingEntity('DOUANE-ROISSY');
    for (const url of ['/v1/records', '/v1/inbox', '/v1/trace-requests', '/v1/hits']) {
      const res = await get(customs.auth, url);
      expect(res.statusCode, url).toBe(403);
      expect(res.json()).toMatchObject({ code: 'ACCESS_NOT_GRANTED', access: 'pending' });
      expect(res.json().detail).toContain('the NCB of FR approves it');
    }
    const sent = await inject({ method: 'POST', url: '/v1/messages', headers: { authorization: customs.auth, 'content-type': 'application/json' }, payload: notice({ country: 'FR', agency: 'DOUANE-ROISSY' }, ['DE']) });
    expect(sent.statusCode).toBe(403);
    expect(sent.json().code).toBe('ACCESS_NOT_GRANTED');
  });

  it('is listed to its NCB as pending, and to no other country', async () => {
    const customs = await pendingEntity('DOUANE-ORLY');
    const pending = await get(frNcb.auth, '/v1/agencies?status=pending');
    expect(pending.statusCode).toBe(200);
    expect(pending.json().items.map((a: { id: string }) => a.id)).toContain(customs.id);
    expect(pending.json().items.every((a: { country: string; access: { status: string } }) => a.country === 'FR' && a.access.status === 'pending')).toBe(true);
    expect((await get(deNcb.auth, `/v1/agencies/${customs.id}`)).statusCode).toBe(404);
    expect((await get(deNcb.auth, '/v1/agencies?country=FR')).statusCode).toBe(403);
    const all = await get(admin.auth, '/v1/agencies?country=FR&status=pending');
    expect(all.json().items.map((a: { id: string }) => a.id)).toContain(customs.id);
  });

  it('gets in once its NCB records the signed agreement, within the hub in the same moment', async () => {
    const customs = await pendingEntity('DOUANE-MARSEILLE');
    const approved = await post(frNcb.auth, `/v1/agencies/${customs.id}/approval`, agreement({ documentSha256: 'a'.repeat(64) }));
    expect(approved.statusCode).toBe(200);
    const until = `${Number(today().slice(0, 4)) + 3}${today().slice(4)}`.replace(/-02-29$/, '-02-28');
    expect(approved.json()).toMatchObject({
      access: { status: 'approved', validUntil: until, scope: { records: 'write', seizures: 'write', traces: 'write' } },
      agreement: { reference: 'UA-FR-2026-014', signedBy: 'Directeur régional des douanes', approvedBy: 'FR/NCB-PARIS', documentSha256: 'a'.repeat(64) },
    });
    expect((await get(customs.auth, '/v1/records')).statusCode).toBe(200);
    const created = await post(customs.auth, '/v1/records', record('DOUANE-MARSEILLE-1'));
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ ownerCountry: 'FR', ownerAgency: 'DOUANE-MARSEILLE' });
    const audit = (await get(admin.auth, '/v1/admin/audit?limit=50')).json().items as { actor: string; action: string; target: string }[];
    expect(audit).toContainEqual(expect.objectContaining({ actor: 'FR/NCB-PARIS', action: 'agency.approve', target: customs.id }));
  });

  it('can be created and keyed by its NCB directly, and is pending until approved', async () => {
    const created = await post(frNcb.auth, '/v1/agencies', { code: 'GENDARMERIE-IRCGN', name: 'IRCGN' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ country: 'FR', role: 'agency', access: { status: 'pending' } });
    const key = await post(frNcb.auth, `/v1/agencies/${created.json().id}/keys`, { label: 'lab system' });
    expect(key.statusCode).toBe(201);
    expect(key.json().access).toBe('pending');
    const auth = `Bearer ${key.json().apiKey}`;
    expect((await get(auth, '/v1/records')).statusCode).toBe(403);
    await post(frNcb.auth, `/v1/agencies/${created.json().id}/approval`, agreement({ scope: { records: 'read' } }));
    expect((await get(auth, '/v1/records')).statusCode).toBe(200);
    // Another country's NCB cannot key or create agencies of FR.
    expect((await post(deNcb.auth, `/v1/agencies/${created.json().id}/keys`, {})).statusCode).toBe(404);
  });
});

describe('only the NCB of the agency\'s country approves it', () => {
  it('refuses another country\'s NCB, the hub admin and agencies themselves', async () => {
    const customs = await pendingEntity('DOUANE-NICE');
    expect((await post(deNcb.auth, `/v1/agencies/${customs.id}/approval`, agreement())).statusCode).toBe(404);
    const byAdmin = await post(admin.auth, `/v1/agencies/${customs.id}/approval`, agreement());
    expect(byAdmin.statusCode).toBe(403);
    expect(byAdmin.json().detail).toContain('only the National Central Bureau of FR approves');
    const other = await t.agency('FR', 'POLICE-LYON', 'agency');
    expect((await post(other.auth, `/v1/agencies/${customs.id}/approval`, agreement())).json().code).toBe('FORBIDDEN');
    expect((await post(frNcb.auth, `/v1/agencies/${frNcb.id}/approval`, agreement())).statusCode).toBe(409);
    expect((await get(customs.auth, '/v1/records')).statusCode).toBe(403);
  });

  it('names each field of an agreement it cannot take', async () => {
    const customs = await pendingEntity('DOUANE-BREST');
    const year = Number(today().slice(0, 4));
    const future = await post(frNcb.auth, `/v1/agencies/${customs.id}/approval`, agreement({ signedOn: `${year + 1}-01-01`, scope: {} }));
    expect(future.statusCode).toBe(400);
    expect(future.json().errors).toEqual([
      expect.objectContaining({ pointer: '/body/signedOn', code: 'agreement.signed-in-future' }),
      expect.objectContaining({ pointer: '/body/scope', code: 'agreement.empty-scope' }),
    ]);
    const long = await post(frNcb.auth, `/v1/agencies/${customs.id}/approval`, agreement({ validUntil: `${year + 6}-01-01` }));
    expect(long.json().errors).toEqual([expect.objectContaining({ pointer: '/body/validUntil', code: 'agreement.too-long' })]);
    const old = await post(frNcb.auth, `/v1/agencies/${customs.id}/approval`, agreement({ signedOn: `${year - 4}-01-01` }));
    expect(old.json().errors).toEqual([expect.objectContaining({ pointer: '/body/validUntil', code: 'agreement.expired' })]);
    const shape = await post(frNcb.auth, `/v1/agencies/${customs.id}/approval`, agreement({ scope: { records: 'admin' }, signedOn: '26/11/2026' }));
    expect(shape.statusCode).toBe(400);
    expect(shape.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual(expect.arrayContaining(['/body/signedOn', '/body/scope/records']));
    expect((await get(frNcb.auth, `/v1/agencies/${customs.id}`)).json().access.status).toBe('pending');
  });
});

describe('the scope the NCB approved', () => {
  let customs: { id: string; auth: string };
  beforeAll(async () => {
    customs = await t.agency('FR', 'DOUANE-LE-HAVRE', 'agency', { access: { seizures: 'write', records: 'read' } });
  });

  it('opens reading where it says read, and refuses writing there, naming what the agency is approved for', async () => {
    expect((await get(customs.auth, '/v1/records')).statusCode).toBe(200);
    const write = await post(customs.auth, '/v1/records', record('DOUANE-LE-HAVRE-1'));
    expect(write.statusCode).toBe(403);
    expect(write.json()).toMatchObject({ code: 'OUTSIDE_SCOPE', needs: { module: 'records', level: 'write' } });
    expect(write.json().detail).toBe('FR/DOUANE-LE-HAVRE is approved for records (read), seizures (write), not to write to records');
  });

  it('closes a module it does not name, reading included', async () => {
    const res = await get(customs.auth, '/v1/trace-requests');
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'OUTSIDE_SCOPE', needs: { module: 'traces', level: 'read' } });
  });

  it('judges a message by its type: a record sent as a message is refused and stored as rejected; a notice passes', async () => {
    const envelope = { messageId: 'scope-1', type: 'record.upsert', sender: { country: 'FR', agency: 'DOUANE-LE-HAVRE' }, sentAt: new Date().toISOString(), payload: record('DOUANE-LE-HAVRE-2') };
    const res = await inject({ method: 'POST', url: '/v1/messages', headers: { authorization: customs.auth, 'content-type': 'application/json' }, payload: envelope });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'OUTSIDE_SCOPE', errors: [{ pointer: '/type', code: 'access.outside-scope' }] });
    const stored = await get(customs.auth, `/v1/messages/${res.json().ledgerId}`);
    expect(stored.json()).toMatchObject({ status: 'rejected' });
    const batch = await inject({
      method: 'POST',
      url: '/v1/message-batches',
      headers: { authorization: customs.auth, 'content-type': 'application/x-ndjson' },
      payload: `${JSON.stringify({ ...envelope, messageId: 'scope-2' })}\n${JSON.stringify(notice({ country: 'FR', agency: 'DOUANE-LE-HAVRE' }, ['DE']))}\n`,
    });
    expect(batch.json()).toMatchObject({ accepted: 1, rejected: 1, items: [{ line: 1, status: 'rejected', errors: [{ code: 'access.outside-scope' }] }, { line: 2, status: 'accepted' }] });
    const owned = await t.hub.ctx.db.selectFrom('records').select('id').where('owner_agency', '=', 'DOUANE-LE-HAVRE').execute();
    expect(owned).toEqual([]);
  });

  it('is changed by approving a renewed agreement, which ends the one before as renewed', async () => {
    const renewed = await post(frNcb.auth, `/v1/agencies/${customs.id}/approval`, agreement({ reference: 'UA-FR-2026-020', scope: { seizures: 'write', records: 'write' } }));
    expect(renewed.statusCode).toBe(200);
    expect((await post(customs.auth, '/v1/records', record('DOUANE-LE-HAVRE-3'))).statusCode).toBe(201);
    const history = (await get(frNcb.auth, `/v1/agencies/${customs.id}`)).json().agreements as { reference: string; endReason: string | null }[];
    expect(history.map((a) => [a.reference, a.endReason])).toEqual([
      ['UA-FR-2026-020', null],
      ['UA-DOUANE-LE-HAVRE', 'renewed'],
    ]);
  });
});

describe('suspension, revocation and expiry', () => {
  it('suspends at once with the reason given, and reinstates under the same agreement', async () => {
    const customs = await t.agency('FR', 'DOUANE-CALAIS', 'agency');
    expect((await get(customs.auth, '/v1/records')).statusCode).toBe(200);
    const suspended = await post(frNcb.auth, `/v1/agencies/${customs.id}/suspension`, { reason: 'audit of searches in progress' });
    expect(suspended.json().access).toMatchObject({ status: 'suspended', reason: 'audit of searches in progress' });
    const refused = await get(customs.auth, '/v1/records');
    expect(refused.json()).toMatchObject({ code: 'ACCESS_NOT_GRANTED', access: 'suspended' });
    expect(refused.json().detail).toContain('audit of searches in progress');
    expect((await post(frNcb.auth, `/v1/agencies/${customs.id}/suspension`, { reason: 'twice' })).statusCode).toBe(409);
    const back = await post(frNcb.auth, `/v1/agencies/${customs.id}/reinstatement`, {});
    expect(back.json()).toMatchObject({ access: { status: 'approved', reason: null }, agreement: { reference: 'UA-DOUANE-CALAIS' } });
    expect((await get(customs.auth, '/v1/records')).statusCode).toBe(200);
  });

  it('revokes: the agreement ends, and only a new approval opens access again', async () => {
    const customs = await t.agency('FR', 'DOUANE-DUNKERQUE', 'agency');
    const revoked = await post(frNcb.auth, `/v1/agencies/${customs.id}/revocation`, { reason: 'agreement breached' });
    expect(revoked.json()).toMatchObject({ access: { status: 'revoked', scope: null, validUntil: null }, agreement: null });
    expect((await get(customs.auth, '/v1/records')).json()).toMatchObject({ code: 'ACCESS_NOT_GRANTED', access: 'revoked' });
    expect((await post(frNcb.auth, `/v1/agencies/${customs.id}/reinstatement`, {})).statusCode).toBe(409);
    await post(frNcb.auth, `/v1/agencies/${customs.id}/approval`, agreement({ reference: 'UA-FR-2026-099' }));
    expect((await get(customs.auth, '/v1/records')).statusCode).toBe(200);
    const history = (await get(frNcb.auth, `/v1/agencies/${customs.id}`)).json().agreements as { reference: string; endReason: string | null }[];
    expect(history.map((a) => a.endReason)).toEqual([null, 'revoked']);
  });

  it('refuses an agency whose agreement has run out, and lists it as expired, and those near their end', async () => {
    const lapsed = await pendingEntity('DOUANE-BAYONNE');
    const soon = await pendingEntity('DOUANE-HENDAYE');
    const ncb: Caller = { agencyId: frNcb.id, country: 'FR', agency: 'NCB-PARIS', role: 'ncb', keyId: 'test', access: { role: 'ncb', status: 'approved', scope: null, until: null, reason: null } };
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    // Approved three years ago, on an agreement that ended yesterday.
    await approveAgency(t.hub.ctx.db, lapsed.id, { reference: 'UA-2023-1', signedOn: day(-1096), signedBy: 'x', validUntil: day(-1), scope: { seizures: 'write' } }, ncb, new Date(Date.now() - 1096 * 86_400_000));
    await approveAgency(t.hub.ctx.db, soon.id, { reference: 'UA-2026-2', signedOn: day(0), signedBy: 'x', validUntil: day(10), scope: { seizures: 'write' } }, ncb);
    const refused = await get(lapsed.auth, '/v1/hits');
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'ACCESS_NOT_GRANTED', access: 'expired' });
    expect(refused.json().detail).toContain(`ended on ${day(-1)}`);
    expect((await get(soon.auth, '/v1/hits')).statusCode).toBe(200);
    const expired = (await get(frNcb.auth, '/v1/agencies?status=expired')).json().items.map((a: { id: string }) => a.id);
    expect(expired).toEqual([lapsed.id]);
    const approved = (await get(frNcb.auth, '/v1/agencies?status=approved')).json().items.map((a: { id: string }) => a.id);
    expect(approved).not.toContain(lapsed.id);
    expect(approved).toContain(soon.id);
    const due = (await get(frNcb.auth, '/v1/agencies?expiringWithinDays=30')).json().items.map((a: { id: string }) => a.id);
    expect(due).toEqual([soon.id]);
  });

  it('reminds the NCB before an agreement runs out and once after, never twice, and afresh after a renewal', async () => {
    const customs = await t.agency('FR', 'DOUANE-STRASBOURG', 'agency');
    const soon = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
    await post(frNcb.auth, `/v1/agencies/${customs.id}/approval`, agreement({ reference: 'UA-STR-1', validUntil: soon }));
    const about = (outbox: OutboxRecord[]) => outbox.filter((o) => (o.envelope.payload as { agencyId: string }).agencyId === customs.id);

    // Through the maintenance task, as the hub runs it: the reminder reaches the NCB's inbox.
    await t.hub.runMaintenance('agreement-reminders');
    const inbox = await waitFor(async () => {
      const items = (await get(frNcb.auth, '/v1/inbox?limit=500')).json().items as { type: string; envelope: { payload: { agencyId: string } } }[];
      return items.find((i) => i.type === 'agency.agreement-due' && i.envelope.payload.agencyId === customs.id);
    }, 'the reminder in the NCB inbox');
    expect(inbox.envelope.payload).toEqual({ agencyId: customs.id, agency: 'DOUANE-STRASBOURG', name: 'DOUANE-STRASBOURG (test)', agreementReference: 'UA-STR-1', validUntil: soon, expired: false });
    expect(about((await runAgreementReminders(t.hub.ctx.db, t.hub.ctx.config)).outbox)).toEqual([]);

    const after = new Date(Date.now() + 21 * 86_400_000);
    const expired = about((await runAgreementReminders(t.hub.ctx.db, t.hub.ctx.config, after)).outbox);
    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatchObject({ recipientCountry: 'FR', recipientAgency: 'NCB-PARIS', type: 'agency.agreement-due', envelope: { payload: { expired: true } } });
    expect(about((await runAgreementReminders(t.hub.ctx.db, t.hub.ctx.config, after)).outbox)).toEqual([]);

    await post(frNcb.auth, `/v1/agencies/${customs.id}/approval`, agreement({ reference: 'UA-STR-2', validUntil: soon }));
    const renewed = about((await runAgreementReminders(t.hub.ctx.db, t.hub.ctx.config)).outbox);
    expect(renewed.map((o) => (o.envelope.payload as { agreementReference: string }).agreementReference)).toEqual(['UA-STR-2']);
  });
});

describe('what a partner channel carries in an agency\'s name', () => {
  /** A message as the country's AMQP queue or SFTP drop hands it to intake: the channel vouches for the country only. */
  const overChannel = (agency: string, type: string, payload: unknown) =>
    t.hub.ctx.intake.submit({
      channel: 'amqp',
      format: 'canonical-json',
      contentType: 'application/json',
      raw: Buffer.from(JSON.stringify({ messageId: `ch-${Math.random().toString(36).slice(2)}`, type, sender: { country: 'FR', agency }, sentAt: new Date().toISOString(), payload })),
      sender: { country: 'FR', agency: null },
    });

  it('is refused for a known agency its NCB has not approved, or has suspended, naming the field', async () => {
    const customs = await t.agency('FR', 'DOUANE-ROUEN', 'agency');
    expect((await overChannel('DOUANE-ROUEN', 'record.upsert', record('ROUEN-1'))).status).not.toBe('rejected');
    await post(frNcb.auth, `/v1/agencies/${customs.id}/suspension`, { reason: 'inquiry' });
    const refused = await overChannel('DOUANE-ROUEN', 'record.upsert', record('ROUEN-2'));
    expect(refused).toMatchObject({ status: 'rejected', rejection: 'forbidden', errors: [{ pointer: '/sender/agency', code: 'access.not-granted', message: 'access suspended by the NCB of FR: inquiry' }] });
    const pending = await post(frNcb.auth, '/v1/agencies', { code: 'DOUANE-CAEN', name: 'Douane Caen' });
    expect(pending.statusCode).toBe(201);
    expect((await overChannel('DOUANE-CAEN', 'record.upsert', record('CAEN-1'))).errors).toEqual([expect.objectContaining({ code: 'access.not-granted' })]);
    // The refusal is stored and answered like any rejection: a receipt goes back over the channel.
    const receipts = await t.hub.ctx.db.selectFrom('outbox').select(['type', 'recipient_country']).where('source_ledger_id', '=', refused.ledgerId).execute();
    expect(receipts).toEqual([{ type: 'hub.receipt', recipient_country: 'FR' }]);
  });

  it('is held to the scope its NCB set, and names the module', async () => {
    await t.agency('FR', 'POLICE-TOULOUSE', 'agency', { access: { seizures: 'write' } });
    await t.hub.ctx.agencies.refresh();
    const refused = await overChannel('POLICE-TOULOUSE', 'record.upsert', record('TLS-1'));
    expect(refused.errors).toEqual([expect.objectContaining({ pointer: '/sender/agency', code: 'access.outside-scope', message: 'FR/POLICE-TOULOUSE is approved for seizures (write), not to write to records' })]);
  });

  it('holds a replay to the agency\'s access now, not when it first sent', async () => {
    const customs = await t.agency('FR', 'DOUANE-METZ', 'agency');
    const sent = await inject({ method: 'POST', url: '/v1/messages', headers: { authorization: customs.auth, 'content-type': 'application/json' }, payload: notice({ country: 'FR', agency: 'DOUANE-METZ' }, ['DE'], {}, { subject: '' }) });
    expect(sent.statusCode).toBe(400);
    await post(frNcb.auth, `/v1/agencies/${customs.id}/revocation`, { reason: 'left the programme' });
    const replay = await post(admin.auth, '/v1/admin/messages/replay', { ids: [sent.json().ledgerId], reason: 'fixed schema' });
    const replayId = replay.json().results[0].replay as string;
    const view = (await get(admin.auth, `/v1/messages/${replayId}`)).json();
    expect(view.status).toBe('rejected');
    expect(view.errors).toContainEqual(expect.objectContaining({ pointer: '/sender/agency', code: 'access.not-granted' }));
  });

  it('passes for names the hub does not know: the NCB answers for its own channel', async () => {
    const unknown = await overChannel('BRIGADE-XYZ', 'record.upsert', record('XYZ-1'));
    expect(unknown.status).not.toBe('rejected');
  });
});

describe('the NCB answers for its agencies\' use', () => {
  it('sees what one of its agencies searched and which records of others it was shown; no other NCB does', async () => {
    const analyst = await t.agency('FR', 'OCLCTIC-ANALYSE', 'agency', { access: { records: 'read' } });
    const deRecord = { ...record('DE-ACT-1'), event: { ...record('x').event, place: { country: 'DE', locality: 'Köln' } } };
    const created = await post(deNcb.auth, '/v1/records', { ...deRecord, firearm: { ...deRecord.firearm, serials: [{ value: 'ACT 000 117', location: 'frame' }] } });
    expect(created.statusCode).toBe(201);
    const found = await get(analyst.auth, '/v1/records?serial=ACT000117');
    expect(found.json().items.map((r: { id: string }) => r.id)).toEqual([created.json().id]);
    expect((await get(analyst.auth, `/v1/records/${created.json().id}`)).statusCode).toBe(200);

    const activity = await get(frNcb.auth, `/v1/agencies/${analyst.id}/activity`);
    expect(activity.statusCode).toBe(200);
    const items = activity.json().items as { actor: string; action: string; target: string | null; detail: { query?: { serial?: string }; results?: string[] } }[];
    expect(items.map((i) => i.action)).toEqual(['records.view', 'records.search']);
    expect(items.every((i) => i.actor === 'FR/OCLCTIC-ANALYSE')).toBe(true);
    expect(items[0]!.target).toBe(created.json().id);
    expect(items[1]!.detail).toMatchObject({ query: { serial: 'ACT000117' }, results: [created.json().id] });
    expect((await get(frNcb.auth, `/v1/agencies/${analyst.id}/activity?action=records.search&limit=1`)).json().items).toHaveLength(1);
    expect((await get(deNcb.auth, `/v1/agencies/${analyst.id}/activity`)).statusCode).toBe(404);
    const byAdmin = (await get(admin.auth, '/v1/admin/audit?actor=FR/OCLCTIC-ANALYSE&action=records.view')).json().items;
    expect(byAdmin).toEqual([expect.objectContaining({ target: created.json().id })]);
  });
});

