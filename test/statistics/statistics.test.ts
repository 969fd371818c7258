import ExcelJS from 'exceljs';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScheduledReports } from '../../src/statistics/scheduled-reports.js';
import { lastCompletePeriod } from '../../src/statistics/report-periods.js';
import { statisticsTable } from '../../src/statistics/statistics-query.js';
import { subjectDefinitions } from '../../src/statistics/statistics-subjects.js';
import { waitFor } from '../support/test-environment.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';

/**
 * Statistics and reports: a country's own figures on its records, seizures and hits, exact;
 * the other countries' figures protected (own rows left out, whole months, small cells not listed,
 * counts rounded), so that no restricted case can be
 * singled out; the General Secretariat's exact figures; CSV for a spreadsheet; every query in the
 * audit log. The suppression threshold is 3 here, and counts are not rounded but where a spec
 * says so.
 */
let t: TestHub;
let admin: string;
let fr: string;
let de: string;
let deCustoms: string;
let us: string;
let deTracesOnly: string;

const inject = (opts: InjectOptions) => t.hub.app!.inject(opts);
const post = (auth: string, url: string, body: unknown) =>
  inject({ method: 'POST', url, headers: { authorization: auth, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
const get = (auth: string, url: string) => inject({ method: 'GET', url, headers: { authorization: auth } });
async function stats(auth: string, url: string) {
  const res = await get(auth, url);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { total: Record<string, number> | null; cells: ({ key: Record<string, string | null> } & Record<string, unknown>)[]; scope: string; country: string | null; suppression: { suppressedCells: number } | null; notes: string[] };
}
/** Cells as "key=value,...: measure" lines, for whole-table comparisons. */
const lines = (cells: { key: Record<string, string | null> }[], measure: string) =>
  cells.map((c) => `${Object.values(c.key).join('/')}: ${String((c as Record<string, unknown>)[measure])}`).sort();

let refs = 0;
async function record(auth: string, type: string, extra: { status?: string; date?: string; serial?: string; make?: string; calibre?: string; restrictions?: Record<string, unknown> } = {}): Promise<string> {
  refs++;
  const res = await post(auth, '/v1/records', {
    ownerReference: `ST-${refs}`,
    status: extra.status ?? 'STOLEN',
    firearm: { serials: [{ value: extra.serial ?? `STAT${refs}X${refs * 7919}` }], make: extra.make ?? 'Glock', calibre: extra.calibre ?? '9mm Luger', type, countryOfManufacture: 'AT' },
    event: { date: extra.date ?? '2026-09-01', caseNumber: `C-${refs}`, illicitBasis: 'national-law' },
    ...(extra.restrictions ? { restrictions: extra.restrictions } : {}),
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

async function seize(place: string, firearms: { serial: string; type: string; make?: string; calibre?: string; madeIn?: string }[]): Promise<string> {
  refs++;
  const res = await post(deCustoms, '/v1/seizures', {
    seizureReference: `ZOLL-ST-${refs}`,
    date: '2026-11-02',
    place: { type: place },
    direction: 'import',
    legalBasis: 'WaffG § 52',
    detectionMethod: 'x-ray',
    firearms: firearms.map((f) => ({
      description: { serials: [{ value: f.serial }], make: f.make ?? 'Beretta', calibre: f.calibre ?? '9mm Luger', type: f.type, ...(f.madeIn ? { countryOfManufacture: f.madeIn } : {}) },
    })),
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().seizureId as string;
}

beforeAll(async () => {
  t = await startTestHub('statistics', { tuneConfig: (c) => void (c.statistics = { minimumCellCount: 3, roundingBase: 1 }) });
  admin = (await t.agency(null, 'GS-ADMIN')).auth;
  fr = (await t.agency('FR', 'NCB-PARIS')).auth;
  de = (await t.agency('DE', 'NCB-WIESBADEN')).auth;
  us = (await t.agency('US', 'NCB-WASHINGTON')).auth;
  deCustoms = (await t.agency('DE', 'ZOLL-FRA', 'agency')).auth;
  deTracesOnly = (await t.agency('DE', 'LKA-TRACES', 'agency', { access: { traces: 'write' } })).auth;

  // France: 3 stolen pistols and 2 stolen revolvers this year, a rifle lost last year, one record cancelled.
  for (let i = 0; i < 3; i++) await record(fr, 'semi-automatic pistol');
  for (let i = 0; i < 2; i++) await record(fr, 'revolver', { make: 'Smith & Wesson', calibre: '.38 Special', date: '2026-08-15' });
  await record(fr, 'bolt-action rifle', { status: 'LOST', date: '2025-05-20', serial: 'RIF445566', make: 'Mauser', calibre: '.308 Winchester' });
  const cancelled = await record(fr, 'pistol');
  expect((await post(fr, `/v1/records/${cancelled}/status`, { status: 'CANCELLED', reason: 'entered twice' })).statusCode).toBe(200);
  // Germany: 6 stolen shotguns; the United States: one stolen rifle.
  for (let i = 0; i < 6; i++) await record(de, 'pump-action shotgun', { make: 'Mossberg', calibre: '12 gauge' });
  await record(us, 'rifle', { make: 'Ruger', calibre: '.223 Remington' });

  // German customs: an airport seizure of two pistols (one made abroad, one at home); a seaport
  // seizure of the French rifle (a hit); an inland shotgun made in the US, traced; a revolver of
  // unknown origin.
  await seize('airport', [
    { serial: 'AIRP100200', type: 'pistol', madeIn: 'IT' },
    { serial: 'AIRP300400', type: 'pistol', madeIn: 'DE', make: 'Walther' },
  ]);
  await seize('seaport', [{ serial: 'RIF445566', type: 'bolt-action rifle', make: 'Mauser', calibre: '.308 Winchester', madeIn: 'AT' }]);
  const traced = await seize('inland', [{ serial: 'SHOT909090', type: 'shotgun', make: 'Mossberg', calibre: '12 gauge', madeIn: 'US' }]);
  await seize('inland', [{ serial: 'REV5551212', type: 'revolver', make: 'Taurus', calibre: '.38 Special' }]);

  const trace = await post(deCustoms, `/v1/seizures/${traced}/trace-requests`, { addressedTo: { country: 'US', as: 'country-of-manufacture' }, intendedUse: 'investigation of the smuggling route', crimeCategory: 'firearms trafficking' });
  expect(trace.statusCode, trace.body).toBe(201);
  const traceId = trace.json().traceRequestId as string;
  expect((await post(us, `/v1/trace-requests/${traceId}/status`, { status: 'ACKNOWLEDGED' })).statusCode).toBe(200);
  const answered = await post(us, `/v1/trace-requests/${traceId}/responses`, {
    outcome: 'COMPLETED',
    chainOfCustody: [{ role: 'manufacturer', name: 'O.F. Mossberg & Sons', country: 'US', transferredOn: '2020-01-10' }, { role: 'dealer', name: 'Gun Shop Inc.', country: 'US' }],
    pointOfDiversion: { identified: true, description: 'Straw purchase in 2021' },
  });
  expect(answered.statusCode, answered.body).toBe(200);
});
afterAll(() => t?.stop());

describe("a country's own figures", () => {
  it('count its own records exactly, by category and UNODC type class, leaving cancelled records out', async () => {
    const s = await stats(fr, '/v1/records/statistics?groupBy=status&groupBy=typeClass');
    expect(s).toMatchObject({ scope: 'national', country: 'FR', total: { records: 6 }, suppression: null });
    expect(lines(s.cells, 'records')).toEqual(['LOST/rifle: 1', 'STOLEN/pistol: 3', 'STOLEN/revolver: 2']);
    expect(s.notes.join(' ')).toContain('not a random sample');
  });

  it('count cancelled records only when asked for by status', async () => {
    const s = await stats(fr, '/v1/records/statistics?status=CANCELLED&groupBy=type');
    expect(s.total).toEqual({ records: 1 });
    expect(lines(s.cells, 'records')).toEqual(['pistol: 1']);
  });

  it('filter by the period of the event and by any dimension', async () => {
    expect((await stats(fr, '/v1/records/statistics?from=2026-01-01')).total).toEqual({ records: 5 });
    expect((await stats(fr, '/v1/records/statistics?to=2025-12-31&groupBy=year')).cells).toMatchObject([{ key: { year: '2025' }, records: 1 }]);
    expect((await stats(fr, '/v1/records/statistics?make=smith-wesson&make=mauser')).total).toEqual({ records: 3 });
    const monthly = await stats(fr, '/v1/records/statistics?groupBy=month&from=2026-01-01');
    expect(lines(monthly.cells, 'records')).toEqual(['2026-08: 2', '2026-09: 3']);
  });

  it('break seized firearms down as UNODC does: by origin, place and type, with seizures, hits and traced firearms (SDG 16.4.2)', async () => {
    const byOrigin = await stats(de, '/v1/seizures/statistics?groupBy=origin');
    expect(byOrigin.total).toEqual({ firearms: 5, seizures: 4, hits: 1, traced: 1 });
    expect(byOrigin.cells).toEqual([
      { key: { origin: 'foreign' }, firearms: 3, seizures: 3, hits: 1, traced: 1 },
      { key: { origin: 'domestic' }, firearms: 1, seizures: 1, hits: 0, traced: 0 },
      { key: { origin: 'unknown' }, firearms: 1, seizures: 1, hits: 0, traced: 0 },
    ]);
    const byPlace = await stats(deCustoms, '/v1/seizures/statistics?groupBy=placeType&groupBy=typeClass');
    expect(lines(byPlace.cells, 'firearms')).toEqual(['airport/pistol: 2', 'inland/revolver: 1', 'inland/shotgun: 1', 'seaport/rifle: 1']);
    expect((await stats(de, '/v1/seizures/statistics?hit=hit&groupBy=seizingCountry')).cells).toMatchObject([{ key: { seizingCountry: 'DE' }, firearms: 1 }]);
    // France seized nothing.
    expect((await stats(fr, '/v1/seizures/statistics')).total).toEqual({ firearms: 0, seizures: 0, hits: 0, traced: 0 });
  });

  it('count a hit for both the owner of the record and the seizing country, and for nobody else', async () => {
    const owner = await stats(fr, '/v1/hits/statistics?groupBy=ownerCountry&groupBy=seizingCountry&groupBy=typeClass');
    expect(owner.cells).toMatchObject([{ key: { ownerCountry: 'FR', seizingCountry: 'DE', typeClass: 'rifle' }, hits: 1 }]);
    expect((await stats(de, '/v1/hits/statistics')).total).toEqual({ hits: 1, seizures: 1 });
    expect((await stats(us, '/v1/hits/statistics')).total).toEqual({ hits: 0, seizures: 0 });
  });

  it("count traced firearms only from the trace requests the agency may read", async () => {
    const seizuresOnly = (await t.agency('DE', 'LKA-SEIZURES', 'agency', { access: { seizures: 'read' } })).auth;
    const otherTracer = (await t.agency('DE', 'BKA-TRACES', 'agency', { access: { seizures: 'read', traces: 'read' } })).auth;
    expect((await stats(seizuresOnly, '/v1/seizures/statistics')).total).toEqual({ firearms: 5, seizures: 4, hits: 1 });
    // The seized shotgun was traced by customs (ZOLL-FRA), whose requests another agency does not see.
    expect((await stats(otherTracer, '/v1/seizures/statistics')).total).toMatchObject({ traced: 0 });
    expect((await stats(deCustoms, '/v1/seizures/statistics')).total).toMatchObject({ traced: 1 });
  });
});

describe('figures across all countries', () => {
  it("leave the viewer's own rows out, and do not list cells counting fewer cases than the threshold", async () => {
    // Every country's but the United States' one rifle: 12 records, 2 revolvers and 1 rifle unlisted.
    const s = await stats(us, '/v1/records/statistics?scope=global&groupBy=typeClass');
    expect(s).toMatchObject({ scope: 'global', country: null, total: { records: 12 }, suppression: { suppressedCells: 2, excludedCountry: 'US' } });
    expect(s.cells).toEqual([
      { key: { typeClass: 'shotgun' }, records: 6 },
      { key: { typeClass: 'pistol' }, records: 3 },
    ]);
  });

  it('suppress a second cell where one alone could be recovered from the total', async () => {
    // Stolen 11, lost 1 (France's rifle): the lost cell alone would be the total less 11.
    const s = await stats(us, '/v1/records/statistics?scope=global&groupBy=status');
    expect(s.total).toEqual({ records: 12 });
    expect(s.cells).toEqual([]);
    expect(s.suppression).toMatchObject({ suppressedCells: 2 });
  });

  it('publish nothing but the fact when the total itself is below the threshold', async () => {
    const s = await stats(de, '/v1/records/statistics?scope=global&typeClass=revolver&groupBy=ownerCountry');
    expect(s.total).toBeNull();
    expect(s.cells).toEqual([]);
  });

  it('round every count they publish, so that a small one cannot be had by difference', async () => {
    const records = subjectDefinitions(t.hub.ctx.reference).records;
    const global = { scope: 'global', country: null, traces: null, groupBy: ['typeClass'], filters: {}, protection: { minimumCount: 3, roundTo: 5 } } as const;
    const all = await statisticsTable(t.hub.ctx.db, 'records', records, global);
    expect(all.total).toEqual({ records: 15 });
    expect(all.cells.map((c) => [c.key.typeClass, c.records])).toEqual([['shotgun', 5], ['pistol', 5]]);
    // All but the revolvers: 11, published as 10. The difference from 15 does not give the 2 revolvers.
    const butRevolvers = await statisticsTable(t.hub.ctx.db, 'records', records, { ...global, groupBy: [], filters: { typeClass: ['pistol', 'rifle', 'shotgun'] } });
    expect(butRevolvers.total).toEqual({ records: 10 });
    expect(butRevolvers.notes.join(' ')).toContain('rounded to the nearest 5');
  });

  it('count whole months, so that a jump in a total does not date one case', async () => {
    const res = await get(us, '/v1/records/statistics?scope=global&from=2026-09-15&to=2026-09-20');
    // September's: France's three pistols and Germany's six shotguns, all of 1 September.
    expect(res.json()).toMatchObject({ period: { from: '2026-09-01', to: '2026-09-30' }, total: { records: 9 } });
  });


  it('judge seizures by the number of seizure reports, not of firearms', async () => {
    const s = await stats(fr, '/v1/seizures/statistics?scope=global&groupBy=placeType');
    // The airport cell holds two firearms but one seizure.
    expect(s.cells.find((c) => c.key.placeType === 'airport')).toBeUndefined();
    expect(s.total).toMatchObject({ firearms: 5, seizures: 4 });
  });

  it('are exact for the General Secretariat, which also sees any one country\'s figures', async () => {
    const s = await stats(admin, '/v1/records/statistics?groupBy=typeClass');
    expect(s).toMatchObject({ scope: 'global', suppression: null, total: { records: 13 } });
    expect(lines(s.cells, 'records')).toEqual(['pistol: 3', 'revolver: 2', 'rifle: 2', 'shotgun: 6']);
    expect((await stats(admin, '/v1/records/statistics?country=DE')).total).toEqual({ records: 6 });
  });
});

describe('exports and oversight', () => {
  it('give a table as CSV, with the names of reference ids and a TOTAL row', async () => {
    const res = await get(de, '/v1/seizures/statistics?groupBy=origin&format=csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.body.split('\r\n')).toEqual([
      'origin,firearms,seizures,hits,traced',
      'foreign,3,3,1,1',
      'domestic,1,1,0,0',
      'unknown,1,1,0,0',
      'TOTAL,5,4,1,1',
      '',
    ]);
    const named = await get(fr, '/v1/records/statistics?groupBy=make&make=mauser&format=csv');
    expect(named.body.split('\r\n')).toEqual(['make,makeName,records', `mauser,${t.hub.ctx.reference.manufacturer('mauser')!.name},1`, 'TOTAL,,1', '']);
    const global = await get(us, '/v1/records/statistics?scope=global&groupBy=status&format=csv');
    expect(global.body.split('\r\n')).toEqual(['status,records', 'TOTAL,12', '']);
  });

  it('give the same table as a workbook, with what it counts on a second sheet', async () => {
    const res = await inject({ method: 'GET', url: '/v1/seizures/statistics?groupBy=origin&format=xlsx', headers: { authorization: de } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const rows = (name: string) => (book.getWorksheet(name)!.getSheetValues() as unknown[][]).filter(Boolean).map((r) => r.slice(1));
    expect(rows('Table')).toEqual([
      ['origin', 'firearms', 'seizures', 'hits', 'traced'],
      ['foreign', 3, 3, 1, 1],
      ['domestic', 1, 1, 0, 0],
      ['unknown', 1, 1, 0, 0],
      ['TOTAL', 5, 4, 1, 1],
    ]);
    expect(rows('About')).toEqual(expect.arrayContaining([['subject', 'seizures'], ['scope', 'national'], ['country', 'DE']]));
  });

  it('write every query to the audit log under its agency', async () => {
    await stats(fr, '/v1/hits/statistics?groupBy=tier');
    const audit = (await get(admin, '/v1/admin/audit?action=hits.statistics&actor=FR/NCB-PARIS')).json() as { items: { detail: { query: Record<string, unknown> } }[] };
    expect(audit.items[0]?.detail.query).toMatchObject({ groupBy: ['tier'] });
  });
});

describe('refusals', () => {
  it("refuse another country's own figures and a module outside the agency's scope", async () => {
    const other = await get(fr, '/v1/records/statistics?country=DE');
    expect(other.statusCode).toBe(403);
    expect(other.json().detail).toContain('scope=global');
    const scoped = await get(deTracesOnly, '/v1/seizures/statistics');
    expect(scoped.statusCode).toBe(403);
    expect(scoped.json()).toMatchObject({ code: 'OUTSIDE_SCOPE', needs: { module: 'seizures', level: 'read' } });
  });

  it('name the parameter at fault', async () => {
    const unknown = await get(fr, '/v1/records/statistics?groupBy=serial');
    expect(unknown.statusCode).toBe(400);
    expect(JSON.stringify(unknown.json().errors)).toContain('/querystring/groupBy');
    const four = await get(fr, '/v1/records/statistics?groupBy=make&groupBy=calibre&groupBy=year&groupBy=status');
    expect(four.statusCode).toBe(400);
    const reversed = await get(fr, '/v1/records/statistics?from=2026-12-01&to=2026-01-01');
    expect(reversed.statusCode).toBe(400);
    expect(reversed.json().errors).toMatchObject([{ pointer: '/querystring/to', code: 'statistics.period-reversed' }]);
    for (const day of ['2026-02-30', '0000-01-01']) {
      const impossible = await get(fr, `/v1/records/statistics?from=${day}`);
      expect(impossible.statusCode, impossible.body).toBe(400);
      expect(JSON.stringify(impossible.json().errors)).toContain('/querystring/from');
    }
    const adminNational = await get(admin, '/v1/records/statistics?scope=national');
    expect(adminNational.json().errors).toMatchObject([{ pointer: '/querystring/country' }]);
  });
});

describe('scheduled reports', () => {
  // Last in the file: the records made here would change the figures above.
  const lastMonth = lastCompletePeriod('month', new Date());
  const scheduled = (now = new Date()) => runScheduledReports(t.hub.ctx.db, t.hub.ctx.config, t.hub.ctx.reference, { minimumCount: 3, roundTo: 1 }, now);
  const nextMonth = () => new Date(Date.parse(`${lastMonth.to}T00:00:00Z`) + 40 * 86_400_000);

  it("send each month's table to the subscriber over its reply channel, once", async () => {
    await record(us, 'revolver', { make: 'Colt', calibre: '.38 Special', date: lastMonth.from });
    await record(us, 'revolver', { make: 'Colt', calibre: '.38 Special', date: lastMonth.to });
    await record(us, 'pistol', { make: 'Beretta', date: lastMonth.to });
    const created = await post(us, '/v1/statistics-subscriptions', { name: 'Monthly thefts by make', subject: 'records', every: 'month', groupBy: ['make'], filters: { status: ['STOLEN'] } });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ subject: 'records', every: 'month', scope: 'national', groupBy: ['make'], filters: { status: ['STOLEN'] }, firstPeriod: lastMonth.label, lastPeriodSent: null });
    const id = created.json().id as string;

    // As the hourly maintenance task runs it: the report is routed and delivered like any message.
    await t.hub.runMaintenance('statistics-reports');
    const report = await waitFor(async () => {
      const items = (await get(us, '/v1/inbox?limit=500')).json().items as { type: string; envelope: { correlationId?: string; payload: Record<string, unknown> } }[];
      return items.find((i) => i.type === 'statistics.report' && i.envelope.correlationId === id);
    }, 'the statistics report in the inbox');
    expect(report.envelope.payload).toMatchObject({
      subscriptionId: id,
      name: 'Monthly thefts by make',
      period: lastMonth,
      table: { subject: 'records', scope: 'national', country: 'US', total: { records: 3 }, cells: [{ key: { make: 'colt' }, records: 2 }, { key: { make: 'pietro-beretta' }, records: 1 }] },
    });
    // The reference's names of the makers, for people reading the report.
    const names = (report.envelope.payload.table as { labels: Record<string, Record<string, string>> }).labels.make!;
    expect(Object.keys(names).sort()).toEqual(['colt', 'pietro-beretta']);
    expect(names['pietro-beretta']).toBe(t.hub.ctx.reference.manufacturer('pietro-beretta')!.name);
    expect((await scheduled()).outbox.filter((o) => o.envelope.correlationId === id)).toEqual([]);
    expect((await get(us, '/v1/statistics-subscriptions')).json().items).toMatchObject([{ id, lastPeriodSent: lastMonth.label }]);

    // Cancelled, it gets no more.
    expect((await inject({ method: 'DELETE', url: `/v1/statistics-subscriptions/${id}`, headers: { authorization: us } })).statusCode).toBe(200);
    expect((await scheduled(nextMonth())).outbox.filter((o) => o.envelope.correlationId === id)).toEqual([]);
  });

  it('withhold reports from an agency whose NCB suspended it, and from a scope that no longer covers the subject', async () => {
    const police = await t.agency('DE', 'BKA-STATS', 'agency');
    const sub = await post(police.auth, '/v1/statistics-subscriptions', { name: 'Seizures by place', subject: 'seizures', every: 'quarter', scope: 'global', groupBy: ['placeType'] });
    expect(sub.statusCode, sub.body).toBe(201);
    const suspended = await post(de, `/v1/agencies/${police.id}/suspension`, { reason: 'audit of use' });
    expect(suspended.statusCode, suspended.body).toBe(200);
    const analyst = await t.agency('DE', 'LKA-STATS', 'agency', { access: { seizures: 'read' } });
    const other = await post(analyst.auth, '/v1/statistics-subscriptions', { name: 'Hits by tier', subject: 'hits', every: 'month', groupBy: ['tier'] });
    expect(other.statusCode, other.body).toBe(201);
    const narrowed = await post(de, `/v1/agencies/${analyst.id}/approval`, { reference: 'UA-LKA-2', signedOn: new Date().toISOString().slice(0, 10), signedBy: 'Head of NCB', scope: { traces: 'read' } });
    expect(narrowed.statusCode, narrowed.body).toBe(200);
    await t.hub.ctx.agencies.refresh();

    const ids = [sub.json().id as string, other.json().id as string];
    const run = await scheduled(nextMonth());
    expect(run.outbox.filter((o) => ids.includes(String(o.envelope.correlationId)))).toEqual([]);
    expect(run.withheld).toBe(2);
  });

  it('refuse a subject outside the agency\'s scope and name an unknown dimension', async () => {
    const scoped = await post(deTracesOnly, '/v1/statistics-subscriptions', { name: 'x', subject: 'records', every: 'month' });
    expect(scoped.statusCode).toBe(403);
    expect(scoped.json()).toMatchObject({ code: 'OUTSIDE_SCOPE' });
    const unknown = await post(fr, '/v1/statistics-subscriptions', { name: 'x', subject: 'hits', every: 'year', groupBy: ['tier', 'placeType'], filters: { serial: ['X'] } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors).toMatchObject([
      { pointer: '/body/groupBy/1', code: 'statistics.unknown-dimension' },
      { pointer: '/body/filters/serial', code: 'statistics.unknown-dimension' },
    ]);
  });
});

describe('what figures do not disclose', () => {
  // Last in the file: the record and hit made here would change the figures above.
  it("describe a hit's firearm as it was seized, not as the record the seizing country may not see", async () => {
    await record(fr, 'revolver', { serial: 'RSTR445566', make: 'Colt', calibre: '.38 Special', restrictions: { visibility: 'deny', countries: ['DE'] } });
    await seize('inland', [{ serial: 'RSTR445566', type: 'pistol', make: 'Colt', calibre: '.38 Special' }]);
    const seen = await stats(de, '/v1/hits/statistics?ownerCountry=FR&groupBy=typeClass&groupBy=make');
    expect(lines(seen.cells, 'hits')).toEqual(['pistol/colt: 1', 'rifle/mauser: 1']);
  });
});
