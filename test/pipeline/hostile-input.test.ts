import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchemaDocument } from '../../src/messages/schema-catalog.js';
import type { MessageHandler } from '../../src/pipeline/message-handler.js';
import { notice, startTestHub, type TestHub } from '../support/test-hub.js';

/**
 * Input that used to hurt the hub rather than its sender. Content the database cannot hold (text
 * with U+0000 or an unpaired surrogate, structures nested deeper than any message needs, dates
 * outside what its date types take) is rejected at intake as invalid, naming the field, with its
 * raw bytes kept, and cannot fail the group commit other senders' messages share with it. A
 * message with a great many errors is answered with a bounded list of them.
 */

/**
 * A test-only type whose business key has no length limit, as a schema author might forget one:
 * a reference too long for the ledger's index is a value the database refuses when the row is
 * written, which no check at intake foresees.
 */
const taggedSchema: SchemaDocument = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:tracehub:schema:test.tagged',
  'x-tracehub': { direction: 'inbound', businessKeys: { reference: '/reference' } },
  type: 'object',
  required: ['reference'],
  additionalProperties: false,
  properties: { reference: { type: 'string' } },
};
const taggedHandler: MessageHandler<{ reference: string }> = { type: 'test.tagged', async apply() {} };
const FR = { country: 'FR', agency: 'NCB-PARIS' };
const DE = { country: 'DE', agency: 'NCB-WIESBADEN' };
let t: TestHub;
let fr: string;
let de: string;
let admin: string;

beforeAll(async () => {
  t = await startTestHub('hostile-input', { handlers: [taggedHandler as MessageHandler<never>], extraSchemas: [taggedSchema] });
  fr = (await t.agency('FR', 'NCB-PARIS')).auth;
  de = (await t.agency('DE', 'NCB-WIESBADEN')).auth;
  admin = (await t.agency(null, 'HUB-OPS')).auth;
});
afterAll(() => t?.stop());

function post(auth: string, body: string) {
  return t.hub.app!.inject({ method: 'POST', url: '/v1/messages', headers: { authorization: auth, 'content-type': 'application/json' }, payload: body });
}

async function stored(ledgerId: string) {
  return t.hub.ctx.db.selectFrom('ledger_messages').select(['status', 'raw', 'envelope', 'errors', 'message_id', 'sent_at']).where('id', '=', ledgerId).executeTakeFirstOrThrow();
}

describe('text the database cannot hold', () => {
  it('is rejected naming each field, and the message is kept as its raw bytes', async () => {
    const body = JSON.stringify(notice(FR, ['DE'], {}, { subject: 'lone \ud800 surrogate', body: 'a\u0000b' }));
    const res = await post(fr, body);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      { pointer: '/payload/subject', code: 'text.unstorable', message: 'contains an unpaired UTF-16 surrogate (U+D800), which is not Unicode text' },
      { pointer: '/payload/body', code: 'text.unstorable', message: 'contains U+0000 (NUL), which the hub does not accept in text' },
    ]);
    const row = await stored(res.json().ledgerId);
    expect(row.status).toBe('rejected');
    expect(row.raw.toString('utf8')).toBe(body);
    expect(row.envelope).toBeNull();
    expect(row.errors).toEqual(res.json().errors);
  });

  it('is counted for operators by sender, channel and the code of the first error', async () => {
    const before = await t.hub.ctx.metrics.registry.getSingleMetricAsString('tracehub_rejections_total');
    const line = 'tracehub_rejections_total{country="FR",channel="rest",code="text.unstorable"}';
    const count = (text: string) => Number(text.split('\n').find((l) => l.startsWith(line))?.slice(line.length) ?? 0);
    expect((await post(fr, JSON.stringify(notice(FR, ['DE'], {}, { body: 'a\u0000b' })))).statusCode).toBe(400);
    const after = await t.hub.ctx.metrics.registry.getSingleMetricAsString('tracehub_rejections_total');
    expect(count(after)).toBe(count(before) + 1);
  });

  it('is named, with the character replaced, when it is in a member name or the message id', async () => {
    const res = await post(fr, JSON.stringify(notice(FR, ['DE'], { messageId: 'FR-\u0000-1', 'x\u0000': 1 })));
    expect(res.statusCode).toBe(400);
    const unstorable = (res.json().errors as { pointer: string; code: string }[]).filter((e) => e.code === 'text.unstorable').map((e) => e.pointer);
    expect(unstorable).toEqual(['/x\ufffd', '/messageId']);
    expect((await stored(res.json().ledgerId)).message_id).toBeNull();
  });

  it('is rejected when XML, which partners receive, could not carry it; tabs and line breaks are text', async () => {
    const res = await post(fr, JSON.stringify(notice(FR, ['DE'], {}, { subject: 'bell \u0007', body: 'escape \u001b[0m and \uffff' })));
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      { pointer: '/payload/subject', code: 'text.unstorable', message: 'contains U+0007, a control character that XML, which partners receive, cannot carry' },
      { pointer: '/payload/body', code: 'text.unstorable', message: 'contains U+001B, a control character that XML, which partners receive, cannot carry' },
    ]);
    expect((await post(fr, JSON.stringify(notice(FR, ['DE'], {}, { body: 'line one\r\nline\ttwo' })))).statusCode).toBe(202);
  });

  it('fails only its own message, not the others stored in the same transaction', async () => {
    const good = Array.from({ length: 20 }, (_, i) => notice(i % 2 ? FR : DE, [i % 2 ? 'DE' : 'FR']));
    const bad = notice(FR, ['DE'], {}, { body: 'x\u0000y' });
    // Sent at once, they share group commits.
    const answers = await Promise.all([...good.map((m) => post(m.sender.country === 'FR' ? fr : de, JSON.stringify(m))), post(fr, JSON.stringify(bad))]);
    expect(answers.map((a) => a.statusCode)).toEqual([...good.map(() => 202), 400]);

    const batch = [notice(FR, ['DE']), bad, notice(FR, ['DE'])].map((m, i) => JSON.stringify(i === 1 ? { ...m, messageId: `${m.messageId}-b` } : m)).join('\n');
    const res = await t.hub.app!.inject({ method: 'POST', url: '/v1/message-batches', headers: { authorization: fr, 'content-type': 'application/x-ndjson' }, payload: batch });
    expect(res.statusCode).toBe(200);
    expect((res.json().items as { status: string }[]).map((i) => i.status)).toEqual(['accepted', 'rejected', 'accepted']);
  });
});

describe('structure nested deeper than a message may be', () => {
  it('is rejected at the first level too deep, however deep it goes', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const body = JSON.stringify(notice(FR, ['DE'])).replace('"serials":', `"junk":${deep},"serials":`);
    const res = await post(fr, body);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ pointer: `/payload/junk${'/0'.repeat(30)}`, code: 'structure.too-deep', message: 'nests deeper than the 32 levels a message may have' }]);
    expect((await stored(res.json().ledgerId)).raw.length).toBe(Buffer.byteLength(body));
  });
});

describe('dates the database cannot hold', () => {
  for (const sentAt of ['2026-02-29T10:00:00Z', '0000-01-01T00:00:00Z', '2026-11-26T10:00:00-23:59']) {
    it(`are invalid: sentAt ${sentAt}`, async () => {
      const res = await post(fr, JSON.stringify(notice(FR, ['DE'], { sentAt })));
      expect(res.statusCode).toBe(400);
      expect(res.json().errors).toEqual([expect.objectContaining({ pointer: '/sentAt', code: 'schema.format' })]);
      expect((await stored(res.json().ledgerId)).sent_at).toBeNull();
    });
  }

  it('are valid as RFC 3339 has them, leap days and leap seconds included', async () => {
    for (const sentAt of ['2028-02-29T10:00:00Z', '2026-12-31T23:59:60Z', '2026-11-26T10:00:00.123456789+14:00']) {
      expect((await post(fr, JSON.stringify(notice(FR, ['DE'], { sentAt })))).statusCode).toBe(202);
    }
  });
});

describe('a message with a great many errors', () => {
  it('is answered at once with a bounded list, stored with it', async () => {
    // 60,000 bad recipients in 480 kB: gathering every error took 18 s and made 12 MB of them.
    const body = JSON.stringify(notice(FR, ['DE'], {}, { to: Array.from({ length: 60_000 }, () => ({ c: 1 })) }));
    const res = await post(fr, body);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      { pointer: '/payload/to', code: 'schema.maxItems', message: 'must NOT have more than 200 items' },
      { pointer: '/payload', code: 'schema.errors-not-listed', message: 'holds more than 5000 values, so only its first error is listed' },
    ]);
    expect((await stored(res.json().ledgerId)).errors).toEqual(res.json().errors);
  });
});

describe('a value the database refuses though intake found nothing wrong', () => {
  it('is rejected alone, kept as its raw bytes, while the messages that shared its transaction are stored', async () => {
    const tagged = (reference: string) => ({ messageId: `tagged-${Math.random().toString(36).slice(2)}`, type: 'test.tagged', sender: FR, sentAt: new Date().toISOString(), payload: { reference } });
    const huge = JSON.stringify(tagged(randomBytes(6000).toString('hex')));
    const good = Array.from({ length: 10 }, () => JSON.stringify(tagged('REF-1')));
    const answers = await Promise.all([...good.slice(0, 5).map((b) => post(fr, b)), post(fr, huge), ...good.slice(5).map((b) => post(fr, b))]);
    expect(answers.map((a) => a.statusCode)).toEqual([202, 202, 202, 202, 202, 400, 202, 202, 202, 202, 202]);
    const refused = answers[5]!.json();
    expect(refused.errors).toEqual([{ pointer: '/', code: 'message.unstorable', message: expect.stringMatching(/^the hub could not store this message as it was sent: 54000: index row /) }]);
    const row = await stored(refused.ledgerId);
    expect(row).toMatchObject({ status: 'rejected', envelope: null, message_id: null });
    expect(row.raw.toString('utf8')).toBe(huge);
  });
});

describe('a request whose query, path or body holds text the database cannot take', () => {
  it('is refused as a bad request naming the field, not a failure of the hub', async () => {
    const get = (url: string, auth: string) => t.hub.app!.inject({ method: 'GET', url, headers: { authorization: auth } });
    const search = await get('/v1/records?serial=A%00B&make=Glock', fr);
    expect(search.statusCode).toBe(400);
    expect(search.json()).toMatchObject({
      code: 'BAD_REQUEST',
      errors: [{ pointer: '/querystring/serial', code: 'text.unstorable', message: 'contains U+0000 (NUL), which the hub does not accept in text' }],
    });
    expect((await get('/v1/admin/messages?agency=%00', admin)).json().errors).toEqual([expect.objectContaining({ pointer: '/querystring/agency' })]);
    const created = await t.hub.app!.inject({ method: 'POST', url: '/v1/admin/agencies', headers: { authorization: admin, 'content-type': 'application/json' }, payload: JSON.stringify({ country: 'FR', code: 'POLICE-LYON', name: 'Police \u0000 Lyon', role: 'agency' }) });
    expect(created.statusCode).toBe(400);
    expect(created.json().errors).toEqual([expect.objectContaining({ pointer: '/body/name', code: 'text.unstorable' })]);
    expect((await get('/v1/records?serial=AB12&make=Glock', fr)).statusCode).toBe(200);
  });
});

describe('a JSON body a route reads itself', () => {
  it('is decoded as strictly as any message: a Latin-1 byte is named, not written into the record as U+FFFD', async () => {
    const record = {
      ownerReference: 'FR-HOSTILE-1',
      status: 'STOLEN',
      firearm: { serials: [{ value: 'HX1234', location: 'frame' }], make: 'Glock', model: '17', calibre: '9mm Luger', type: 'pistol', countryOfManufacture: 'AT' },
      event: { date: '2026-10-01', caseNumber: 'PJ-HOSTILE-1', place: { country: 'FR', locality: 'Paris' }, illicitBasis: 'national-law' },
    };
    const created = await t.hub.app!.inject({ method: 'POST', url: '/v1/records', headers: { authorization: fr, 'content-type': 'application/json' }, payload: JSON.stringify(record) });
    expect(created.statusCode, created.body).toBe(201);
    const patched = await t.hub.app!.inject({
      method: 'PATCH',
      url: `/v1/records/${created.json().id}`,
      headers: { authorization: fr, 'content-type': 'application/merge-patch+json' },
      payload: Buffer.from(JSON.stringify({ event: { place: { country: 'FR', locality: 'Liège' } } }), 'latin1'),
    });
    expect(patched.statusCode).toBe(400);
    expect(patched.json()).toMatchObject({ code: 'MALFORMED_BODY', errors: [{ pointer: '/body', code: 'encoding.not-utf8' }] });
  });
});
