import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubConfig } from '../../src/messages/generated-types.js';
import { cleanEnvironment, testEnvironment, waitFor } from '../support/test-environment.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { agency, client, traceRequest, type Agency } from './trace-fixtures.js';

/**
 * Reminders and OVERDUE fire by themselves, from delayed BullMQ jobs that outlive the process.
 * Urgent requests get seconds here (acknowledge within 8 s, reminder 4 s before) and the periodic
 * run is set to once an hour, so what fires on time is the delayed job the task left for the
 * next due instant. The hub that scheduled it is stopped before the instant and a new one is
 * started on the same PostgreSQL schema and Redis prefix: the job is still there and fires.
 */
const env = testEnvironment('trace_jobs');
const tune = (h: HubConfig) => {
  h.traces.deadlines.urgent.acknowledge = { withinHours: 8 / 3600, remindHoursBefore: 4 / 3600 };
  h.traces.deadlineCheckSeconds = 3600;
};
let first: TestHub | undefined;
let second: TestHub | undefined;

beforeAll(async () => {
  first = await startTestHub('trace_jobs', { env, tuneConfig: tune });
});
afterAll(async () => {
  await first?.stop();
  await second?.stop();
  await cleanEnvironment(env);
});

describe('deadline jobs', () => {
  it('reminds and flags OVERDUE on time through a delayed job that survives a restart of the hub', async () => {
    const frNcb: Agency = await agency(first!, 'FR', 'NCB-PARIS');
    const deNcb: Agency = await agency(first!, 'DE', 'NCB-WIESBADEN');
    const res = await client(first!).post(frNcb, '/v1/trace-requests', traceRequest('FR-JOB-1', { priority: 'urgent', urgentJustification: 'Suspect in custody' }));
    expect(res.statusCode).toBe(201);
    const { id, deadlines } = res.json() as { id: string; deadlines: { acknowledgeBy: string } };
    const dueAt = Date.parse(deadlines.acknowledgeBy);
    const remindAt = dueAt - 4000;

    // One run of the task (as the periodic scheduler does) leaves a delayed job for the reminder instant.
    await first!.hub.runMaintenance('trace-deadlines');
    const job = await first!.hub.ctx.maintenanceQueue.queue.getJob(`trace-deadlines-${remindAt}`);
    expect(job?.name).toBe('trace-deadlines');
    expect(await job?.getState()).toBe('delayed');

    await first!.stop();
    first = undefined;
    second = await startTestHub('trace_jobs', { env, tuneConfig: tune });
    const c = client(second);

    const reminder = await c.expectInInbox(deNcb, id, (i) => i.type === 'trace.deadline' && i.envelope.payload.phase === 'reminder', 'the reminder', );
    expect(reminder.envelope.payload).toMatchObject({ deadline: 'acknowledgement', dueAt: deadlines.acknowledgeBy });
    const overdue = await c.expectInInbox(frNcb, id, (i) => i.type === 'trace.deadline' && i.envelope.payload.phase === 'overdue', 'the overdue notice');
    expect(overdue.envelope.payload).toMatchObject({ deadline: 'acknowledgement', status: 'DELIVERED' });
    await c.expectInInbox(deNcb, id, (i) => i.type === 'trace.deadline' && i.envelope.payload.phase === 'overdue', 'the overdue notice');

    const view = (await c.get(frNcb, `/v1/trace-requests/${id}`)).json();
    expect(view).toMatchObject({ overdue: true, deadlines: { acknowledgement: 'overdue' } });
    const events = view.thread.filter((e: { kind: string }) => e.kind === 'reminder' || e.kind === 'overdue');
    expect(events.map((e: { kind: string }) => e.kind)).toEqual(['reminder', 'overdue']);
    // Neither came early.
    expect(Date.parse(events[0].at)).toBeGreaterThanOrEqual(remindAt);
    expect(Date.parse(events[1].at)).toBeGreaterThanOrEqual(dueAt);
    await waitFor(async () => (await c.get(frNcb, `/v1/trace-requests?overdue=true&direction=outgoing`)).json().items.some((i: { id: string }) => i.id === id), 'the request to be listed as overdue');
  });
});
