import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartnerConfig } from '../../src/messages/generated-types.js';
import { notice, startTestHub, type TestHub } from '../support/test-hub.js';
import { waitFor } from '../support/test-environment.js';
import { configWithPartners } from '../support/partner-config.js';
import { WebhookEndpoint } from '../support/webhook-endpoint.js';

/**
 * What an administrator sees of deliveries and can do about them: attempts, last error and next
 * attempt on every delivery, exponential backoff between attempts, dead after the limit, and
 * requeueing one or many by filter, audited.
 */
const FR = { country: 'FR', agency: 'NCB-PARIS' };

const nlPartner = (url: string): PartnerConfig => ({
  country: 'NL',
  name: 'Netherlands',
  ncb: { agency: 'NCB-NL', name: 'INTERPOL NCB The Hague' },
  inbound: [{ channel: 'rest', format: 'canonical-json' }],
  replies: { channel: 'webhook', format: 'canonical-json' },
  webhook: { url, secretEnv: 'TRACEHUB_WEBHOOK_SECRET_NL' },
});

interface DeliveryItem {
  id: string;
  seq: string;
  status: string;
  attempts: number;
  lastError: string | null;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  correlationId: string;
  recipient: { country: string };
  channel: string;
}

let t: TestHub;
let nl: WebhookEndpoint;
let config: { dir: string; remove(): Promise<void> };
let fr: { auth: string };
let admin: { auth: string };

beforeAll(async () => {
  nl = new WebhookEndpoint();
  await nl.open();
  // Everything tagged "refuse" is refused until the test says otherwise.
  nl.respond = (r) => (String(r.headers['x-tracehub-correlation-id']).startsWith('refuse') ? { status: 422, body: 'schema version not supported' } : { status: 204 });
  config = await configWithPartners([nlPartner(nl.url)]);
  t = await startTestHub('delivery-admin', {
    envOverrides: { configDir: config.dir },
    secretOf: () => 'admin-secret',
    tuneConfig: (c) => {
      c.delivery.attempts = 3;
      c.delivery.backoffMs = 150;
      c.delivery.maxBackoffMs = 200;
      c.delivery.circuit = { failureThreshold: 100, openSeconds: 1, maxOpenSeconds: 1 };
    },
  });
  fr = await t.agency('FR', 'NCB-PARIS');
  admin = await t.agency(null, 'HUB-OPS');
});
afterAll(async () => {
  await t?.stop();
  await nl?.close();
  await config?.remove();
});

const get = async (url: string, auth = admin.auth) => t.hub.app!.inject({ method: 'GET', url, headers: { authorization: auth } });
const requeue = (payload: Record<string, unknown>) => t.hub.app!.inject({ method: 'POST', url: '/v1/admin/deliveries/requeue', headers: { authorization: admin.auth }, payload });

async function send(to: string[], correlationId: string) {
  const res = await t.hub.app!.inject({ method: 'POST', url: '/v1/messages', headers: { authorization: fr.auth, 'content-type': 'application/json' }, payload: notice(FR, to, { correlationId }) });
  expect(res.statusCode).toBe(202);
}

async function deliveriesOf(correlationId: string): Promise<DeliveryItem[]> {
  return (await get(`/v1/admin/deliveries?correlationId=${correlationId}`)).json().items;
}

describe('a failing delivery', () => {
  it('shows its attempts, last error and next attempt, backing off exponentially up to the cap, and is dead after the limit', async () => {
    await send(['NL'], 'refuse-1');
    const first = await waitFor(async () => (await deliveriesOf('refuse-1')).find((d) => d.attempts === 1), 'the first failed attempt');
    expect(first).toMatchObject({ status: 'failed', channel: 'webhook', recipient: { country: 'NL' } });
    expect(first.lastError).toBe(`HTTP 422 from ${nl.url}: schema version not supported`);
    expect(new Date(first.nextAttemptAt!).getTime() - new Date(first.lastAttemptAt!).getTime()).toBe(150);
    const second = await waitFor(async () => (await deliveriesOf('refuse-1')).find((d) => d.attempts === 2), 'the second failed attempt');
    // 150 ms doubled is 300, capped at maxBackoffMs.
    expect(new Date(second.nextAttemptAt!).getTime() - new Date(second.lastAttemptAt!).getTime()).toBe(200);
    const dead = await waitFor(async () => (await deliveriesOf('refuse-1')).find((d) => d.status === 'dead'), 'the delivery to be dead');
    expect(dead).toMatchObject({ attempts: 3, nextAttemptAt: null });
    expect(nl.for('refuse-1')).toHaveLength(3);
  });
});

describe('the delivery list', () => {
  it('filters by status, country, channel and conversation, newest first, a page at a time', async () => {
    for (const c of ['list-1', 'list-2', 'list-3']) await send(['NL', 'DE'], c);
    await waitFor(async () => (await get('/v1/admin/deliveries?status=delivered&channel=webhook&limit=1000')).json().items.filter((d: DeliveryItem) => d.correlationId.startsWith('list-')).length === 3, 'three webhook deliveries');
    const rest = (await get('/v1/admin/deliveries?country=DE&channel=rest&limit=1000')).json().items as DeliveryItem[];
    expect(rest.filter((d) => d.correlationId.startsWith('list-'))).toHaveLength(3);
    expect(rest.every((d) => d.recipient.country === 'DE' && d.channel === 'rest')).toBe(true);

    const page1 = (await get('/v1/admin/deliveries?country=NL&limit=2')).json();
    expect(page1.items).toHaveLength(2);
    expect(BigInt(page1.items[0].seq)).toBeGreaterThan(BigInt(page1.items[1].seq));
    const page2 = (await get(`/v1/admin/deliveries?country=NL&limit=2&before=${page1.next}`)).json();
    expect(BigInt(page2.items[0].seq)).toBeLessThan(BigInt(page1.items[1].seq));

    expect((await get('/v1/admin/deliveries?status=lost')).statusCode).toBe(400);
    expect((await get('/v1/admin/deliveries', fr.auth)).statusCode).toBe(403);
  });
});

describe('requeueing', () => {
  it('sends every dead delivery matching a filter again, once, with an audit entry', async () => {
    for (const c of ['refuse-bulk-1', 'refuse-bulk-2', 'refuse-bulk-3']) await send(['NL'], c);
    await waitFor(async () => (await get('/v1/admin/deliveries?status=dead&country=NL&limit=1000')).json().items.filter((d: DeliveryItem) => d.correlationId.startsWith('refuse-bulk')).length === 3, 'three dead deliveries');

    const refused = await requeue({ filter: { country: 'NL' }, reason: 'no status' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors[0]).toMatchObject({ pointer: '/body/filter/status' });
    expect((await requeue({ ids: ['00000000-0000-7000-8000-000000000000'], filter: { status: 'dead' }, reason: 'both' })).statusCode).toBe(400);

    // The partner fixed its side: it takes them now.
    nl.respond = () => ({ status: 204 });
    const res = await requeue({ filter: { status: 'dead', country: 'NL', channel: 'webhook' }, reason: 'NL upgraded its schema version' });
    expect(res.statusCode).toBe(200);
    // refuse-1 from the first test is dead too and matches the filter.
    expect(res.json().requeued).toBe(4);
    await waitFor(async () => {
      const items = (await get('/v1/admin/deliveries?country=NL&limit=1000')).json().items as DeliveryItem[];
      return items.filter((d) => d.correlationId.startsWith('refuse')).every((d) => d.status === 'delivered');
    }, 'the requeued deliveries to land');
    const again = await requeue({ filter: { status: 'dead', country: 'NL' }, reason: 'pressed twice' });
    expect(again.json().requeued).toBe(0);
    const audit = (await get('/v1/admin/audit')).json().items.filter((a: { action: string }) => a.action === 'delivery.requeue');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'hub/HUB-OPS', detail: { reason: 'NL upgraded its schema version' } });
    expect(audit[0].detail.ids).toHaveLength(4);
  });
});
