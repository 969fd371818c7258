import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalXml } from '../../adapters/formats/canonical-xml.js';
import { startTestHub, notice, type TestHub } from '../support/test-hub.js';
import { waitFor } from '../support/test-environment.js';

/**
 * The path of one message: REST in, stored raw, normalised, validated, applied with its outbox
 * rows in one transaction, delivered to the recipient's inbox, acknowledged there.
 */
let t: TestHub;
let fr: { id: string; auth: string };
let de: { id: string; auth: string };
let deAgency: { id: string; auth: string };
const FR = { country: 'FR', agency: 'NCB-PARIS' };

interface InboxItem {
  id: string;
  type: string;
  correlationId: string;
  envelope: {
    sender: unknown;
    inReplyTo?: string;
    payload: { subject?: string; ledgerId?: string; outcome?: string; originalMessageId?: string; errors?: unknown[] };
  };
}

async function post(auth: string, body: unknown, contentType = 'application/json') {
  return t.hub.app!.inject({
    method: 'POST',
    url: '/v1/messages',
    headers: { authorization: auth, 'content-type': contentType },
    payload: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
}
async function get(auth: string, url: string) {
  return t.hub.app!.inject({ method: 'GET', url, headers: { authorization: auth } });
}
async function messageView(ledgerId: string) {
  return (await get(fr.auth, `/v1/messages/${ledgerId}`)).json();
}
async function inbox(auth: string) {
  return (await get(auth, '/v1/inbox')).json().items as InboxItem[];
}

beforeAll(async () => {
  t = await startTestHub('lifecycle');
  fr = await t.agency('FR', 'NCB-PARIS');
  de = await t.agency('DE', 'NCB-WIESBADEN');
  deAgency = await t.agency('DE', 'BKA-CUSTOMS', 'agency');
});
afterAll(() => t?.stop());

describe('a valid message', () => {
  it('is accepted, applied once and delivered to the recipient country', async () => {
    const msg = notice(FR, ['DE'], {}, { serials: ['ab 12345'] });
    const res = await post(fr.auth, msg);
    expect(res.statusCode).toBe(202);
    const { ledgerId, correlationId } = res.json();
    expect(res.headers.location).toBe(`/v1/messages/${ledgerId}`);

    const view = await waitFor(async () => {
      const v = await messageView(ledgerId);
      return v.status === 'applied' && v.outbound[0]?.status === 'delivered' ? v : undefined;
    }, 'the notice to be applied and delivered');
    expect(view.lineage.map((e: { event: string }) => e.event)).toEqual(['received', 'normalised', 'validated', 'applied']);
    expect(view.lineage.map((e: { stage: string }) => e.stage)).toEqual(['intake', 'normalise', 'validate', 'apply']);
    expect(view.businessKeys).toEqual(['serial:AB12345']);
    expect(view.outbound).toHaveLength(1);
    // Another country's delivery shows to the sender as its country, type and status only.
    expect(view.outbound[0].recipient).toEqual({ country: 'DE' });

    const notices = await t.hub.ctx.db.selectFrom('notices').selectAll().where('ledger_id', '=', ledgerId).execute();
    expect(notices).toHaveLength(1);
    expect(notices[0]!.subject).toBe('Stolen pistol');

    const items = await inbox(de.auth);
    const item = items.find((i) => i.correlationId === correlationId);
    expect(item?.type).toBe('hub.notice');
    expect(item?.envelope.sender).toEqual(FR);
    expect(item?.envelope.inReplyTo).toBe(msg.messageId);
    expect(item?.envelope.payload.subject).toBe('Stolen pistol');
    // Addressed to the country as a whole: its NCB sees it, its other agencies do not.
    expect((await inbox(deAgency.auth)).some((i) => i.correlationId === correlationId)).toBe(false);
    expect((await inbox(fr.auth)).some((i) => i.correlationId === correlationId)).toBe(false);

    const ack = await t.hub.app!.inject({ method: 'POST', url: `/v1/inbox/${item!.id}/ack`, headers: { authorization: de.auth } });
    expect(ack.statusCode).toBe(200);
    expect(ack.json().status).toBe('acked');
    expect((await inbox(de.auth)).some((i) => i.id === item!.id)).toBe(false);
    const again = await t.hub.app!.inject({ method: 'POST', url: `/v1/inbox/${item!.id}/ack`, headers: { authorization: de.auth } });
    expect(again.statusCode).toBe(200);
    expect(again.json().ackedAt).toBe(ack.json().ackedAt);
    const stranger = await t.hub.app!.inject({ method: 'POST', url: `/v1/inbox/${item!.id}/ack`, headers: { authorization: fr.auth } });
    expect(stranger.statusCode).toBe(404);
  });

  it('keeps the exact bytes it was sent, with their sha256', async () => {
    const body = `{"messageId":"raw-1","type":"hub.notice","sender":{"country":"FR","agency":"NCB-PARIS"},   "sentAt":"2026-11-25T10:00:00Z","payload":{"to":[{"country":"US"}],"subject":"s","body":"b"}}`;
    const { ledgerId } = (await post(fr.auth, body)).json();
    const row = await t.hub.ctx.db.selectFrom('ledger_messages').select(['raw', 'sha256', 'content_type', 'channel', 'format']).where('id', '=', ledgerId).executeTakeFirstOrThrow();
    expect(row.raw.toString('utf8')).toBe(body);
    const { createHash } = await import('node:crypto');
    expect(row.sha256.toString('hex')).toBe(createHash('sha256').update(body).digest('hex'));
    expect(row).toMatchObject({ content_type: 'application/json', channel: 'rest', format: 'canonical-json' });
  });

  it('arrives in the hub XML form and is applied the same way', async () => {
    const msg = notice(FR, ['DE', 'US'], { messageId: 'xml-1' });
    const xml = canonicalXml.render(msg, undefined as never);
    const res = await post(fr.auth, xml, 'application/xml');
    expect(res.statusCode).toBe(202);
    const view = await waitFor(async () => {
      const v = await messageView(res.json().ledgerId);
      return v.status === 'applied' ? v : undefined;
    }, 'the XML notice to be applied');
    expect(view.format).toBe('canonical-xml');
    expect(view.outbound.map((o: { recipient: { country: string } }) => o.recipient.country).sort()).toEqual(['DE', 'US']);
  });

  it('is read in the charset its Content-Type names, and the ledger keeps the whole Content-Type', async () => {
    const xml = String(canonicalXml.render(notice(FR, ['DE'], { messageId: 'xml-latin1' }, { subject: 'Pistolet volé à Liège' }), undefined as never));
    const res = await t.hub.app!.inject({ method: 'POST', url: '/v1/messages', headers: { authorization: fr.auth, 'content-type': 'application/xml; charset=iso-8859-1' }, payload: Buffer.from(xml.replace(/^<\?xml[^>]*\?>/, ''), 'latin1') });
    expect(res.statusCode).toBe(202);
    const row = await t.hub.ctx.db.selectFrom('ledger_messages').select(['content_type', 'envelope']).where('id', '=', res.json().ledgerId).executeTakeFirstOrThrow();
    expect(row.content_type).toBe('application/xml; charset=iso-8859-1');
    expect((row.envelope as { payload: { subject: string } }).payload.subject).toBe('Pistolet volé à Liège');
  });
});

describe('an invalid message', () => {
  it('is rejected with every field error named, stored, and a receipt goes back to the sender', async () => {
    const bad = notice(FR, [], { sentAt: 'yesterday', unexpected: true }, { subject: '', priority: 'now' });
    const res = await post(fr.auth, bad);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const problem = res.json();
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.type).toBe('urn:tracehub:problem:validation-failed');
    const pointers = problem.errors.map((e: { pointer: string }) => e.pointer).sort();
    expect(pointers).toEqual(['/payload/priority', '/payload/subject', '/payload/to', '/sentAt', '/unexpected']);
    expect(problem.errors.find((e: { pointer: string }) => e.pointer === '/payload/priority').message).toBe('must be one of: routine, urgent');

    const view = await messageView(problem.ledgerId);
    expect(view.status).toBe('rejected');
    expect(view.errors).toHaveLength(5);
    expect(view.lineage.map((e: { event: string }) => e.event)).toEqual(['received', 'normalised', 'rejected']);

    const receipt = await waitFor(async () => (await inbox(fr.auth)).find((i) => i.type === 'hub.receipt' && i.envelope.payload.ledgerId === problem.ledgerId), 'the rejection receipt');
    expect(receipt.envelope.payload.outcome).toBe('rejected');
    expect(receipt.envelope.payload.originalMessageId).toBe(bad.messageId);
    expect(receipt.envelope.payload.errors).toHaveLength(5);
    expect(receipt.envelope.sender).toEqual({ country: 'ZZ', agency: 'TRACEHUB' });
  });

  it('is rejected when it is not JSON at all, and still stored', async () => {
    const res = await post(fr.auth, '{"messageId": "broken",');
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('MALFORMED_BODY');
    expect(res.json().errors[0].code).toBe('json.malformed');
    const row = await t.hub.ctx.db.selectFrom('ledger_messages').select(['raw', 'status']).where('id', '=', res.json().ledgerId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'rejected' });
    expect(row.raw.toString()).toBe('{"messageId": "broken",');
  });

  it('is refused when its XML declares a DTD (no entity expansion)', async () => {
    const evil = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><message><messageId>&lol2;</messageId></message>`;
    const res = await post(fr.auth, evil, 'application/xml');
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([expect.objectContaining({ code: 'xml.dtd-forbidden' })]);
  });

  it('names an unknown message type at /type', async () => {
    const res = await post(fr.auth, notice(FR, ['DE'], { type: 'record.teleport' }));
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([expect.objectContaining({ pointer: '/type', code: 'type.unknown' })]);
  });

  it('is rejected at apply when the handler finds it invalid, with a receipt', async () => {
    const res = await post(fr.auth, notice(FR, ['DE', 'QQ']));
    expect(res.statusCode).toBe(202);
    const view = await waitFor(async () => {
      const v = await messageView(res.json().ledgerId);
      return v.status === 'rejected' ? v : undefined;
    }, 'the handler to reject the notice');
    expect(view.errors).toEqual([{ pointer: '/payload/to/1/country', code: 'recipient.unknown', message: 'QQ is not a partner country of the hub' }]);
    expect(view.lineage.at(-1)).toMatchObject({ stage: 'apply', event: 'rejected' });
    expect(await t.hub.ctx.db.selectFrom('notices').select('id').where('ledger_id', '=', view.ledgerId).execute()).toHaveLength(0);
    await waitFor(async () => (await inbox(fr.auth)).find((i) => i.envelope.payload.ledgerId === view.ledgerId), 'the apply-stage receipt');
  });

  it('is refused when the envelope names another sender than the authenticated agency', async () => {
    const res = await post(fr.auth, notice({ country: 'DE', agency: 'NCB-WIESBADEN' }, ['US']));
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('SENDER_MISMATCH');
    expect(res.json().errors[0].pointer).toBe('/sender');
  });
});

describe('a duplicate', () => {
  it('with the same sender and message id is acknowledged with the original id and never applied twice', async () => {
    const msg = notice(FR, ['DE'], { messageId: 'dup-1' });
    const first = await post(fr.auth, msg);
    expect(first.statusCode).toBe(202);
    const original = first.json().ledgerId;
    await waitFor(async () => (await messageView(original)).status === 'applied', 'the original to be applied');

    const again = await post(fr.auth, { ...msg, sentAt: new Date(Date.now() + 1000).toISOString() });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ ledgerId: original, duplicate: true, status: 'applied' });

    const sameBytes = await post(fr.auth, msg);
    expect(sameBytes.json()).toMatchObject({ ledgerId: original, duplicate: true });

    await t.hub.apply([original]);
    expect(await t.hub.ctx.db.selectFrom('notices').select('id').where('ledger_id', '=', original).execute()).toHaveLength(1);
    const view = await messageView(original);
    expect(view.lineage.filter((e: { event: string }) => e.event === 'applied')).toHaveLength(1);
    expect(view.lineage.filter((e: { event: string }) => e.event === 'duplicate')).toHaveLength(2);
    expect(view.outbound).toHaveLength(1);
    const stored = await t.hub.ctx.db.selectFrom('ledger_messages').select('id').where('message_id', '=', 'dup-1').execute();
    expect(stored).toHaveLength(1);
  });

  it('from another agency with the same message id is a different message', async () => {
    const customs = await t.agency('FR', 'DOUANE-CDG', 'agency');
    const a = await post(fr.auth, notice(FR, ['DE'], { messageId: 'shared-id' }));
    const b = await post(customs.auth, notice({ country: 'FR', agency: 'DOUANE-CDG' }, ['DE'], { messageId: 'shared-id' }));
    expect(a.statusCode).toBe(202);
    expect(b.statusCode).toBe(202);
    expect(b.json().ledgerId).not.toBe(a.json().ledgerId);
  });
});

describe('a batch', () => {
  it('stores each line on its own and reports each outcome', async () => {
    const lines = [notice(FR, ['DE'], { messageId: 'b-1' }), { ...notice(FR, ['DE'], { messageId: 'b-2' }), type: 'nope.nope' }, notice(FR, ['DE'], { messageId: 'b-1' })];
    const res = await t.hub.app!.inject({
      method: 'POST',
      url: '/v1/message-batches',
      headers: { authorization: fr.auth, 'content-type': 'application/x-ndjson' },
      payload: lines.map((l) => JSON.stringify(l)).join('\n') + '\n',
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ accepted: 1, rejected: 1, duplicates: 1 });
    expect(body.items.map((i: { line: number; status: string }) => [i.line, i.status])).toEqual([[1, 'accepted'], [2, 'rejected'], [3, 'duplicate']]);
    expect(body.items[2].ledgerId).toBe(body.items[0].ledgerId);
    expect(body.items[1].errors[0].pointer).toBe('/type');
  });
});
