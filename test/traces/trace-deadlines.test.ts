import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/config/project-root.js';
import type { OutboxRecord } from '../../src/ledger/ledger-types.js';
import { runTraceDeadlines } from '../../src/traces/trace-deadline-task.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { agency, client, traceRequest, type Agency } from './trace-fixtures.js';

/**
 * Due dates of trace requests, on a clock the test controls. The hub runs without workers here,
 * so nothing happens behind the test's back: the deadline task is called with a chosen `now`,
 * exactly as the maintenance job calls it with the real one. (trace-deadline-jobs.test.ts shows
 * the job firing by itself, across a restart.)
 *
 * Germany's partner file here gives routine requests addressed to it 2 hours to be acknowledged
 * (reminder 1 hour before), overriding the hub's 7 days; urgent ones keep the hub's 24 hours
 * (reminder 6 hours before) and 14 days to answer (reminder 72 hours before).
 */
let t: TestHub;
let c: ReturnType<typeof client>;
let configDir: string;
let frNcb: Agency;
let deNcb: Agency;
let usNcb: Agency;

const H = 3600_000;

beforeAll(async () => {
  configDir = mkdtempSync(join(tmpdir(), 'trace-deadlines-'));
  cpSync(join(projectRoot(), 'config'), configDir, { recursive: true });
  const deFile = join(configDir, 'partners', 'DE.json');
  const de = JSON.parse(readFileSync(deFile, 'utf8')) as Record<string, unknown>;
  de.traces = { deadlines: { routine: { acknowledge: { withinHours: 2, remindHoursBefore: 1 } } } };
  writeFileSync(deFile, JSON.stringify(de));
  t = await startTestHub('trace_deadlines', { start: false, envOverrides: { configDir } });
  c = client(t);
  frNcb = await agency(t, 'FR', 'NCB-PARIS');
  deNcb = await agency(t, 'DE', 'NCB-WIESBADEN');
  usNcb = await agency(t, 'US', 'NCB-WASHINGTON');
});
afterAll(async () => {
  await t?.stop();
  rmSync(configDir, { recursive: true, force: true });
});

async function create(ref: string, overrides: Record<string, unknown> = {}) {
  const res = await c.post(frNcb, '/v1/trace-requests', traceRequest(ref, overrides));
  expect(res.statusCode, res.body).toBe(201);
  return { id: res.json().id as string, submittedAt: new Date(res.json().submittedAt as string) };
}

/** Runs the deadline task at `now` and returns what it sent about request `id`. */
async function runAt(now: Date, id: string): Promise<OutboxRecord[]> {
  const run = await runTraceDeadlines(t.hub.ctx.db, t.hub.ctx.config, now);
  return run.outbox.filter((o) => (o.envelope.payload as { traceId: string }).traceId === id);
}

const sent = (records: OutboxRecord[]) =>
  records.map((o) => {
    const p = o.envelope.payload as { deadline: string; phase: string };
    return `${p.deadline}:${p.phase}->${o.recipientCountry}/${o.recipientAgency ?? '(NCB)'}`;
  });

const at = (start: Date, ms: number) => new Date(start.getTime() + ms);

describe('acknowledgement and response deadlines', () => {
  it('reminds the addressee before each due date, flags OVERDUE to both sides when it passes, once each, and clears the flag when the obligation is met', async () => {
    const { id, submittedAt } = await create('FR-DL-1', { priority: 'urgent', urgentJustification: 'Suspect to be released', addressedTo: { country: 'DE' } });
    const view0 = (await c.get(frNcb, `/v1/trace-requests/${id}`)).json();
    expect(Date.parse(view0.deadlines.acknowledgeBy)).toBe(submittedAt.getTime() + 24 * H);

    expect(sent(await runAt(at(submittedAt, 18 * H - 1000), id))).toEqual([]);
    const reminder = await runAt(at(submittedAt, 18 * H + 1000), id);
    expect(sent(reminder)).toEqual(['acknowledgement:reminder->DE/(NCB)']);
    expect(reminder[0]!.type).toBe('trace.deadline');
    expect(reminder[0]!.envelope.payload).toMatchObject({ traceId: id, deadline: 'acknowledgement', phase: 'reminder', dueAt: view0.deadlines.acknowledgeBy, priority: 'urgent', status: 'DELIVERED' });
    // Once only, however often the task runs.
    expect(sent(await runAt(at(submittedAt, 19 * H), id))).toEqual([]);
    expect((await c.get(deNcb, `/v1/trace-requests/${id}`)).json()).toMatchObject({ overdue: false, deadlines: { acknowledgement: 'pending' } });

    const overdue = await runAt(at(submittedAt, 24 * H + 1000), id);
    expect(sent(overdue).sort()).toEqual(['acknowledgement:overdue->DE/(NCB)', 'acknowledgement:overdue->FR/NCB-PARIS']);
    expect(sent(await runAt(at(submittedAt, 25 * H), id))).toEqual([]);
    for (const side of [frNcb, deNcb]) {
      const view = (await c.get(side, `/v1/trace-requests/${id}`)).json();
      expect(view).toMatchObject({ overdue: true, deadlines: { acknowledgement: 'overdue', response: 'pending', overdue: true } });
      // DE collects over REST, so the request was DELIVERED as it committed.
      expect(view.thread.map((e: { kind: string; to?: string }) => e.to ?? e.kind)).toEqual(['SUBMITTED', 'DELIVERED', 'reminder', 'overdue']);
      expect(view.thread[3]).toMatchObject({ role: 'hub', deadline: 'acknowledgement', dueAt: view0.deadlines.acknowledgeBy });
    }
    const direction = (a: Agency) => (a === frNcb ? 'outgoing' : 'incoming');
    for (const side of [frNcb, deNcb]) {
      const ids = async (overdueFilter: boolean) => (await c.get(side, `/v1/trace-requests?direction=${direction(side)}&overdue=${overdueFilter}`)).json().items.map((i: { id: string }) => i.id);
      expect(await ids(true)).toContain(id);
      expect(await ids(false)).not.toContain(id);
    }

    // Acknowledged late: no longer overdue, and it says it was late.
    const ack = await c.post(deNcb, `/v1/trace-requests/${id}/status`, { status: 'ACKNOWLEDGED' });
    expect(ack.json()).toMatchObject({ status: 'ACKNOWLEDGED', overdue: false, deadlines: { acknowledgement: 'late', response: 'pending' } });
    expect(ack.json().thread.at(-1)).toMatchObject({ role: 'addressee', from: 'DELIVERED', to: 'ACKNOWLEDGED' });

    expect(sent(await runAt(at(submittedAt, 264 * H - 1000), id))).toEqual([]);
    expect(sent(await runAt(at(submittedAt, 264 * H + 1000), id))).toEqual(['response:reminder->DE/(NCB)']);
    expect(sent(await runAt(at(submittedAt, 336 * H + 1000), id)).sort()).toEqual(['response:overdue->DE/(NCB)', 'response:overdue->FR/NCB-PARIS']);
    expect((await c.get(frNcb, `/v1/trace-requests/${id}`)).json()).toMatchObject({ overdue: true, deadlines: { acknowledgement: 'late', response: 'overdue' } });

    const answered = await c.post(deNcb, `/v1/trace-requests/${id}/responses`, { outcome: 'NOT_COMPLETED', notCompletedReason: 'TOO_OLD', explanation: 'Records destroyed after 30 years' });
    expect(answered.json()).toMatchObject({ overdue: false, deadlines: { acknowledgement: 'late', response: 'late', overdue: false } });
    expect(sent(await runAt(at(submittedAt, 5000 * H), id))).toEqual([]);
  });

  it('sends nothing for a request met in time, or cancelled, whatever the clock says', async () => {
    const met = await create('FR-DL-2', { addressedTo: { country: 'US' } });
    await c.post(usNcb, `/v1/trace-requests/${met.id}/status`, { status: 'ACKNOWLEDGED' });
    await c.post(usNcb, `/v1/trace-requests/${met.id}/responses`, { outcome: 'NOT_COMPLETED', notCompletedReason: 'NO_RECORD' });
    const cancelled = await create('FR-DL-3', { addressedTo: { country: 'US' } });
    await c.post(frNcb, `/v1/trace-requests/${cancelled.id}/status`, { status: 'CANCELLED', reason: 'Sent to the wrong country' });
    const late = at(met.submittedAt, 10_000 * H);
    expect(await runAt(late, met.id)).toEqual([]);
    expect(await runAt(late, cancelled.id)).toEqual([]);
    expect((await c.get(frNcb, `/v1/trace-requests/${met.id}`)).json().deadlines).toMatchObject({ acknowledgement: 'met', response: 'met', overdue: false });
    expect((await c.get(frNcb, `/v1/trace-requests/${cancelled.id}`)).json().deadlines).toMatchObject({ acknowledgement: 'moot', response: 'moot', overdue: false });
  });

  it('sends no reminder that would come after its due date: a request found past due is flagged overdue only', async () => {
    const { id, submittedAt } = await create('FR-DL-4', { addressedTo: { country: 'US' } });
    // The hub was down through the reminder instant and the due date (routine: 7 days, reminder 2 days before).
    expect(sent(await runAt(at(submittedAt, 168 * H + 1000), id)).sort()).toEqual(['acknowledgement:overdue->FR/NCB-PARIS', 'acknowledgement:overdue->US/(NCB)']);
  });
});

describe('deadlines per country', () => {
  it('takes the addressed country\'s own deadlines from its partner file, and the hub\'s where it has none', async () => {
    const toDe = await create('FR-DL-5', { addressedTo: { country: 'DE' } });
    const toUs = await create('FR-DL-6', { addressedTo: { country: 'US' } });
    const de = (await c.get(frNcb, `/v1/trace-requests/${toDe.id}`)).json().deadlines;
    const us = (await c.get(frNcb, `/v1/trace-requests/${toUs.id}`)).json().deadlines;
    expect(Date.parse(de.acknowledgeBy) - toDe.submittedAt.getTime()).toBe(2 * H);
    expect(Date.parse(de.respondBy) - toDe.submittedAt.getTime()).toBe(2160 * H);
    expect(Date.parse(us.acknowledgeBy) - toUs.submittedAt.getTime()).toBe(168 * H);
    expect(sent(await runAt(at(toDe.submittedAt, 1 * H + 1000), toDe.id))).toEqual(['acknowledgement:reminder->DE/(NCB)']);
    expect(sent(await runAt(at(toUs.submittedAt, 1 * H + 1000), toUs.id))).toEqual([]);
  });

  it('wakes up next at the earliest instant an open request falls due', async () => {
    const { id, submittedAt } = await create('FR-DL-7', { addressedTo: { country: 'DE' } });
    const run = await runTraceDeadlines(t.hub.ctx.db, t.hub.ctx.config, at(submittedAt, 1));
    // Of everything open in this file, FR-DL-7's reminder (1 hour after submission) is the earliest still ahead.
    expect(run.nextWakeup?.getTime()).toBe(submittedAt.getTime() + 1 * H);
    void id;
  });
});
