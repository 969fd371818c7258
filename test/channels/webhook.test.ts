import { createHmac } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../adapters/channels/webhook-signature.js';
import { ConfigError } from '../../src/config/config-error.js';
import { Hub } from '../../src/hub.js';
import type { PartnerConfig } from '../../src/messages/generated-types.js';
import { notice, startTestHub, type TestHub } from '../support/test-hub.js';
import { testEnvironment, waitFor } from '../support/test-environment.js';
import { configWithPartners } from '../support/partner-config.js';
import { WebhookEndpoint } from '../support/webhook-endpoint.js';

/**
 * Webhooks out, to a real HTTP server on loopback standing in for the partner: every reply is
 * POSTed in the partner's format, signed with HMAC-SHA256 over timestamp and body using a secret
 * that only the environment holds, and retried with backoff until the partner takes it.
 */
const FR = { country: 'FR', agency: 'NCB-PARIS' };
const SECRETS: Record<string, string> = {
  TRACEHUB_WEBHOOK_SECRET_NL: 'nl-shared-secret-0123456789',
  TRACEHUB_WEBHOOK_SECRET_PT: 'pt-shared-secret-9876543210',
  TRACEHUB_WEBHOOK_SECRET_BE: 'be-shared-secret-5555555555',
};

/** Belgium's gateway takes notices as CSV in Windows-1252. */
const BE_NOTICES = {
  name: 'csv-be-notices',
  type: 'hub.notice',
  csv: { header: true, encoding: 'windows-1252' },
  fields: { '/to/*/country': { column: 'To', split: ';' }, '/subject': { column: 'Subject' }, '/body': { column: 'Body' } },
};

function webhookPartner(country: string, name: string, url: string, format: string): PartnerConfig {
  return {
    country,
    name,
    ncb: { agency: `NCB-${country}`, name: `INTERPOL NCB ${name}` },
    inbound: [{ channel: 'rest', format: 'canonical-json' }],
    replies: { channel: 'webhook', format },
    webhook: { url, secretEnv: `TRACEHUB_WEBHOOK_SECRET_${country}`, headers: { 'x-gateway': `${country.toLowerCase()}-gw` } },
  };
}

let t: TestHub;
let nl: WebhookEndpoint;
let pt: WebhookEndpoint;
let be: WebhookEndpoint;
let config: { dir: string; remove(): Promise<void> };
let fr: { auth: string };
let admin: { auth: string };

beforeAll(async () => {
  nl = new WebhookEndpoint();
  pt = new WebhookEndpoint();
  await nl.open();
  await pt.open();
  be = new WebhookEndpoint();
  await be.open();
  config = await configWithPartners([
    webhookPartner('NL', 'Netherlands', nl.url, 'canonical-json'),
    webhookPartner('PT', 'Portugal', pt.url, 'canonical-xml'),
    webhookPartner('BE', 'Belgium', be.url, BE_NOTICES.name),
  ]);
  await writeFile(join(config.dir, 'formats', `${BE_NOTICES.name}.json`), JSON.stringify(BE_NOTICES));
  t = await startTestHub('webhook', {
    envOverrides: { configDir: config.dir },
    secretOf: (name) => SECRETS[name],
    tuneConfig: (c) => {
      c.delivery.attempts = 4;
      c.delivery.backoffMs = 100;
      // These tests are about single deliveries; the circuit breaker has a file of its own.
      c.delivery.circuit = { failureThreshold: 100, openSeconds: 1, maxOpenSeconds: 1 };
    },
  });
  fr = await t.agency('FR', 'NCB-PARIS');
  admin = await t.agency(null, 'HUB-OPS');
});
afterAll(async () => {
  await t?.stop();
  await nl?.close();
  await pt?.close();
  await be?.close();
  await config?.remove();
});

async function send(to: string[], correlationId: string) {
  const res = await t.hub.app!.inject({ method: 'POST', url: '/v1/messages', headers: { authorization: fr.auth, 'content-type': 'application/json' }, payload: notice(FR, to, { correlationId }) });
  expect(res.statusCode).toBe(202);
  return res.json() as { ledgerId: string };
}

async function outboxRow(correlationId: string, country: string) {
  return t.hub.ctx.db.selectFrom('outbox').selectAll().where('correlation_id', '=', correlationId).where('recipient_country', '=', country).executeTakeFirst();
}

describe('a reply to a webhook partner', () => {
  it('is POSTed in the partner\'s format, signed with HMAC-SHA256 over timestamp and body', async () => {
    await send(['NL'], 'wh-signed');
    const [req] = await waitFor(() => (nl.for('wh-signed').length ? nl.for('wh-signed') : undefined), 'the POST to NL');
    expect(req!.method).toBe('POST');
    expect(req!.url).toBe('/hooks/tracehub');
    const ts = req!.headers['x-tracehub-timestamp'] as string;
    const sig = req!.headers['x-tracehub-signature'] as string;
    // Computed here from the secret, independently of the hub's code.
    const expected = `sha256=${createHmac('sha256', SECRETS.TRACEHUB_WEBHOOK_SECRET_NL!).update(`${ts}.`).update(req!.body).digest('hex')}`;
    expect(sig).toBe(expected);
    expect(Math.abs(Date.now() / 1000 - Number(ts))).toBeLessThan(120);
    expect(verifyWebhookSignature(SECRETS.TRACEHUB_WEBHOOK_SECRET_NL!, { timestamp: ts, signature: sig }, req!.body)).toEqual({ ok: true });
    expect(verifyWebhookSignature('another-secret', { timestamp: ts, signature: sig }, req!.body)).toEqual({ ok: false, reason: 'signature does not match' });

    const envelope = JSON.parse(req!.body.toString('utf8'));
    expect(envelope).toMatchObject({ type: 'hub.notice', sender: FR, correlationId: 'wh-signed', payload: { subject: 'Stolen pistol' } });
    const row = await waitFor(async () => {
      const r = await outboxRow('wh-signed', 'NL');
      return r?.status === 'delivered' ? r : undefined;
    }, 'the delivery marked delivered');
    expect(req!.headers).toMatchObject({
      'content-type': 'application/json',
      'x-tracehub-message-id': envelope.messageId,
      'x-tracehub-type': 'hub.notice',
      'x-tracehub-correlation-id': 'wh-signed',
      'x-tracehub-delivery': row.id,
      'x-gateway': 'nl-gw',
    });
    expect(row).toMatchObject({ channel: 'webhook', attempts: 1, last_error: null });
  });

  it('goes as the hub XML form to a partner that wants XML', async () => {
    await send(['PT'], 'wh-xml');
    const [req] = await waitFor(() => (pt.for('wh-xml').length ? pt.for('wh-xml') : undefined), 'the POST to PT');
    expect(req!.headers['content-type']).toBe('application/xml');
    expect(req!.body.toString('utf8')).toMatch(/^<\?xml[^>]*>\s*<message xmlns="urn:tracehub:message:1">/);
    const ts = req!.headers['x-tracehub-timestamp'] as string;
    expect(verifyWebhookSignature(SECRETS.TRACEHUB_WEBHOOK_SECRET_PT!, { timestamp: ts, signature: req!.headers['x-tracehub-signature'] as string }, req!.body)).toEqual({ ok: true });
  });

  it('is retried with exponential backoff while the partner answers 503, and delivered once it answers 2xx', async () => {
    let failuresLeft = 2;
    nl.respond = (r) => (r.headers['x-tracehub-correlation-id'] === 'wh-retry' && failuresLeft-- > 0 ? { status: 503, body: 'maintenance' } : { status: 202 });
    try {
      await send(['NL'], 'wh-retry');
      const row = await waitFor(async () => {
        const r = await outboxRow('wh-retry', 'NL');
        return r?.status === 'delivered' ? r : undefined;
      }, 'the delivery after two 503s');
      const posts = nl.for('wh-retry');
      expect(posts).toHaveLength(3);
      expect(row.attempts).toBe(3);
      // 100 ms after the first failure, 200 ms after the second (with the scheduling's own delay on top).
      expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(100);
      expect(posts[2]!.at - posts[1]!.at).toBeGreaterThanOrEqual(200);
      // Every attempt is the same message: same delivery id and message id, so the partner can drop a repeat.
      expect(new Set(posts.map((p) => `${p.headers['x-tracehub-delivery']}|${p.headers['x-tracehub-message-id']}`)).size).toBe(1);
    } finally {
      nl.respond = () => ({ status: 204 });
    }
  });

  it('that the partner refuses (400) fails with its answer, is dead after the attempts, and can be requeued', async () => {
    nl.respond = (r) => (r.headers['x-tracehub-correlation-id'] === 'wh-refused' ? { status: 400, body: 'unknown recipient agency' } : { status: 204 });
    try {
      await send(['NL'], 'wh-refused');
      const dead = await waitFor(async () => {
        const v = (await t.hub.app!.inject({ method: 'GET', url: '/v1/admin/deliveries?correlationId=wh-refused', headers: { authorization: admin.auth } })).json();
        return v.items[0]?.status === 'dead' ? v.items[0] : undefined;
      }, 'the delivery to be dead');
      expect(dead).toMatchObject({ channel: 'webhook', recipient: { country: 'NL', agency: null }, attempts: 4, nextAttemptAt: null });
      expect(dead.lastError).toBe(`HTTP 400 from ${nl.url}: unknown recipient agency`);
      expect(nl.for('wh-refused')).toHaveLength(4);

      nl.respond = () => ({ status: 204 });
      const requeue = await t.hub.app!.inject({ method: 'POST', url: '/v1/admin/deliveries/requeue', headers: { authorization: admin.auth }, payload: { ids: [dead.id], reason: 'NL added the agency' } });
      expect(requeue.json()).toEqual({ requeued: 1, ids: [dead.id], notRequeued: [], more: false });
      await waitFor(async () => (await outboxRow('wh-refused', 'NL'))?.status === 'delivered', 'the requeued delivery to land');
      expect(nl.for('wh-refused')).toHaveLength(5);
    } finally {
      nl.respond = () => ({ status: 204 });
    }
  });
});

describe('a reply to a partner whose format names an encoding', () => {
  async function sendNotice(subject: string, correlationId: string) {
    const res = await t.hub.app!.inject({ method: 'POST', url: '/v1/messages', headers: { authorization: fr.auth, 'content-type': 'application/json' }, payload: notice(FR, ['BE'], { correlationId }, { subject }) });
    expect(res.statusCode).toBe(202);
  }

  it('is written in it', async () => {
    await sendNotice('Pistolet volé à Liège', 'wh-be-latin');
    const [request] = await waitFor(async () => (be.for('wh-be-latin').length ? be.for('wh-be-latin') : undefined), 'the CSV notice at the Belgian gateway');
    expect(request!.headers['content-type']).toBe('text/csv');
    expect(request!.body.includes(Buffer.from('volé à Liège', 'latin1'))).toBe(true);
  });

  it('is dead at the first attempt, naming the character, when the encoding cannot carry it: trying again would change nothing', async () => {
    await sendNotice('Česká zbrojovka CZ 75', 'wh-be-czech');
    const dead = await waitFor(async () => {
      const v = (await t.hub.app!.inject({ method: 'GET', url: '/v1/admin/deliveries?correlationId=wh-be-czech', headers: { authorization: admin.auth } })).json();
      return v.items[0]?.status === 'dead' ? v.items[0] : undefined;
    }, 'the delivery to be dead');
    expect(dead).toMatchObject({ channel: 'webhook', recipient: { country: 'BE', agency: null }, attempts: 1, nextAttemptAt: null });
    expect(dead.lastError).toBe('cannot render as csv-be-notices: "Č" (U+010C) has no byte in windows-1252');
    expect(be.for('wh-be-czech')).toHaveLength(0);
  });
});

describe('starting without the signing secret', () => {
  it('stops with the file, the field and the variable to set', async () => {
    const err = await Hub.create({ env: testEnvironment('wh-secret', { configDir: config.dir }), migrate: false, secretOf: (name) => (name === 'TRACEHUB_WEBHOOK_SECRET_NL' ? undefined : SECRETS[name]) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain('partners/NL.json');
    expect((err as Error).message).toContain('/webhook/secretEnv: the environment variable TRACEHUB_WEBHOOK_SECRET_NL is not set');
  });
});
