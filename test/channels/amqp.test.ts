import { connect, type ChannelModel, type ConfirmChannel, type GetMessage, type Options } from 'amqplib';

type ConsumeMessage = GetMessage;
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalXml } from '../../adapters/formats/canonical-xml.js';
import { amqpTopology, partnerPermissions } from '../../adapters/channels/amqp-topology.js';
import type { PartnerConfig } from '../../src/messages/generated-types.js';
import { getLineage } from '../../src/ledger/ledger-queries.js';
import { notice, startTestHub, type TestHub } from '../support/test-hub.js';
import { cleanEnvironment, testEnvironment, waitFor } from '../support/test-environment.js';
import { configWithPartners } from '../support/partner-config.js';
import { createUser, createVhost, listConsumers, listQueues, type TestVhost } from '../support/rabbitmq.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { adapterContext } from '../unit/adapter-context.js';

/**
 * The AMQP channel against the machine's real RabbitMQ, in virtual hosts of this file's own:
 * the topology the hub declares from partner files, records arriving as canonical JSON and XML,
 * replies and receipts going out with their properties, and a broker that goes away mid-stream.
 */
const BE = { country: 'BE', agency: 'NCB-BRUSSELS' };
const LU = { country: 'LU', agency: 'NCB-LUXEMBOURG' };
const FR = { country: 'FR', agency: 'NCB-PARIS' };

const partners: PartnerConfig[] = [
  {
    country: 'BE',
    name: 'Belgium',
    ncb: { agency: 'NCB-BRUSSELS', name: 'INTERPOL NCB Brussels' },
    inbound: [
      { channel: 'amqp', format: 'canonical-json' },
      { channel: 'amqp', format: 'canonical-xml' },
    ],
    replies: { channel: 'amqp', format: 'canonical-json' },
    amqp: { agency: 'NCB-BRUSSELS' },
  },
  {
    country: 'LU',
    name: 'Luxembourg',
    ncb: { agency: 'NCB-LUXEMBOURG', name: 'INTERPOL NCB Luxembourg' },
    inbound: [{ channel: 'amqp', format: 'canonical-xml' }],
    replies: { channel: 'amqp', format: 'canonical-xml' },
    amqp: { inboundQueue: 'lu.registry.to-hub', outboundQueue: 'lu.registry.from-hub' },
  },
];

let seq = 0;
function recordUpsert(sender: { country: string; agency: string }, ref: string, serial = `SN-${ref}`) {
  return {
    messageId: `${sender.country}-${ref}-${++seq}`,
    type: 'record.upsert',
    sender,
    sentAt: new Date().toISOString(),
    payload: {
      ownerReference: ref,
      status: 'STOLEN',
      firearm: { serials: [{ value: serial, location: 'frame' }], make: 'Glock', model: '17', calibre: '9mm Luger', type: 'pistol', countryOfManufacture: 'AT' },
      event: { date: '2026-10-01', caseNumber: `CASE-${ref}`, place: { country: sender.country, locality: 'Liège' }, illicitBasis: 'national-law', circumstances: 'Burglary' },
    },
  };
}

/** A partner's system: publishes to its inbound exchange on a confirm channel, reads its outbound queue. */
class PartnerClient {
  private constructor(
    readonly conn: ChannelModel,
    public ch: ConfirmChannel,
  ) {}

  static async open(url: string): Promise<PartnerClient> {
    const conn = await connect(url);
    conn.on('error', () => undefined);
    return new PartnerClient(conn, await PartnerClient.#channel(conn));
  }

  static async #channel(conn: ChannelModel): Promise<ConfirmChannel> {
    const ch = await conn.createConfirmChannel();
    ch.on('error', () => undefined);
    return ch;
  }

  async publish(exchange: string, body: Buffer | string, options: Options.Publish = {}): Promise<void> {
    this.ch.publish(exchange, '', Buffer.from(body), { persistent: true, ...options });
    await this.ch.waitForConfirms();
  }

  /** Takes (and acknowledges) whatever is in a queue now. */
  async drain(queue: string): Promise<ConsumeMessage[]> {
    const out: ConsumeMessage[] = [];
    for (;;) {
      let m: GetMessage | false;
      try {
        m = await this.ch.get(queue, { noAck: true });
      } catch {
        // The queue is not there (yet): the broker closed the channel; take a new one.
        this.ch = await PartnerClient.#channel(this.conn);
        return out;
      }
      if (!m) return out;
      out.push(m);
    }
  }

  /** Waits until `count` messages matching `match` have been taken from the queue. */
  async take(queue: string, match: (m: ConsumeMessage) => boolean, count = 1, what = `${count} message(s) on ${queue}`): Promise<ConsumeMessage[]> {
    const found: ConsumeMessage[] = [];
    await waitFor(async () => {
      for (const m of await this.drain(queue)) if (match(m)) found.push(m);
      return found.length >= count;
    }, what, 30_000, 100);
    return found;
  }

  async close(): Promise<void> {
    await this.conn.close().catch(() => undefined);
  }
}

const json = (m: ConsumeMessage) => JSON.parse(m.content.toString('utf8')) as { messageId: string; type: string; correlationId?: string; payload: Record<string, unknown> };

describe('the AMQP channel', () => {
  let vhost: TestVhost;
  let config: { dir: string; remove(): Promise<void> };
  let t: TestHub;
  let partner: PartnerClient;
  let fr: { auth: string };

  beforeAll(async () => {
    vhost = await createVhost('amqp');
    config = await configWithPartners(partners);
    t = await startTestHub('amqp', {
      envOverrides: { amqpUrl: vhost.url(), configDir: config.dir },
      tuneConfig: (c) => {
        c.amqp = { ...c.amqp, prefetch: 50, reconnectInitialMs: 100, reconnectMaxMs: 1000, maxMessageBytes: 64 * 1024 };
      },
    });
    partner = await PartnerClient.open(vhost.url());
    fr = await t.agency('FR', 'NCB-PARIS');
  });
  afterAll(async () => {
    await partner?.close();
    await t?.stop();
    await vhost?.delete();
    await config?.remove();
  });

  describe('topology', () => {
    it('declares durable quorum queues per country, with names from the partner file, each dead-lettering to a queue of its own', async () => {
      const queues = new Map((await listQueues(vhost.name)).map((q) => [q.name, q]));
      for (const name of ['tracehub.in.BE', 'tracehub.out.BE', 'lu.registry.to-hub', 'lu.registry.from-hub']) {
        const q = queues.get(name);
        expect(q, name).toBeDefined();
        expect(q).toMatchObject({ type: 'quorum', durable: true });
        expect(q!.arguments).toMatchObject({ 'x-queue-type': 'quorum', 'x-dead-letter-exchange': 'tracehub.dead', 'x-dead-letter-routing-key': name });
        expect(queues.get(`${name}.dead`)).toMatchObject({ type: 'quorum', durable: true });
      }
      // Countries on REST only get nothing.
      expect([...queues.keys()].filter((n) => /FR|DE|US/.test(n))).toEqual([]);
    });

    it('consumes each inbound queue with the configured prefetch and manual acknowledgements', async () => {
      const consumers = await listConsumers(vhost.name);
      expect(consumers.map((c) => c.queue_name).sort()).toEqual(['lu.registry.to-hub', 'tracehub.in.BE']);
      for (const c of consumers) expect(c).toMatchObject({ prefetch_count: 50, ack_required: true });
      expect(t.hub.ctx.amqp.status().connection.connected).toBe(true);
    });
  });

  describe('records arriving over AMQP', () => {
    it('are stored raw, applied, and acknowledged, in canonical JSON', async () => {
      const msg = recordUpsert(BE, 'BE-JSON-1');
      const body = JSON.stringify(msg);
      await partner.publish('tracehub.in.BE', body, { contentType: 'application/json', messageId: msg.messageId, type: 'record.upsert' });
      const rec = await waitFor(() => t.hub.ctx.db.selectFrom('records').selectAll().where('owner_country', '=', 'BE').where('owner_reference', '=', 'BE-JSON-1').executeTakeFirst(), 'the BE record');
      expect(rec).toMatchObject({ owner_agency: 'NCB-BRUSSELS', status: 'STOLEN', version: 1 });
      const row = await t.hub.ctx.db.selectFrom('ledger_messages').selectAll().where('message_id', '=', msg.messageId).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ channel: 'amqp', format: 'canonical-json', content_type: 'application/json', sender_country: 'BE', sender_agency: 'NCB-BRUSSELS', status: 'applied' });
      expect(row.raw.toString('utf8')).toBe(body);
      await waitFor(async () => (await listQueues(vhost.name)).find((q) => q.name === 'tracehub.in.BE')?.messages === 0, 'the message to be acknowledged');
    });

    it('are read as the hub XML form on a queue that takes XML, by content type or by their first byte', async () => {
      const a = recordUpsert(LU, 'LU-XML-1');
      const b = recordUpsert(LU, 'LU-XML-2');
      const c = recordUpsert(BE, 'BE-XML-1');
      await partner.publish('lu.registry.to-hub', canonicalXml.render(a, undefined as never), { contentType: 'application/xml', messageId: a.messageId });
      await partner.publish('lu.registry.to-hub', canonicalXml.render(b, undefined as never)); // no content type
      await partner.publish('tracehub.in.BE', canonicalXml.render(c, undefined as never), { contentType: 'text/xml' });
      for (const [cc, ref] of [['LU', 'LU-XML-1'], ['LU', 'LU-XML-2'], ['BE', 'BE-XML-1']] as const) {
        await waitFor(() => t.hub.ctx.db.selectFrom('records').select('id').where('owner_country', '=', cc).where('owner_reference', '=', ref).executeTakeFirst(), `record ${ref}`);
      }
      const rows = await t.hub.ctx.db.selectFrom('ledger_messages').select(['message_id', 'format', 'sender_agency', 'status']).where('message_id', 'in', [a.messageId, b.messageId, c.messageId]).execute();
      expect(rows.every((r) => r.format === 'canonical-xml' && r.status === 'applied')).toBe(true);
      // LU's queue vouches for the country only: the agency is the envelope's.
      expect(rows.find((r) => r.message_id === a.messageId)!.sender_agency).toBeNull();
    });

    it('are applied once however often the broker or the sender repeats them', async () => {
      const msg = recordUpsert(BE, 'BE-DUP-1');
      const body = JSON.stringify(msg);
      await partner.publish('tracehub.in.BE', body, { contentType: 'application/json' });
      await partner.publish('tracehub.in.BE', body, { contentType: 'application/json' });
      // Same sender and message id, different bytes (a resend with a new sentAt).
      await partner.publish('tracehub.in.BE', JSON.stringify({ ...msg, sentAt: new Date(Date.now() + 5000).toISOString() }), { contentType: 'application/json' });
      const original = await waitFor(() => t.hub.ctx.db.selectFrom('ledger_messages').select(['id', 'status']).where('message_id', '=', msg.messageId).executeTakeFirst(), 'the original');
      await waitFor(async () => (await getLineage(t.hub.ctx.db, original.id)).filter((e) => e.event === 'duplicate').length === 2, 'two repeats recorded on the original');
      expect(await t.hub.ctx.db.selectFrom('ledger_messages').select('id').where('message_id', '=', msg.messageId).execute()).toHaveLength(1);
      const rec = await waitFor(() => t.hub.ctx.db.selectFrom('records').select(['version']).where('owner_country', '=', 'BE').where('owner_reference', '=', 'BE-DUP-1').executeTakeFirst(), 'the record');
      expect(rec.version).toBe(1);
      expect((await t.hub.ctx.db.selectFrom('ledger_messages').select('status').where('id', '=', original.id).executeTakeFirstOrThrow()).status).toBe('applied');
      await waitFor(async () => (await listQueues(vhost.name)).find((q) => q.name === 'tracehub.in.BE')?.messages === 0, 'all three acknowledged');
    });
  });

  describe('an inbound queue someone deleted', () => {
    it('is declared again and consumed, so what the country publishes next still arrives', async () => {
      await partner.ch.deleteQueue('tracehub.in.BE');
      await waitFor(async () => (await listQueues(vhost.name)).find((q) => q.name === 'tracehub.in.BE')?.consumers === 1, 'the queue back with its consumer', 30_000, 200);
      const msg = recordUpsert(BE, 'BE-AFTER-DELETE');
      await partner.publish('tracehub.in.BE', JSON.stringify(msg), { contentType: 'application/json' });
      await waitFor(() => t.hub.ctx.db.selectFrom('records').select('id').where('owner_reference', '=', 'BE-AFTER-DELETE').executeTakeFirst(), 'the record published after the queue came back');
      expect((await listQueues(vhost.name)).find((q) => q.name === 'tracehub.in.BE')!.arguments).toMatchObject({ 'x-queue-type': 'quorum', 'x-dead-letter-exchange': 'tracehub.dead' });
    });
  });

  describe('replies leaving over AMQP', () => {
    it('are published persistent to the country\'s outbound queue with message_id, correlation_id, type and content_type', async () => {
      const msg = notice(FR, ['BE', 'LU'], { correlationId: 'case-2026-117' });
      const res = await t.hub.app!.inject({ method: 'POST', url: '/v1/messages', headers: { authorization: fr.auth, 'content-type': 'application/json' }, payload: msg });
      expect(res.statusCode).toBe(202);
      const [be] = await partner.take('tracehub.out.BE', (m) => m.properties.correlationId === 'case-2026-117');
      const envelope = json(be!);
      expect(be!.properties).toMatchObject({ contentType: 'application/json', type: 'hub.notice', messageId: envelope.messageId, correlationId: 'case-2026-117', deliveryMode: 2, appId: 'tracehub' });
      expect(envelope).toMatchObject({ type: 'hub.notice', sender: FR, inReplyTo: msg.messageId, payload: { subject: 'Stolen pistol' } });
      expect(be!.properties.headers?.['x-tracehub-outbox-id']).toBe(envelope.messageId);

      const [lu] = await partner.take('lu.registry.from-hub', (m) => m.properties.correlationId === 'case-2026-117');
      expect(lu!.properties).toMatchObject({ contentType: 'application/xml', type: 'hub.notice', deliveryMode: 2 });
      const parsed = canonicalXml.normalise(lu!.content, adapterContext());
      expect(parsed).toMatchObject({ ok: true, envelope: { type: 'hub.notice', correlationId: 'case-2026-117', sender: FR } });

      const out = await waitFor(async () => {
        const rows = await t.hub.ctx.db.selectFrom('outbox').select(['recipient_country', 'channel', 'status', 'attempts']).where('correlation_id', '=', 'case-2026-117').execute();
        return rows.length === 2 && rows.every((r) => r.status === 'delivered') ? rows : undefined;
      }, 'both deliveries marked delivered');
      expect(out.every((r) => r.channel === 'amqp' && r.attempts === 1)).toBe(true);
    });

    it('are published again, once the queue exists again, when someone deleted it', async () => {
      await partner.ch.deleteQueue('tracehub.out.BE');
      const res = await t.hub.app!.inject({ method: 'POST', url: '/v1/messages', headers: { authorization: fr.auth, 'content-type': 'application/json' }, payload: notice(FR, ['BE'], { correlationId: 'after-delete' }) });
      expect(res.statusCode).toBe(202);
      // The first publish comes back unroutable and fails; the queue is declared again and the retry lands.
      const [m] = await partner.take('tracehub.out.BE', (x) => x.properties.correlationId === 'after-delete');
      expect(m!.properties.type).toBe('hub.notice');
      const row = await t.hub.ctx.db.selectFrom('outbox').select(['status', 'attempts', 'last_error']).where('correlation_id', '=', 'after-delete').executeTakeFirstOrThrow();
      expect(row.status).toBe('delivered');
      expect(row.attempts).toBeGreaterThanOrEqual(2);
    });
  });

  describe('an invalid message over AMQP', () => {
    it('is stored as rejected, acknowledged, and its receipt goes back on the sender\'s outbound queue', async () => {
      const bad = { ...recordUpsert(BE, 'BE-BAD-1'), payload: { ownerReference: 'BE-BAD-1', status: 'MISPLACED' } };
      await partner.publish('tracehub.in.BE', JSON.stringify(bad), { contentType: 'application/json', messageId: bad.messageId });
      const [receipt] = await partner.take('tracehub.out.BE', (m) => m.properties.type === 'hub.receipt' && json(m).payload.originalMessageId === bad.messageId);
      const r = json(receipt!);
      expect(receipt!.properties).toMatchObject({ contentType: 'application/json', type: 'hub.receipt', messageId: r.messageId });
      expect(r.payload.outcome).toBe('rejected');
      const pointers = (r.payload.errors as { pointer: string }[]).map((e) => e.pointer).sort();
      expect(pointers).toEqual(['/payload/event', '/payload/firearm', '/payload/status']);
      const row = await t.hub.ctx.db.selectFrom('ledger_messages').select(['status', 'channel']).where('message_id', '=', bad.messageId).executeTakeFirstOrThrow();
      expect(row).toEqual({ status: 'rejected', channel: 'amqp' });
      await waitFor(async () => (await listQueues(vhost.name)).find((q) => q.name === 'tracehub.in.BE')?.messages === 0, 'the rejected message acknowledged');
    });

    it('is rejected when it is not even JSON, and when it names an agency other than the one the queue speaks for', async () => {
      await partner.publish('tracehub.in.BE', '{"messageId": "torn', { contentType: 'application/json' });
      const other = recordUpsert({ country: 'BE', agency: 'POLICE-ANTWERP' }, 'BE-OTHER-1');
      await partner.publish('tracehub.in.BE', JSON.stringify(other), { contentType: 'application/json' });
      const receipts = await partner.take('tracehub.out.BE', (m) => m.properties.type === 'hub.receipt' && ['json.malformed', 'sender.mismatch'].includes((json(m).payload.errors as { code: string }[])[0]!.code), 2, 'two receipts');
      const codes = receipts.map((m) => (json(m).payload.errors as { code: string }[])[0]!.code).sort();
      expect(codes).toEqual(['json.malformed', 'sender.mismatch']);
    });

    it('is rejected with its receipt when it carries text the hub cannot store, and the records after it still arrive', async () => {
      // A NUL in a string used to fail every attempt to store it, holding the message unacknowledged for ever.
      const bad = recordUpsert(BE, 'BE-NUL-1', 'SN\u0000001');
      const next = recordUpsert(BE, 'BE-AFTER-NUL');
      await partner.publish('tracehub.in.BE', JSON.stringify(bad), { contentType: 'application/json', messageId: bad.messageId });
      await partner.publish('tracehub.in.BE', JSON.stringify(next), { contentType: 'application/json', messageId: next.messageId });
      const [receipt] = await partner.take('tracehub.out.BE', (m) => m.properties.type === 'hub.receipt' && json(m).payload.originalMessageId === bad.messageId);
      expect(json(receipt!).payload.errors).toEqual([{ pointer: '/payload/firearm/serials/0/value', code: 'text.unstorable', message: 'contains U+0000 (NUL), which the hub does not accept in text' }]);
      await waitFor(async () => (await t.hub.ctx.db.selectFrom('records').select('id').where('owner_reference', '=', 'BE-AFTER-NUL').execute()).length === 1, 'the next record applied');
      const row = await t.hub.ctx.db.selectFrom('ledger_messages').select(['status', 'raw']).where('message_id', '=', bad.messageId).executeTakeFirstOrThrow();
      expect(row.status).toBe('rejected');
      expect(row.raw.toString('utf8')).toBe(JSON.stringify(bad));
      await waitFor(async () => (await listQueues(vhost.name)).find((q) => q.name === 'tracehub.in.BE')?.messages === 0, 'both acknowledged');
    });

    it('is dead-lettered unread when it is larger than the hub takes', async () => {
      const huge = Buffer.alloc(t.hub.ctx.amqp.settings.maxMessageBytes + 1, 0x20);
      await partner.publish('tracehub.in.BE', huge, { contentType: 'application/json', messageId: 'too-big' });
      const [dead] = await partner.take('tracehub.in.BE.dead', (m) => m.properties.messageId === 'too-big');
      expect(dead!.content.length).toBe(huge.length);
      expect(await t.hub.ctx.db.selectFrom('ledger_messages').select('id').where('size_bytes', '>', t.hub.ctx.amqp.settings.maxMessageBytes).execute()).toHaveLength(0);
    });
  });

  describe('the permissions documented for a country\'s own broker user', () => {
    it('let it publish to its inbound exchange and read its outbound queue, and nothing of another country', async () => {
      const be = amqpTopology(t.hub.ctx.config).partners.find((p) => p.country === 'BE')!;
      const perms = partnerPermissions(be);
      expect(perms).toEqual({ configure: '^$', write: '^(tracehub\\.in\\.BE)$', read: '^(tracehub\\.out\\.BE|tracehub\\.out\\.BE\\.dead|tracehub\\.in\\.BE\\.dead)$' });
      const user = await createUser('be', vhost.name, perms);
      try {
        const refused = async (what: string, fn: (c: PartnerClient) => Promise<unknown>) => {
          const c = await PartnerClient.open(vhost.url({ name: user.name, password: user.password }));
          // A refused publish closes the channel; the reason comes with the channel's error event.
          let closed: Error | undefined;
          c.ch.on('error', (e: Error) => (closed = e));
          try {
            const err = await fn(c).then(() => undefined, (e: unknown) => e);
            expect(err, what).toBeDefined();
            expect(String(closed?.message ?? (err as Error).message), what).toMatch(/ACCESS_REFUSED/);
          } finally {
            await c.close();
          }
        };
        const own = await PartnerClient.open(vhost.url({ name: user.name, password: user.password }));
        try {
          const msg = recordUpsert(BE, 'BE-PERM-1');
          await own.publish('tracehub.in.BE', JSON.stringify(msg), { contentType: 'application/json' });
          await waitFor(() => t.hub.ctx.db.selectFrom('records').select('id').where('owner_reference', '=', 'BE-PERM-1').executeTakeFirst(), 'the record published with the country\'s own user');
          await own.drain('tracehub.out.BE');
        } finally {
          await own.close();
        }
        await refused('publish to another country\'s exchange', (c) => c.publish('lu.registry.to-hub', '{}'));
        await refused('publish through the default exchange', async (c) => {
          c.ch.sendToQueue('tracehub.in.BE', Buffer.from('{}'));
          await c.ch.waitForConfirms();
        });
        await refused('read another country\'s replies', (c) => c.ch.get('lu.registry.from-hub'));
        await refused('declare a queue', (c) => c.ch.assertQueue('mine', { durable: true }));
      } finally {
        await user.delete();
      }
    });
  });
});

describe('a broker that goes away mid-stream', () => {
  it('loses and duplicates nothing: every record is stored and applied exactly once, and replies go out after', async () => {
    const vhost = await createVhost('amqp-outage');
    const config = await configWithPartners(partners);
    const target = new URL(vhost.url());
    const proxy = new TcpProxy(target.hostname, Number(target.port || 5672));
    await proxy.start();
    const viaProxy = new URL(vhost.url());
    viaProxy.port = String(proxy.port);
    const env = testEnvironment('amqp-outage', { amqpUrl: viaProxy.toString(), configDir: config.dir });
    const t = await startTestHub('amqp-outage', {
      env,
      tuneConfig: (c) => {
        c.amqp = { ...c.amqp, prefetch: 100, reconnectInitialMs: 100, reconnectMaxMs: 500, heartbeatSeconds: 5 };
        // Long enough that the replies can only arrive because reconnecting lets them through.
        c.delivery.circuit = { failureThreshold: 2, openSeconds: 3600, maxOpenSeconds: 3600 };
      },
    });
    const partner = await PartnerClient.open(vhost.url());
    try {
      const fr = await t.agency('FR', 'NCB-PARIS');
      const N1 = 1500;
      const N2 = 300;
      const messages = Array.from({ length: N1 + N2 }, (_, i) => recordUpsert(BE, `BE-OUT-${i}`, `OUT${100000 + i}`));
      for (const m of messages.slice(0, N1)) partner.ch.publish('tracehub.in.BE', '', Buffer.from(JSON.stringify(m)), { persistent: true, contentType: 'application/json', messageId: m.messageId });
      await partner.ch.waitForConfirms();
      const stored = () => t.hub.ctx.db.selectFrom('ledger_messages').select((eb) => eb.fn.countAll<string>().as('n')).where('channel', '=', 'amqp').executeTakeFirstOrThrow().then((r) => Number(r.n));
      await waitFor(async () => (await stored()) >= 100, 'the hub to be in the middle of the stream', 30_000, 10);
      proxy.cut();
      expect(await stored()).toBeLessThan(N1);
      await waitFor(() => !t.hub.ctx.amqp.status().connection.connected, 'the hub to notice the broker is gone');
      // The broker keeps taking messages while the hub cannot reach it, and replies pile up.
      for (const m of messages.slice(N1)) partner.ch.publish('tracehub.in.BE', '', Buffer.from(JSON.stringify(m)), { persistent: true, contentType: 'application/json', messageId: m.messageId });
      await partner.ch.waitForConfirms();
      const replies: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await t.hub.app!.inject({ method: 'POST', url: '/v1/messages', headers: { authorization: fr.auth, 'content-type': 'application/json' }, payload: notice(FR, ['BE'], { correlationId: `outage-${i}` }) });
        expect(res.statusCode).toBe(202);
        replies.push(`outage-${i}`);
      }
      await waitFor(async () => (await t.hub.ctx.db.selectFrom('delivery_lanes').select('circuit').where('channel', '=', 'amqp').where('country', '=', 'BE').executeTakeFirst())?.circuit === 'open', 'the replies parked behind an open circuit');
      proxy.restore();

      await waitFor(async () => (await stored()) === N1 + N2, `all ${N1 + N2} messages stored`, 60_000, 200);
      await waitFor(async () => {
        const r = await t.hub.ctx.db.selectFrom('ledger_messages').select((eb) => eb.fn.countAll<string>().as('n')).where('channel', '=', 'amqp').where('status', '=', 'applied').executeTakeFirstOrThrow();
        return Number(r.n) === N1 + N2;
      }, 'all applied', 60_000, 200);
      const ledger = await t.hub.ctx.db.selectFrom('ledger_messages').select(['message_id', 'status']).where('channel', '=', 'amqp').execute();
      expect(new Set(ledger.map((r) => r.message_id)).size).toBe(N1 + N2);
      expect(ledger.every((r) => r.status === 'applied')).toBe(true);
      const records = await t.hub.ctx.db.selectFrom('records').select(['owner_reference', 'version']).where('owner_country', '=', 'BE').execute();
      expect(records).toHaveLength(N1 + N2);
      expect(records.every((r) => r.version === 1)).toBe(true);
      expect(t.hub.ctx.amqp.status().connection.connections).toBeGreaterThanOrEqual(2);
      await waitFor(async () => {
        const q = (await listQueues(vhost.name)).find((x) => x.name === 'tracehub.in.BE');
        return q?.messages === 0 && q.messages_unacknowledged === 0;
      }, 'the inbound queue empty, nothing left unacknowledged');

      // Every reply held during the outage arrives once the broker is back.
      const got = await partner.take('tracehub.out.BE', (m) => replies.includes(String(m.properties.correlationId)), replies.length, 'the replies held during the outage');
      expect(new Set(got.map((m) => m.properties.correlationId)).size).toBe(replies.length);
      await waitFor(async () => (await t.hub.ctx.db.selectFrom('outbox').select('status').where('correlation_id', 'in', replies).execute()).every((r) => r.status === 'delivered'), 'the replies marked delivered');
    } finally {
      proxy.restore();
      await partner.close();
      await t.stop();
      await proxy.stop();
      await vhost.delete();
      await config.remove();
      await cleanEnvironment(env);
    }
  });

  it('holds messages unacknowledged while the database is unreachable, and stores and acknowledges them once it is back', async () => {
    const vhost = await createVhost('amqp-db-outage');
    const config = await configWithPartners(partners);
    const direct = testEnvironment('amqp-db-outage', { amqpUrl: vhost.url(), configDir: config.dir });
    const pgUrl = new URL(direct.databaseUrl);
    const proxy = new TcpProxy(pgUrl.hostname, Number(pgUrl.port || 5432));
    await proxy.start();
    const viaProxy = new URL(direct.databaseUrl);
    viaProxy.port = String(proxy.port);
    const t = await startTestHub('amqp-db-outage', { env: { ...direct, databaseUrl: viaProxy.toString() }, tuneConfig: (c) => (c.amqp = { ...c.amqp, prefetch: 20 }) });
    const partner = await PartnerClient.open(vhost.url());
    // The test reads the database directly, not through the proxy it cuts.
    const { default: pg } = await import('pg');
    const check = new pg.Client({ connectionString: direct.databaseUrl, options: `-c search_path=${direct.databaseSchema}` });
    await check.connect();
    try {
      proxy.cut();
      const msgs = Array.from({ length: 30 }, (_, i) => recordUpsert(BE, `BE-DB-${i}`, `DBO${1000 + i}`));
      for (const m of msgs) partner.ch.publish('tracehub.in.BE', '', Buffer.from(JSON.stringify(m)), { persistent: true, contentType: 'application/json' });
      await partner.ch.waitForConfirms();
      const held = await waitFor(async () => {
        const q = (await listQueues(vhost.name)).find((x) => x.name === 'tracehub.in.BE');
        return q && q.messages_unacknowledged === 20 ? q : undefined;
      }, 'the prefetch window held unacknowledged');
      expect(held.messages).toBe(30);
      await new Promise((r) => setTimeout(r, 1000));
      expect((await check.query(`select count(*)::int as n from ledger_messages`)).rows[0].n).toBe(0);
      expect((await listQueues(vhost.name)).find((x) => x.name === 'tracehub.in.BE')!.messages).toBe(30);

      proxy.restore();
      await waitFor(async () => (await check.query(`select count(*)::int as n from records where owner_country = 'BE'`)).rows[0].n === 30, 'all 30 applied once the database is back', 30_000, 200);
      await waitFor(async () => (await listQueues(vhost.name)).find((x) => x.name === 'tracehub.in.BE')?.messages === 0, 'all acknowledged');
      expect((await check.query(`select count(*)::int as n from ledger_messages`)).rows[0].n).toBe(30);
    } finally {
      proxy.restore();
      await check.end();
      await partner.close();
      await t.stop();
      await proxy.stop();
      await vhost.delete();
      await config.remove();
      await cleanEnvironment(direct);
    }
  });

  it('stopping the hub mid-stream finishes what it holds; the next start takes the rest, none twice', async () => {
    const vhost = await createVhost('amqp-stop');
    const config = await configWithPartners(partners);
    const env = testEnvironment('amqp-stop', { amqpUrl: vhost.url(), configDir: config.dir });
    const partner = await PartnerClient.open(vhost.url());
    let t = await startTestHub('amqp-stop', { env, tuneConfig: (c) => (c.amqp = { ...c.amqp, prefetch: 200 }) });
    try {
      const N = 1000;
      for (let i = 0; i < N; i++) {
        const m = recordUpsert(BE, `BE-STOP-${i}`, `STP${100000 + i}`);
        partner.ch.publish('tracehub.in.BE', '', Buffer.from(JSON.stringify(m)), { persistent: true, contentType: 'application/json' });
      }
      await partner.ch.waitForConfirms();
      const stored = async () => Number((await t.hub.ctx.db.selectFrom('ledger_messages').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
      await waitFor(async () => (await stored()) >= 50, 'some messages stored', 30_000, 10);
      await t.hub.stop();
      const afterStop = (await listQueues(vhost.name)).find((q) => q.name === 'tracehub.in.BE')!;
      expect(afterStop.messages_unacknowledged).toBe(0);
      t = await startTestHub('amqp-stop-2', { env, tuneConfig: (c) => (c.amqp = { ...c.amqp, prefetch: 200 }) });
      await waitFor(async () => (await stored()) === N, `all ${N} stored`, 60_000, 100);
      await waitFor(async () => Number((await t.hub.ctx.db.selectFrom('records').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n) === N, 'all applied', 60_000, 100);
      const dupes = await t.hub.ctx.db.selectFrom('ledger_messages').select('message_id').groupBy('message_id').having((eb) => eb.fn.countAll(), '>', 1).execute();
      expect(dupes).toEqual([]);
    } finally {
      await partner.close();
      await t.stop();
      await vhost.delete();
      await config.remove();
      await cleanEnvironment(env);
    }
  });
});
