import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/test-environment.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';
import { createTraceFromSeizure } from '../../src/traces/trace-from-seizure.js';
import { agency, client, png, traceRequest, type Agency } from './trace-fixtures.js';

/**
 * Trace requests from submission to closing: a requesting country asks another to trace a
 * recovered firearm; the hub routes every event to the other side over its own channel, enforces
 * who may make each move, and keeps the whole thread. REST calls and channel messages take the
 * same path.
 */
let t: TestHub;
let c: ReturnType<typeof client>;
let frNcb: Agency;
let frCustoms: Agency;
let deNcb: Agency;
let deBka: Agency;
let usNcb: Agency;

const ATTACHMENT_LIMIT = 100_000;

beforeAll(async () => {
  t = await startTestHub('traces', { tuneConfig: (h) => (h.traces.attachmentMaxBytes = ATTACHMENT_LIMIT) });
  c = client(t);
  frNcb = await agency(t, 'FR', 'NCB-PARIS');
  frCustoms = await agency(t, 'FR', 'DOUANE-CDG');
  deNcb = await agency(t, 'DE', 'NCB-WIESBADEN');
  deBka = await agency(t, 'DE', 'BKA-ZD');
  usNcb = await agency(t, 'US', 'NCB-WASHINGTON');
});
afterAll(() => t?.stop());

const completedResponse = {
  responseReference: 'BKA-2026-77',
  outcome: 'COMPLETED',
  chainOfCustody: [
    { role: 'manufacturer', name: 'Carl Walther GmbH', country: 'DE', transferredOn: '2019-03-01' },
    { role: 'exporter', name: 'Carl Walther GmbH', country: 'DE', documents: [{ kind: 'export-licence', reference: 'BAFA-2019-12345', issuedBy: 'BAFA', date: '2019-02-20' }] },
    { role: 'importer', name: 'Walther Arms Inc.', country: 'US', receivedOn: '2019-03-15', documents: [{ kind: 'import-permit', reference: 'ATF6-2019-999' }] },
  ],
  pointOfDiversion: { identified: false, description: 'Not known after import into the United States' },
  restrictions: { purposeOnly: true, noFurtherDissemination: true, confidentiality: 'restricted' },
};

async function submitted(ref: string, overrides: Record<string, unknown> = {}, by: Agency = frNcb) {
  const res = await c.post(by, '/v1/trace-requests', traceRequest(ref, overrides));
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

async function delivered(ref: string, overrides: Record<string, unknown> = {}, by: Agency = frNcb) {
  const id = await submitted(ref, overrides, by);
  await c.waitForStatus(by, id, 'DELIVERED');
  return id;
}

describe('submitting a trace request', () => {
  it('takes the ITI content over REST, answers with the hub id and due dates, and routes the request to the addressee', async () => {
    const res = await c.post(frNcb, '/v1/trace-requests', traceRequest('FR-SUB-1', { priority: 'urgent', urgentJustification: 'Suspect in custody for 48 hours' }));
    expect(res.statusCode).toBe(201);
    const trace = res.json();
    // DE collects over REST: the request is in its inbox the moment it commits, so it is DELIVERED already.
    expect(trace).toMatchObject({ requestReference: 'FR-SUB-1', status: 'DELIVERED', role: 'requester', direction: 'outgoing', priority: 'urgent', result: 'created', outcome: null });
    expect(res.headers.location).toBe(`/v1/trace-requests/${trace.id}`);
    // Urgent: 24 hours to acknowledge, 14 days to answer (config/hub.json).
    const submittedAt = Date.parse(trace.submittedAt);
    expect(Date.parse(trace.deadlines.acknowledgeBy) - submittedAt).toBe(24 * 3600_000);
    expect(Date.parse(trace.deadlines.respondBy) - submittedAt).toBe(336 * 3600_000);
    expect(trace.deadlines).toMatchObject({ acknowledgement: 'pending', response: 'pending', overdue: false });

    const requested = await c.expectInInbox(deNcb, trace.id, (i) => i.type === 'trace.requested', 'the request');
    expect(requested.envelope.sender).toEqual({ country: 'FR', agency: 'NCB-PARIS' });
    expect(requested.envelope.payload).toMatchObject({
      traceId: trace.id,
      requestReference: 'FR-SUB-1',
      requester: { country: 'FR', agency: 'NCB-PARIS' },
      addressedTo: { country: 'DE', as: 'country-of-manufacture' },
      firearm: { make: 'Walther', calibre: '9mm Luger', type: 'pistol', serials: [{ value: 'WP 123-456', location: 'frame' }] },
      illicitNature: { basis: 'national-law' },
      intendedUse: 'Criminal investigation of the shooting; evidence in court',
      priority: 'urgent',
      urgentJustification: 'Suspect in custody for 48 hours',
      crimeCategory: 'homicide',
      deadlines: { acknowledgeBy: trace.deadlines.acknowledgeBy, respondBy: trace.deadlines.respondBy },
    });
    // Handed to Germany's channel: DELIVERED, and France is told.
    await c.waitForStatus(frNcb, trace.id, 'DELIVERED');
    const note = await c.expectInInbox(frNcb, trace.id, (i) => i.type === 'trace.status-changed' && i.envelope.payload.to === 'DELIVERED', 'the delivery');
    expect(note.envelope.payload).toMatchObject({ from: 'SUBMITTED', to: 'DELIVERED', role: 'hub', by: { country: 'ZZ' } });
  });

  it('refuses a request without what the ITI requires, naming each missing field', async () => {
    const { intendedUse: _u, illicitNature: _i, ...incomplete } = traceRequest('FR-BAD-1', { priority: 'urgent' });
    const res = await c.post(frNcb, '/v1/trace-requests', incomplete);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/body/illicitNature', '/body/intendedUse', '/body/urgentJustification']);
  });

  it('refuses a request to the requesting country itself, or to a country that is not a partner', async () => {
    const self = await c.post(frNcb, '/v1/trace-requests', traceRequest('FR-BAD-2', { addressedTo: { country: 'FR' } }));
    expect(self.statusCode).toBe(400);
    expect(self.json().errors).toEqual([expect.objectContaining({ pointer: '/body/addressedTo/country', code: 'trace.self' })]);
    const unknown = await c.post(frNcb, '/v1/trace-requests', traceRequest('FR-BAD-3', { addressedTo: { country: 'QQ' } }));
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors[0]).toMatchObject({ pointer: '/body/addressedTo/country', message: 'QQ is not a partner country of the hub' });
  });

  it('is idempotent by request reference; the same reference with other content is a conflict', async () => {
    const first = await c.post(frNcb, '/v1/trace-requests', traceRequest('FR-IDEM-1'));
    // The same fields in another order are the same request.
    const reordered = Object.fromEntries(Object.entries(traceRequest('FR-IDEM-1')).reverse());
    const again = await c.post(frNcb, '/v1/trace-requests', reordered);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: first.json().id, result: 'unchanged' });
    // Nothing new in the thread: still one submission.
    expect(again.json().thread.filter((e: { kind: string }) => e.kind === 'submitted')).toHaveLength(1);
    expect(again.json().ledgerId).not.toBe(first.json().ledgerId);
    const changed = await c.post(frNcb, '/v1/trace-requests', traceRequest('FR-IDEM-1', { crimeCategory: 'robbery' }));
    expect(changed.statusCode).toBe(409);
    expect(changed.json()).toMatchObject({ code: 'CONFLICT', traceId: first.json().id });
    expect(changed.json().errors[0].pointer).toBe('/body/requestReference');
  });
});

describe('the life of a request over REST, seen from both sides', () => {
  it('goes DELIVERED -> ACKNOWLEDGED -> IN_PROGRESS -> RESPONDED -> CLOSED, with comments and a supplementary answer, each event routed to the other side', async () => {
    const id = await delivered('FR-LIFE-1');

    const ack = await c.post(deNcb, `/v1/trace-requests/${id}/status`, { status: 'ACKNOWLEDGED' });
    expect(ack.statusCode).toBe(200);
    expect(ack.json()).toMatchObject({ status: 'ACKNOWLEDGED', role: 'addressee', direction: 'incoming', deadlines: { acknowledgement: 'met', response: 'pending' } });
    expect(ack.json().actions).toEqual({ statuses: ['IN_PROGRESS', 'REJECTED'], respond: true, comment: true });
    await c.expectInInbox(frNcb, id, (i) => i.type === 'trace.status-changed' && i.envelope.payload.to === 'ACKNOWLEDGED' && i.envelope.sender.country === 'DE', 'the acknowledgement');

    expect((await c.post(deNcb, `/v1/trace-requests/${id}/status`, { status: 'IN_PROGRESS' })).json().status).toBe('IN_PROGRESS');
    await c.expectInInbox(frNcb, id, (i) => i.envelope.payload.to === 'IN_PROGRESS', 'work started');

    const question = await c.post(frNcb, `/v1/trace-requests/${id}/comments`, { text: 'The slide also carries the import mark "WAI".' });
    expect(question.statusCode).toBe(200);
    const asked = await c.expectInInbox(deNcb, id, (i) => i.type === 'trace.commented', 'the requester\'s comment');
    expect(asked.envelope.payload).toMatchObject({ role: 'requester', text: 'The slide also carries the import mark "WAI".', by: { country: 'FR', agency: 'NCB-PARIS' } });
    await c.post(deNcb, `/v1/trace-requests/${id}/comments`, { text: 'Thank you; checking the export records.' });
    await c.expectInInbox(frNcb, id, (i) => i.type === 'trace.commented' && i.envelope.payload.role === 'addressee', 'the addressee\'s comment');

    const partial = await c.post(deNcb, `/v1/trace-requests/${id}/responses`, {
      outcome: 'PARTIAL',
      notCompletedReason: 'RECORD_UNAVAILABLE',
      explanation: 'The export file is archived; the manufacturer is known.',
      chainOfCustody: [completedResponse.chainOfCustody[0]],
    });
    expect(partial.statusCode).toBe(200);
    expect(partial.json()).toMatchObject({ status: 'RESPONDED', outcome: 'PARTIAL', notCompletedReason: 'RECORD_UNAVAILABLE' });
    const firstAnswerAt = partial.json().respondedAt;
    await c.expectInInbox(frNcb, id, (i) => i.type === 'trace.responded' && i.envelope.payload.outcome === 'PARTIAL', 'the partial answer');

    const full = await c.post(deNcb, `/v1/trace-requests/${id}/responses`, completedResponse);
    expect(full.json()).toMatchObject({ status: 'RESPONDED', outcome: 'COMPLETED', notCompletedReason: null, respondedAt: firstAnswerAt });
    const answer = await c.expectInInbox(frNcb, id, (i) => i.type === 'trace.responded' && i.envelope.payload.outcome === 'COMPLETED', 'the full answer');
    expect(answer.envelope.payload).toMatchObject({
      responseReference: 'BKA-2026-77',
      chainOfCustody: completedResponse.chainOfCustody,
      pointOfDiversion: { identified: false },
      restrictions: { purposeOnly: true, noFurtherDissemination: true, confidentiality: 'restricted' },
      by: { country: 'DE', agency: 'NCB-WIESBADEN' },
    });

    const closed = await c.post(frNcb, `/v1/trace-requests/${id}/status`, { status: 'CLOSED' });
    expect(closed.json()).toMatchObject({ status: 'CLOSED', actions: { statuses: [], respond: false, comment: true } });
    await c.expectInInbox(deNcb, id, (i) => i.envelope.payload.to === 'CLOSED', 'the closing');

    // Both sides see one and the same thread.
    const requesterView = (await c.get(frNcb, `/v1/trace-requests/${id}`)).json();
    const addresseeView = (await c.get(deNcb, `/v1/trace-requests/${id}`)).json();
    const summary = (v: { thread: { kind: string; role: string; to?: string }[] }) => v.thread.map((e) => `${e.kind}:${e.role}${e.to ? `:${e.to}` : ''}`);
    expect(summary(requesterView)).toEqual([
      'submitted:requester:SUBMITTED',
      'status:hub:DELIVERED',
      'status:addressee:ACKNOWLEDGED',
      'status:addressee:IN_PROGRESS',
      'comment:requester',
      'comment:addressee',
      'response:addressee:RESPONDED',
      'response:addressee:RESPONDED',
      'status:requester:CLOSED',
    ]);
    expect(summary(addresseeView)).toEqual(summary(requesterView));
    expect(requesterView.thread.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(requesterView.thread[7].response).toMatchObject({ outcome: 'COMPLETED', chainOfCustody: completedResponse.chainOfCustody });
    expect([requesterView.role, addresseeView.role]).toEqual(['requester', 'addressee']);
    expect(addresseeView.deadlines).toMatchObject({ acknowledgement: 'met', response: 'met', overdue: false });
  });

  it('lets the requester cancel before the answer, with a reason, after which nothing moves it', async () => {
    const id = await delivered('FR-CANCEL-1');
    await c.post(deNcb, `/v1/trace-requests/${id}/status`, { status: 'ACKNOWLEDGED' });
    const cancelled = await c.post(frNcb, `/v1/trace-requests/${id}/status`, { status: 'CANCELLED', reason: 'The firearm was identified domestically' });
    expect(cancelled.json()).toMatchObject({ status: 'CANCELLED', deadlines: { response: 'moot' } });
    const told = await c.expectInInbox(deNcb, id, (i) => i.envelope.payload.to === 'CANCELLED', 'the cancellation');
    expect(told.envelope.payload.reason).toBe('The firearm was identified domestically');
    const late = await c.post(deNcb, `/v1/trace-requests/${id}/responses`, completedResponse);
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ currentStatus: 'CANCELLED', allowed: [] });
    expect(late.json().detail).toBe('the trace request is CANCELLED; it cannot become RESPONDED (CANCELLED is final)');
  });

  it('lets the addressee reject a request with a reason code and a reason', async () => {
    const id = await delivered('FR-REJ-1');
    const noReason = await c.post(deNcb, `/v1/trace-requests/${id}/status`, { status: 'REJECTED' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/body/reason', '/body/reasonCode']);
    const rejected = await c.post(deNcb, `/v1/trace-requests/${id}/status`, { status: 'REJECTED', reasonCode: 'outside-scope', reason: 'Manufactured in 1938: outside the tracing obligations' });
    expect(rejected.json()).toMatchObject({ status: 'REJECTED' });
    const told = await c.expectInInbox(frNcb, id, (i) => i.envelope.payload.to === 'REJECTED', 'the rejection');
    expect(told.envelope.payload).toMatchObject({ reasonCode: 'outside-scope', role: 'addressee' });
  });
});

describe('the life of a request over the message channel', () => {
  it('walks every state with canonical envelopes on POST /v1/messages, each side learning of the other\'s moves from its inbox', async () => {
    const sent = await c.send(frCustoms, 'trace.request', traceRequest('FR-MSG-1'), 'fr-msg-1');
    expect(sent.statusCode).toBe(202);
    // Germany learns of the request, and its id, from its inbox.
    const requested = await waitFor(async () => (await c.inbox(deNcb)).find((i) => i.type === 'trace.requested' && i.envelope.payload.requestReference === 'FR-MSG-1'), 'the request in Germany\'s inbox');
    const id = requested.envelope.payload.traceId as string;
    expect(requested.envelope.sender).toEqual({ country: 'FR', agency: 'DOUANE-CDG' });
    // The requesting agency (not its NCB) is who hears back.
    await c.expectInInbox(frCustoms, id, (i) => i.envelope.payload.to === 'DELIVERED', 'the delivery');

    expect((await c.send(deNcb, 'trace.status', { traceId: id, status: 'ACKNOWLEDGED' })).statusCode).toBe(202);
    await c.expectInInbox(frCustoms, id, (i) => i.envelope.payload.to === 'ACKNOWLEDGED', 'the acknowledgement');
    await c.send(deNcb, 'trace.status', { traceId: id, status: 'IN_PROGRESS' });
    await c.expectInInbox(frCustoms, id, (i) => i.envelope.payload.to === 'IN_PROGRESS', 'work started');
    // The requester may name its request by its own reference.
    await c.send(frCustoms, 'trace.comment', { requestReference: 'FR-MSG-1', text: 'Any news?' });
    await c.expectInInbox(deNcb, id, (i) => i.type === 'trace.commented' && i.envelope.payload.text === 'Any news?', 'the comment');
    await c.send(deNcb, 'trace.response', { traceId: id, outcome: 'NOT_COMPLETED', notCompletedReason: 'NO_RECORD', explanation: 'No Walther P99 with this serial was exported' });
    const answer = await c.expectInInbox(frCustoms, id, (i) => i.type === 'trace.responded', 'the answer');
    expect(answer.envelope.payload).toMatchObject({ outcome: 'NOT_COMPLETED', notCompletedReason: 'NO_RECORD', chainOfCustody: [] });
    await c.send(frCustoms, 'trace.status', { requestReference: 'FR-MSG-1', status: 'CLOSED' });
    await c.expectInInbox(deNcb, id, (i) => i.envelope.payload.to === 'CLOSED', 'the closing');

    const view = (await c.get(frCustoms, `/v1/trace-requests/${id}`)).json();
    expect(view).toMatchObject({ status: 'CLOSED', outcome: 'NOT_COMPLETED', role: 'requester' });
    expect(view.thread.map((e: { kind: string; to?: string }) => e.to ?? e.kind)).toEqual(['SUBMITTED', 'DELIVERED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'comment', 'RESPONDED', 'CLOSED']);
    // Every step is a stored message: the thread names the ledger entry of each.
    expect(view.thread.filter((e: { ledgerId: string | null }) => e.ledgerId).length).toBe(6);
    // The NCB of the requesting country sees it too; its other agencies do not.
    expect((await c.get(frNcb, `/v1/trace-requests/${id}`)).statusCode).toBe(200);
  });

  it('takes an answer in the hub\'s XML form, its structure and types read from the schema', async () => {
    const id = await delivered('FR-XML-1');
    await c.post(deNcb, `/v1/trace-requests/${id}/status`, { status: 'ACKNOWLEDGED' });
    const xml = `<message xmlns="urn:tracehub:message:1">
      <messageId>de-xml-1</messageId><type>trace.response</type>
      <sender><country>DE</country><agency>NCB-WIESBADEN</agency></sender>
      <sentAt>2026-11-20T10:00:00Z</sentAt>
      <payload>
        <traceId>${id}</traceId>
        <outcome>COMPLETED</outcome>
        <chainOfCustody><role>manufacturer</role><name>Carl Walther GmbH</name><country>DE</country></chainOfCustody>
        <chainOfCustody><role>importer</role><name>Walther Arms Inc.</name><country>US</country>
          <documents><kind>import-permit</kind><reference>ATF6-2019-999</reference></documents></chainOfCustody>
        <pointOfDiversion><identified>true</identified><afterHop>1</afterHop><country>US</country></pointOfDiversion>
      </payload>
    </message>`;
    const res = await c.inject({ method: 'POST', url: '/v1/messages', headers: { authorization: deNcb.auth, 'content-type': 'application/xml' }, payload: xml });
    expect(res.statusCode, res.body).toBe(202);
    const answer = await c.expectInInbox(frNcb, id, (i) => i.type === 'trace.responded', 'the answer');
    expect(answer.envelope.payload).toMatchObject({
      outcome: 'COMPLETED',
      chainOfCustody: [
        { role: 'manufacturer', name: 'Carl Walther GmbH', country: 'DE' },
        { role: 'importer', country: 'US', documents: [{ kind: 'import-permit', reference: 'ATF6-2019-999' }] },
      ],
      pointOfDiversion: { identified: true, afterHop: 1, country: 'US' },
    });
  });

  it('rejects a wrong party\'s message and sends the sender a receipt naming why', async () => {
    const id = await delivered('FR-MSG-2');
    const res = await c.send(frNcb, 'trace.status', { traceId: id, status: 'ACKNOWLEDGED' });
    expect(res.statusCode).toBe(202);
    const ledgerId = res.json().ledgerId;
    const receipt = await waitFor(async () => (await c.inbox(frNcb)).find((i) => i.type === 'hub.receipt' && i.envelope.payload.ledgerId === ledgerId), 'the rejection receipt');
    expect(receipt.envelope.payload).toMatchObject({ outcome: 'rejected', errors: [{ pointer: '/payload/status', code: 'trace.wrong-party' }] });
    expect((await c.get(frNcb, `/v1/messages/${ledgerId}`)).json().status).toBe('rejected');
    expect(await c.statusOf(frNcb, id)).toBe('DELIVERED');
  });
});

describe('who may do what', () => {
  it('answers 409 naming the current state and the allowed moves for a move the state does not allow', async () => {
    const id = await delivered('FR-ILL-1');
    const res = await c.post(frNcb, `/v1/trace-requests/${id}/status`, { status: 'CLOSED' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      code: 'CONFLICT',
      currentStatus: 'DELIVERED',
      allowed: [
        { status: 'ACKNOWLEDGED', by: 'addressee' },
        { status: 'REJECTED', by: 'addressee' },
        { status: 'CANCELLED', by: 'requester' },
      ],
    });
    expect(res.json().detail).toBe('the trace request is DELIVERED; it cannot become CLOSED (from DELIVERED: ACKNOWLEDGED by the addressee, REJECTED by the addressee, CANCELLED by the requester)');
    const early = await c.post(deNcb, `/v1/trace-requests/${id}/responses`, completedResponse);
    expect(early.statusCode).toBe(409);
    expect(early.json().currentStatus).toBe('DELIVERED');
    const twice = await c.post(deNcb, `/v1/trace-requests/${id}/status`, { status: 'ACKNOWLEDGED' });
    expect(twice.statusCode).toBe(200);
    expect((await c.post(deNcb, `/v1/trace-requests/${id}/status`, { status: 'ACKNOWLEDGED' })).statusCode).toBe(409);
  });

  it('answers 403 when the move belongs to the other side', async () => {
    const id = await delivered('FR-PARTY-1');
    const ownAck = await c.post(frNcb, `/v1/trace-requests/${id}/status`, { status: 'ACKNOWLEDGED' });
    expect(ownAck.statusCode).toBe(403);
    expect(ownAck.json()).toMatchObject({ code: 'FORBIDDEN', currentStatus: 'DELIVERED', allowed: [{ status: 'CANCELLED', by: 'requester' }] });
    expect(ownAck.json().detail).toBe('only the addressee may acknowledge a trace request; the caller is the requester');
    expect((await c.post(deNcb, `/v1/trace-requests/${id}/status`, { status: 'CANCELLED', reason: 'not ours to cancel' })).statusCode).toBe(403);
    await c.post(deNcb, `/v1/trace-requests/${id}/status`, { status: 'ACKNOWLEDGED' });
    expect((await c.post(frNcb, `/v1/trace-requests/${id}/responses`, completedResponse)).statusCode).toBe(403);
    expect(await c.statusOf(frNcb, id)).toBe('ACKNOWLEDGED');
  });

  it('shows a request to its two sides only: a third country, and other agencies of the two countries, get 404', async () => {
    const id = await submitted('FR-VIS-1');
    expect((await c.get(usNcb, `/v1/trace-requests/${id}`)).statusCode).toBe(404);
    expect((await c.post(usNcb, `/v1/trace-requests/${id}/comments`, { text: 'hello' })).statusCode).toBe(404);
    expect((await c.get(frCustoms, `/v1/trace-requests/${id}`)).statusCode).toBe(404);
    expect((await c.get(deBka, `/v1/trace-requests/${id}`)).statusCode).toBe(404);
    const list = (await c.get(usNcb, '/v1/trace-requests?q=FR-VIS-1')).json();
    expect(list.items).toHaveLength(0);
  });

  it('routes a request addressed to one agency to that agency, and lets it or its NCB act', async () => {
    const id = await submitted('FR-AG-1', { addressedTo: { country: 'DE', agency: 'BKA-ZD' } });
    await c.expectInInbox(deBka, id, (i) => i.type === 'trace.requested', 'the request addressed to the BKA');
    expect((await c.about(deNcb, id)).filter((i) => i.type === 'trace.requested')).toHaveLength(0);
    expect((await c.post(deBka, `/v1/trace-requests/${id}/status`, { status: 'ACKNOWLEDGED' })).statusCode).toBe(200);
    // The NCB answers for its country's agencies.
    expect((await c.post(deNcb, `/v1/trace-requests/${id}/status`, { status: 'IN_PROGRESS' })).statusCode).toBe(200);
  });

  it('lets the NCB of the requesting country act for the agency that sent the request', async () => {
    const id = await submitted('FR-AG-2', {}, frCustoms);
    const res = await c.post(frNcb, `/v1/trace-requests/${id}/status`, { status: 'CANCELLED', reason: 'Sent in error' });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('CANCELLED');
  });
});

describe('attachments', () => {
  const upload = (a: Agency, bytes: Buffer, type: string, headers: Record<string, string> = {}) =>
    c.inject({ method: 'POST', url: '/v1/trace-attachments', headers: { authorization: a.auth, 'content-type': type, ...headers }, payload: bytes });

  it('stores a photo once by its SHA-256, checks what it is and its checksum, and refuses what is too large', async () => {
    const photo = png(1);
    const sha = createHash('sha256').update(photo).digest('hex');
    const first = await upload(frNcb, photo, 'image/png', { 'content-digest': `sha-256=:${createHash('sha256').update(photo).digest('base64')}:` });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({ sha256: sha, contentType: 'image/png', size: photo.length, href: `/v1/trace-attachments/${sha}`, outcome: 'stored' });
    const again = await upload(frCustoms, photo, 'image/png');
    expect(again.statusCode).toBe(200);
    expect(again.json().outcome).toBe('already-stored');
    const damaged = await upload(frNcb, png(2), 'image/png', { 'x-content-sha256': sha });
    expect(damaged.statusCode).toBe(400);
    expect(damaged.json().errors[0].code).toBe('attachment.checksum');
    const disguised = await upload(frNcb, Buffer.from('MZ\x90\x00 not an image'), 'image/jpeg');
    expect(disguised.statusCode).toBe(400);
    expect(disguised.json().detail).toBe('the content is of no accepted type, not image/jpeg as declared');
    expect((await upload(frNcb, Buffer.from('<svg/>'), 'image/svg+xml')).statusCode).toBe(415);
    const big = Buffer.concat([png(3), Buffer.alloc(ATTACHMENT_LIMIT)]);
    expect((await upload(frNcb, big, 'image/png')).statusCode).toBe(413);
  });

  it('delivers attachments by reference to the addressee, who fetches them with its own key; others cannot', async () => {
    const photo = png(10);
    const sha = (await upload(frNcb, photo, 'image/png')).json().sha256 as string;
    const id = await submitted('FR-ATT-1', { attachments: [{ sha256: sha, caption: 'Serial on the frame' }] });
    const requested = await c.expectInInbox(deNcb, id, (i) => i.type === 'trace.requested', 'the request');
    expect(requested.envelope.payload.attachments).toEqual([{ sha256: sha, contentType: 'image/png', size: photo.length, caption: 'Serial on the frame', href: `/v1/trace-attachments/${sha}` }]);
    const fetched = await c.get(deNcb, `/v1/trace-attachments/${sha}`);
    expect(fetched.statusCode).toBe(200);
    expect(fetched.headers['content-type']).toBe('image/png');
    expect(fetched.rawPayload.equals(photo)).toBe(true);
    expect((await c.get(usNcb, `/v1/trace-attachments/${sha}`)).statusCode).toBe(404);

    // The addressee can send a document back with its answer.
    await c.post(deNcb, `/v1/trace-requests/${id}/status`, { status: 'ACKNOWLEDGED' });
    const licence = Buffer.from('%PDF-1.7\n% export licence BAFA-2019-12345\n');
    const licenceSha = (await upload(deNcb, licence, 'application/pdf')).json().sha256;
    const answered = await c.post(deNcb, `/v1/trace-requests/${id}/responses`, { ...completedResponse, attachments: [{ sha256: licenceSha, caption: 'Export licence' }] });
    expect(answered.statusCode).toBe(200);
    expect(answered.json().thread.at(-1).attachments).toEqual([expect.objectContaining({ sha256: licenceSha, contentType: 'application/pdf' })]);
    expect((await c.get(frNcb, `/v1/trace-attachments/${licenceSha}`)).rawPayload.equals(licence)).toBe(true);
  });

  it('refuses a reference to an attachment that is not there or not the sender\'s', async () => {
    const foreign = (await upload(usNcb, png(20), 'image/png')).json().sha256;
    const res = await c.post(frNcb, '/v1/trace-requests', traceRequest('FR-ATT-2', { attachments: [{ sha256: 'a'.repeat(64) }, { sha256: foreign }] }));
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/body/attachments/0/sha256', '/body/attachments/1/sha256']);
  });
});

describe('follow-up requests', () => {
  it('asks a third country that the answer named, linked to the original request, and tells the original addressee', async () => {
    const id = await delivered('FR-FU-1');
    await c.post(deNcb, `/v1/trace-requests/${id}/status`, { status: 'ACKNOWLEDGED' });
    await c.post(deNcb, `/v1/trace-requests/${id}/responses`, completedResponse);

    const notNamed = await c.post(frNcb, `/v1/trace-requests/${id}/follow-ups`, { addressedTo: { country: 'FR' } });
    expect(notNamed.statusCode).toBe(400);
    const wrongSide = await c.post(deNcb, `/v1/trace-requests/${id}/follow-ups`, { addressedTo: { country: 'US' } });
    expect(wrongSide.statusCode).toBe(403);

    const res = await c.post(frNcb, `/v1/trace-requests/${id}/follow-ups`, { addressedTo: { country: 'US', as: 'country-of-last-legal-import' } });
    expect(res.statusCode).toBe(201);
    const followUp = res.json();
    expect(followUp).toMatchObject({ requestReference: 'FR-FU-1-FU-US', followUpOf: id, addressedTo: { country: 'US' }, caseReference: 'CASE-FR-FU-1', status: 'DELIVERED' });
    const requested = await c.expectInInbox(usNcb, followUp.id, (i) => i.type === 'trace.requested', 'the follow-up request');
    expect(requested.envelope.payload).toMatchObject({ followUpOf: id, firearm: { make: 'Walther' }, addressedTo: { as: 'country-of-last-legal-import' } });
    const told = await c.expectInInbox(deNcb, id, (i) => i.type === 'trace.follow-up', 'news of the follow-up');
    expect(told.envelope.payload).toMatchObject({ followUpTraceId: followUp.id, followUpAddressedTo: { country: 'US' } });

    const parent = (await c.get(frNcb, `/v1/trace-requests/${id}`)).json();
    expect(parent.followUps).toEqual([{ id: followUp.id, requestReference: 'FR-FU-1-FU-US', addressedCountry: 'US', status: expect.any(String) }]);
    expect(parent.thread.at(-1)).toMatchObject({ kind: 'follow-up', followUpTraceId: followUp.id, addressedTo: 'US' });
  });

  it('refuses a follow-up of a request that has no answer yet', async () => {
    const id = await delivered('FR-FU-2');
    const res = await c.post(frNcb, `/v1/trace-requests/${id}/follow-ups`, { addressedTo: { country: 'US' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toMatchObject({ pointer: '/body/followUpOf', code: 'trace.follow-up' });
  });
});

describe('a seizure with no hit becomes a trace request in one step', () => {
  const input = {
    requester: { country: 'FR', agency: 'DOUANE-CDG' },
    addressedTo: { country: 'US', as: 'country-of-manufacture' as const },
    firearm: { serials: [{ value: 'GLK-0042' }], make: 'Glock', model: '19', calibre: '9mm Luger', type: 'pistol', countryOfManufacture: 'AT' },
    facts: {
      caseReference: 'DOUANE-2026-881',
      recoveryDate: '2026-11-02',
      recoveryPlace: { country: 'FR', locality: 'Roissy', description: 'Air cargo hub' },
      circumstances: 'Found in a parcel declared as auto parts',
      illicitBasis: 'unlicensed-transfer' as const,
      legalJustification: 'Import without authorisation',
      intendedUse: 'Customs investigation of the shipment',
      crimeCategory: 'firearms trafficking',
    },
    seizureReference: 'SZ-2026-0007',
  };

  it('creates the request through intake, as the seizing agency, and a second call changes nothing', async () => {
    const first = await createTraceFromSeizure(t.hub.ctx, input);
    expect(first.outcome).toBe('created');
    const view = (await c.get(frCustoms, `/v1/trace-requests/${first.traceId}`)).json();
    expect(view).toMatchObject({ requestReference: 'SZ-SZ-2026-0007-US', seizureReference: 'SZ-2026-0007', requester: { country: 'FR', agency: 'DOUANE-CDG' }, addressedTo: { country: 'US' } });
    expect((await c.get(frCustoms, `/v1/messages/${first.ledgerId}`)).json()).toMatchObject({ status: 'applied', type: 'trace.request', channel: 'internal' });
    await c.expectInInbox(usNcb, first.traceId, (i) => i.type === 'trace.requested', 'the request');
    const again = await createTraceFromSeizure(t.hub.ctx, input);
    expect(again).toMatchObject({ traceId: first.traceId, outcome: 'unchanged' });
  });

  it('refuses incomplete facts naming the field', async () => {
    await expect(createTraceFromSeizure(t.hub.ctx, { ...input, seizureReference: 'SZ-2', facts: { ...input.facts, intendedUse: '' } })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [expect.objectContaining({ pointer: '/payload/intendedUse' })],
    });
  });
});
