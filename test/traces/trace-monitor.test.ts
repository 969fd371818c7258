import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTraceDeadlines } from '../../src/traces/trace-deadline-task.js';
import { streamTraces } from '../../src/traces/trace-search.js';
import { EXPORT_COLUMNS } from '../../src/traces/trace-views.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { agency, client, traceRequest, type Agency } from './trace-fixtures.js';
import { traceAnalytics } from '../../src/traces/trace-analytics.js';

/**
 * Monitoring trace requests: each side lists its incoming or outgoing requests with filters and
 * a cursor, exports exactly the filtered rows as CSV, XLSX or JSON, and reports on a period. The
 * hub runs without workers, so nothing moves a request but the test.
 */
let t: TestHub;
let c: ReturnType<typeof client>;
let frNcb: Agency;
let deNcb: Agency;
let usNcb: Agency;

const H = 3600_000;
const today = new Date().toISOString().slice(0, 10);
const lastYear = new Date().getUTCFullYear() - 1;

beforeAll(async () => {
  t = await startTestHub('trace_monitor', { start: false });
  c = client(t);
  frNcb = await agency(t, 'FR', 'NCB-PARIS');
  deNcb = await agency(t, 'DE', 'NCB-WIESBADEN');
  usNcb = await agency(t, 'US', 'NCB-WASHINGTON');
});
afterAll(() => t?.stop());

async function create(by: Agency, ref: string, to: string, overrides: Record<string, unknown> = {}, firearm: Record<string, unknown> = {}) {
  const res = await c.post(by, '/v1/trace-requests', traceRequest(ref, { addressedTo: { country: to }, ...overrides }, firearm));
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

describe('listing, filtering and exporting', () => {
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    ids.L1 = await create(usNcb, 'US-L1', 'DE', { caseReference: 'LST-1' }, { serials: [{ value: 'LS-0001' }] });
    ids.L2 = await create(usNcb, 'US-L2', 'DE', { caseReference: 'LST-2', priority: 'urgent', urgentJustification: 'Imminent trial' }, { serials: [{ value: 'LS-0002' }] });
    ids.L3 = await create(usNcb, 'US-L3', 'FR', { caseReference: '=LST-3' }, { serials: [{ value: 'AB 77-123' }], make: 'Beretta', countryOfManufacture: 'IT' });
    ids.L4 = await create(usNcb, 'US-L4', 'FR', { caseReference: 'LST-4' }, { serials: [{ value: 'LS-0004' }] });
    await c.post(usNcb, `/v1/trace-requests/${ids.L4}/status`, { status: 'CANCELLED', reason: 'Duplicate of US-L3' });
    ids.L5 = await create(deNcb, 'DE-L5', 'US', { caseReference: 'LST-5' });
    ids.L6 = await create(frNcb, 'FR-L6', 'DE', { caseReference: 'LST-6' });
    // L2 (urgent: 24 hours to acknowledge) passes its due date.
    await runTraceDeadlines(t.hub.ctx.db, t.hub.ctx.config, new Date(Date.now() + 25 * H));
  });

  const list = async (a: Agency, query: string) => {
    const res = await c.get(a, `/v1/trace-requests?${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().items.map((i: { id: string }) => i.id) as string[];
  };

  it('lists a side\'s outgoing and incoming requests, newest first, and nothing of others', async () => {
    expect(await list(usNcb, 'direction=outgoing')).toEqual([ids.L4, ids.L3, ids.L2, ids.L1]);
    expect(await list(usNcb, `direction=incoming&from=${today}`)).toEqual([ids.L5]);
    expect(await list(usNcb, `from=${today}`)).toEqual([ids.L5, ids.L4, ids.L3, ids.L2, ids.L1]);
    const item = (await c.get(usNcb, `/v1/trace-requests?direction=incoming&from=${today}`)).json().items[0];
    expect(item).toMatchObject({ id: ids.L5, direction: 'incoming', role: 'addressee', requester: { country: 'DE' }, caseReference: 'LST-5' });
  });

  it('filters by status, counterpart, priority, overdue, date range and text in the case reference or a serial', async () => {
    expect(await list(usNcb, 'direction=outgoing&status=CANCELLED')).toEqual([ids.L4]);
    expect(await list(usNcb, 'direction=outgoing&status=CANCELLED&status=DELIVERED')).toEqual([ids.L4, ids.L3, ids.L2, ids.L1]);
    expect(await list(usNcb, 'direction=outgoing&counterpart=DE')).toEqual([ids.L2, ids.L1]);
    expect(await list(usNcb, 'direction=outgoing&priority=urgent')).toEqual([ids.L2]);
    expect(await list(usNcb, 'direction=outgoing&overdue=true')).toEqual([ids.L2]);
    expect(await list(deNcb, `direction=incoming&overdue=true&from=${today}`)).toEqual([ids.L2]);
    expect(await list(usNcb, 'direction=outgoing&overdue=false')).toEqual([ids.L4, ids.L3, ids.L1]);
    expect(await list(usNcb, `direction=outgoing&from=${lastYear}-01-01&to=${lastYear}-12-31`)).toEqual([]);
    expect(await list(usNcb, `direction=outgoing&from=${today}&to=${today}`)).toHaveLength(4);
    expect(await list(usNcb, 'q=LST-3')).toEqual([ids.L3]);
    expect(await list(usNcb, 'q=ab77123')).toEqual([ids.L3]);
    expect(await list(usNcb, 'q=77-12')).toEqual([ids.L3]);
    expect(await list(usNcb, 'q=LST-6')).toEqual([]);
  });

  it('refuses a filter it does not know, naming it', async () => {
    const res = await c.get(usNcb, '/v1/trace-requests?direction=sideways&colour=red');
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/querystring', '/querystring/direction']);
  });

  it('pages with a cursor, each request once', async () => {
    const seen: string[] = [];
    let next: string | null = null;
    for (let page = 0; page < 10; page++) {
      const body = (await c.get(usNcb, `/v1/trace-requests?direction=outgoing&limit=1${next ? `&after=${next}` : ''}`)).json() as { items: { id: string }[]; next: string | null };
      seen.push(...body.items.map((i: { id: string }) => i.id));
      next = body.next;
      if (!next) break;
    }
    expect(seen).toEqual([ids.L4, ids.L3, ids.L2, ids.L1]);
  });

  it('streams an export page by page, so no export holds more than a page', async () => {
    const ncbOf = (cc: string) => t.hub.ctx.config.partners.get(cc)?.ncb.agency;
    const seen: string[] = [];
    for await (const row of streamTraces(t.hub.ctx.db, { country: 'US', agency: 'NCB-WASHINGTON' }, ncbOf, { direction: 'outgoing' }, 1)) seen.push(row.id);
    expect(seen).toEqual([ids.L4, ids.L3, ids.L2, ids.L1]);
  });

  it('exports exactly the filtered rows as CSV, with formulas defused', async () => {
    const res = await c.get(usNcb, '/v1/trace-requests/export?format=csv&direction=outgoing&counterpart=FR');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="trace-requests-outgoing.csv"');
    const rows = parse(res.body, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual([...EXPORT_COLUMNS]);
    expect(rows.map((r) => r.id)).toEqual([ids.L4, ids.L3]);
    expect(rows[1]).toMatchObject({ requestReference: 'US-L3', status: 'DELIVERED', addressedCountry: 'FR', caseReference: "'=LST-3", serial: 'AB 77-123', make: 'Beretta', overdue: 'false' });
    expect(rows[0]).toMatchObject({ status: 'CANCELLED' });
    expect(Date.parse(rows[0]!.finishedAt!)).not.toBeNaN();
  });

  it('exports exactly the filtered rows as XLSX, written by the streaming workbook writer', async () => {
    const res = await c.get(usNcb, '/v1/trace-requests/export?format=xlsx&direction=outgoing&counterpart=DE');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.rawPayload as unknown as ExcelJS.Buffer);
    const sheet = workbook.getWorksheet('Trace requests')!;
    const values = sheet.getSheetValues().filter(Boolean).map((r) => (r as unknown[]).slice(1));
    expect(values[0]).toEqual([...EXPORT_COLUMNS]);
    const rows = values.slice(1).map((r) => Object.fromEntries(EXPORT_COLUMNS.map((k, i) => [k, r[i]])));
    expect(rows.map((r) => r.id)).toEqual([ids.L2, ids.L1]);
    expect(rows[0]).toMatchObject({ requestReference: 'US-L2', priority: 'urgent', overdue: true, serial: 'LS-0002' });
    expect(rows[0]!.submittedAt).toBeInstanceOf(Date);
  });

  it('exports exactly the filtered rows as JSON', async () => {
    const res = await c.get(deNcb, `/v1/trace-requests/export?format=json&direction=incoming&from=${today}`);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const items = res.json() as { id: string; role: string }[];
    expect(items.map((i) => i.id)).toEqual([ids.L6, ids.L2, ids.L1]);
    expect(new Set(items.map((i) => i.role))).toEqual(new Set(['addressee']));
    const empty = await c.get(deNcb, '/v1/trace-requests/export?format=json&q=nothing-like-this');
    expect(empty.json()).toEqual([]);
  });
});

describe('reporting', () => {
  /**
   * France's outgoing requests of last March, with times set by hand (hours after submission):
   *   R1 to DE: acknowledged 2, answered 10 (COMPLETED), closed           -> in time
   *   R2 to DE: acknowledged 4, answered 30 (PARTIAL, RECORD_UNAVAILABLE)  -> in time
   *   R3 to DE: acknowledged 200 (due 168), no answer (due 2160, passed)   -> missed; open and overdue now
   *   R4 to US: acknowledged 6, answered 20 (NOT_COMPLETED, NO_RECORD)     -> in time
   *   R5 to US: delivered, never acknowledged (due passed)                 -> missed; open and overdue now
   *   R6 to US: cancelled after 1 hour                                     -> not missed
   * R7 (to DE, submitted in April) and R8 (incoming, from DE) are outside the report.
   * Medians: acknowledge over 2, 4, 6, 200 = 5 hours; respond over 10, 20, 30 = 20 hours.
   */
  const march = (day: number) => new Date(Date.UTC(lastYear, 2, day, 0, 0, 0));
  const plus = (d: Date, h: number) => new Date(d.getTime() + h * H);

  beforeAll(async () => {
    const completed = { outcome: 'COMPLETED', chainOfCustody: [{ role: 'manufacturer', name: 'Carl Walther GmbH', country: 'DE' }], pointOfDiversion: { identified: false } };
    const r: Record<string, string> = {};
    r.R1 = await create(frNcb, 'FR-R1', 'DE');
    r.R2 = await create(frNcb, 'FR-R2', 'DE');
    r.R3 = await create(frNcb, 'FR-R3', 'DE');
    r.R4 = await create(frNcb, 'FR-R4', 'US');
    r.R5 = await create(frNcb, 'FR-R5', 'US');
    r.R6 = await create(frNcb, 'FR-R6', 'US');
    r.R7 = await create(frNcb, 'FR-R7', 'DE');
    r.R8 = await create(deNcb, 'DE-R8', 'FR');
    for (const k of ['R1', 'R2', 'R3']) await c.post(deNcb, `/v1/trace-requests/${r[k]}/status`, { status: 'ACKNOWLEDGED' });
    await c.post(usNcb, `/v1/trace-requests/${r.R4}/status`, { status: 'ACKNOWLEDGED' });
    await c.post(frNcb, `/v1/trace-requests/${r.R8}/status`, { status: 'ACKNOWLEDGED' });
    // R1 was sold in Germany 78 days before its recovery on 1 October 2026; R2 in Austria 2,095 days before.
    await c.post(deNcb, `/v1/trace-requests/${r.R1}/responses`, { ...completed, chainOfCustody: [...completed.chainOfCustody, { role: 'dealer', name: 'Waffen Huber', country: 'DE', transferredOn: '2026-07-15' }] });
    await c.post(frNcb, `/v1/trace-requests/${r.R1}/status`, { status: 'CLOSED' });
    await c.post(deNcb, `/v1/trace-requests/${r.R2}/responses`, {
      ...completed,
      outcome: 'PARTIAL',
      notCompletedReason: 'RECORD_UNAVAILABLE',
      pointOfDiversion: undefined,
      chainOfCustody: [...completed.chainOfCustody, { role: 'dealer', name: 'Waffen Gruber', country: 'AT', transferredOn: '2021-01-05' }, { role: 'last-legal-holder', name: 'J. Doe', country: 'AT', receivedOn: '2021-03-10' }],
    });
    await c.post(usNcb, `/v1/trace-requests/${r.R4}/responses`, { outcome: 'NOT_COMPLETED', notCompletedReason: 'NO_RECORD' });
    await c.post(frNcb, `/v1/trace-requests/${r.R6}/status`, { status: 'CANCELLED', reason: 'Identified domestically' });

    const times: [string, Date, number | null, number | null, number | null][] = [
      // key, submitted, acknowledged after, answered after, finished after (hours)
      ['R1', march(2), 2, 10, 11],
      ['R2', march(3), 4, 30, null],
      ['R3', march(4), 200, null, null],
      ['R4', march(5), 6, 20, null],
      ['R5', march(6), null, null, null],
      ['R6', march(7), null, null, 1],
      ['R7', new Date(Date.UTC(lastYear, 3, 2)), null, null, null],
      ['R8', march(8), 1, null, null],
    ];
    for (const [k, s, ack, resp, fin] of times) {
      await sql`update trace_requests set submitted_at = ${s}, ack_due_at = ${plus(s, 168)}, response_due_at = ${plus(s, 2160)},
        delivered_at = ${plus(s, 0.1)}, acknowledged_at = ${ack === null ? null : plus(s, ack)}, responded_at = ${resp === null ? null : plus(s, resp)},
        finished_at = ${fin === null ? null : plus(s, fin)}, status = case when ${k} = 'R5' then 'DELIVERED' else status end
        where id = ${r[k]}`.execute(t.hub.ctx.db);
    }
  });

  it('gives counts by status and counterpart, median times, the share that missed a due date and the outcomes, matching the hand-computed figures', async () => {
    const res = await c.get(frNcb, `/v1/trace-requests/report?direction=outgoing&from=${lastYear}-03-01&to=${lastYear}-03-31`);
    expect(res.statusCode, res.body).toBe(200);
    const none = { SUBMITTED: 0, DELIVERED: 0, ACKNOWLEDGED: 0, IN_PROGRESS: 0, RESPONDED: 0, CLOSED: 0, CANCELLED: 0, REJECTED: 0 };
    expect(res.json()).toEqual({
      direction: 'outgoing',
      country: 'FR',
      period: { from: `${lastYear}-03-01`, to: `${lastYear}-03-31` },
      total: 6,
      byStatus: { ...none, CLOSED: 1, RESPONDED: 2, ACKNOWLEDGED: 1, DELIVERED: 1, CANCELLED: 1 },
      byCounterpart: [
        { country: 'DE', total: 3, byStatus: { ...none, CLOSED: 1, RESPONDED: 1, ACKNOWLEDGED: 1 } },
        { country: 'US', total: 3, byStatus: { ...none, RESPONDED: 1, DELIVERED: 1, CANCELLED: 1 } },
      ],
      timeToAcknowledge: { count: 4, medianHours: 5 },
      timeToRespond: { count: 3, medianHours: 20 },
      overdue: { count: 2, share: 0.3333, openNow: 2 },
      outcomes: { COMPLETED: 1, PARTIAL: 1, NOT_COMPLETED: 1, reasons: { RECORD_UNAVAILABLE: 1, NO_RECORD: 1 } },
      analytics: {
        answered: 2,
        // R2's last retail sale is the dealer's (5 January 2021), not the holder's receipt.
        timeToCrime: {
          count: 2,
          unknown: 0,
          buckets: [
            { label: 'under 3 months', count: 1 },
            { label: '3 months to under 7 months', count: 0 },
            { label: '7 months to under 1 year', count: 0 },
            { label: '1 year to under 2 years', count: 0 },
            { label: '2 years to under 3 years', count: 0 },
            { label: '3 years and over', count: 1 },
          ],
          averageYears: 2.97,
        },
        sourceByRecovery: [
          { source: 'AT', recovery: 'FR', count: 1 },
          { source: 'DE', recovery: 'FR', count: 1 },
        ],
        topMakes: [{ make: 'carl-walther', count: 2 }],
        topCalibres: [{ calibre: '9x19mm', count: 2 }],
        notes: expect.arrayContaining([expect.stringContaining('not a random sample')]) as unknown,
      },
    });
  });

  it('computes the same analytics a page of answers at a time', async () => {
    const query = { direction: 'outgoing' as const, from: `${lastYear}-03-01`, to: `${lastYear}-03-31` };
    const ncbOf = (country: string) => t.hub.ctx.config.partners.get(country)?.ncb.agency;
    const whole = (await c.get(frNcb, `/v1/trace-requests/report?direction=outgoing&from=${query.from}&to=${query.to}`)).json().analytics as unknown;
    const paged = await traceAnalytics(t.hub.ctx.db, t.hub.ctx.reference, { country: 'FR', agency: 'NCB-PARIS' }, ncbOf, query, 1);
    expect(paged).toEqual(whole);
    expect(paged.answered).toBe(2);
  });

  it('reports the other direction separately, and the addressee sees the same request from its side', async () => {
    const incoming = (await c.get(frNcb, `/v1/trace-requests/report?direction=incoming&from=${lastYear}-03-01&to=${lastYear}-03-31`)).json();
    expect(incoming).toMatchObject({ total: 1, byCounterpart: [{ country: 'DE', total: 1 }], timeToAcknowledge: { count: 1, medianHours: 1 }, timeToRespond: { count: 0, medianHours: null } });
    const deIncoming = (await c.get(deNcb, `/v1/trace-requests/report?direction=incoming&from=${lastYear}-03-01&to=${lastYear}-03-31`)).json();
    expect(deIncoming).toMatchObject({ total: 3, byCounterpart: [{ country: 'FR', total: 3 }], timeToAcknowledge: { count: 3, medianHours: 4 } });
  });

  it('shows a country\'s report to hub admins who name it, and to no other country', async () => {
    const admin = { ...(await t.agency(null, 'HUB-OPS')), country: '', code: 'HUB-OPS' };
    const asAdmin = (await c.get(admin, `/v1/trace-requests/report?direction=outgoing&country=FR&from=${lastYear}-03-01&to=${lastYear}-03-31`)).json();
    expect(asAdmin).toMatchObject({ country: 'FR', total: 6 });
    expect((await c.get(admin, '/v1/trace-requests/report?direction=outgoing')).statusCode).toBe(400);
    expect((await c.get(deNcb, '/v1/trace-requests/report?direction=outgoing&country=FR')).statusCode).toBe(403);
  });
});
