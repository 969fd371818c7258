import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchemaDocument } from '../../src/messages/schema-catalog.js';
import type { MessageHandler } from '../../src/pipeline/message-handler.js';
import type { PartnerConfig } from '../../src/messages/generated-types.js';
import { notice, startTestHub, type TestHub } from '../support/test-hub.js';
import { waitFor } from '../support/test-environment.js';
import { configWithPartners } from '../support/partner-config.js';
import { WebhookEndpoint, type ReceivedRequest } from '../support/webhook-endpoint.js';

/**
 * Order where the domain needs it: the messages of one conversation (one correlation id, as a
 * trace request's events) reach the partner in the order the hub produced them, even when an
 * earlier one has to be retried; other conversations to the same partner do not wait for it.
 */
const FR = { country: 'FR', agency: 'NCB-PARIS' };

/** A test-only message type whose handler routes `count` messages of one conversation to NL. */
const burstSchema: SchemaDocument = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:tracehub:schema:test.burst',
  'x-tracehub': { direction: 'inbound' },
  type: 'object',
  required: ['count', 'tag'],
  additionalProperties: false,
  properties: { count: { type: 'integer', minimum: 1, maximum: 50 }, tag: { type: 'string' } },
};
const burstHandler: MessageHandler<{ count: number; tag: string }> = {
  type: 'test.burst',
  async apply(ctx, message) {
    const { count, tag } = message.envelope.payload;
    for (let i = 0; i < count; i++) ctx.route({ country: 'NL' }, 'hub.notice', { to: [{ country: 'NL' }], subject: `${tag}-${i}`, body: `event ${i} of ${tag}` });
  },
};

const nlPartner = (url: string): PartnerConfig => ({
  country: 'NL',
  name: 'Netherlands',
  ncb: { agency: 'NCB-NL', name: 'INTERPOL NCB The Hague' },
  inbound: [{ channel: 'rest', format: 'canonical-json' }],
  replies: { channel: 'webhook', format: 'canonical-json' },
  webhook: { url, secretEnv: 'TRACEHUB_WEBHOOK_SECRET_NL' },
});

let t: TestHub;
let nl: WebhookEndpoint;
let config: { dir: string; remove(): Promise<void> };
let fr: { auth: string };

beforeAll(async () => {
  nl = new WebhookEndpoint();
  await nl.open();
  config = await configWithPartners([nlPartner(nl.url)]);
  t = await startTestHub('delivery-order', {
    envOverrides: { configDir: config.dir },
    handlers: [burstHandler as MessageHandler<never>],
    extraSchemas: [burstSchema],
    secretOf: () => 'order-secret',
    tuneConfig: (c) => {
      c.delivery.backoffMs = 300;
      c.delivery.circuit = { failureThreshold: 100, openSeconds: 1, maxOpenSeconds: 1 };
    },
  });
  fr = await t.agency('FR', 'NCB-PARIS');
});
afterAll(async () => {
  await t?.stop();
  await nl?.close();
  await config?.remove();
});

const subject = (r: ReceivedRequest) => (JSON.parse(r.body.toString('utf8')) as { payload: { subject: string } }).payload.subject;

async function post(body: Record<string, unknown>) {
  const res = await t.hub.app!.inject({ method: 'POST', url: '/v1/messages', headers: { authorization: fr.auth, 'content-type': 'application/json' }, payload: body });
  expect(res.statusCode).toBe(202);
}

describe("a conversation's messages to one partner", () => {
  it('arrive in the order they were produced', async () => {
    await post({ messageId: 'burst-in-order', type: 'test.burst', sender: FR, sentAt: new Date().toISOString(), correlationId: 'conv-ordered', payload: { count: 8, tag: 'O' } });
    await waitFor(() => nl.for('conv-ordered').length === 8, 'eight deliveries');
    expect(nl.for('conv-ordered').map(subject)).toEqual(['O-0', 'O-1', 'O-2', 'O-3', 'O-4', 'O-5', 'O-6', 'O-7']);
  });

  it('wait behind an earlier one that is being retried, while another conversation goes ahead', async () => {
    // The partner refuses A-0 until B (another conversation, sent later) has reached it.
    nl.respond = (r) => (subject(r) === 'A-0' && nl.for('conv-B').length === 0 ? { status: 409, body: 'try again' } : { status: 204 });
    try {
      await post({ messageId: 'burst-a', type: 'test.burst', sender: FR, sentAt: new Date().toISOString(), correlationId: 'conv-A', payload: { count: 3, tag: 'A' } });
      await waitFor(() => nl.for('conv-A').length >= 1, 'the first attempt of A-0');
      await post(notice(FR, ['NL'], { correlationId: 'conv-B' }, { subject: 'B-0' }));
      await waitFor(() => nl.for('conv-A').filter((r) => subject(r) === 'A-2').length === 1, 'A-2 delivered', 30_000);
      const a = nl.for('conv-A').map(subject);
      // A-0 as often as it took, then: never A-1 before A-0 went through.
      expect(a.slice(-3)).toEqual(['A-0', 'A-1', 'A-2']);
      expect(a.slice(0, -2).every((x) => x === 'A-0')).toBe(true);
      expect(a.length).toBeGreaterThanOrEqual(4);
      // B went ahead while A waited: it arrived before A-0's successful attempt.
      const b = nl.for('conv-B')[0]!;
      const a0ok = nl.for('conv-A').at(-3)!;
      expect(b.at).toBeLessThanOrEqual(a0ok.at);
      const rows = await t.hub.ctx.db.selectFrom('outbox').select(['status', 'attempts']).where('correlation_id', '=', 'conv-A').orderBy('seq').execute();
      expect(rows.map((r) => r.status)).toEqual(['delivered', 'delivered', 'delivered']);
      expect(rows.map((r) => r.attempts)).toEqual([a.length - 2, 1, 1]);
    } finally {
      nl.respond = () => ({ status: 204 });
    }
  });
});
