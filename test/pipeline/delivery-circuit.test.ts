import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubConfig, PartnerConfig } from '../../src/messages/generated-types.js';
import { notice, startTestHub, type TestHub } from '../support/test-hub.js';
import { waitFor } from '../support/test-environment.js';
import { configWithPartners } from '../support/partner-config.js';
import { WebhookEndpoint } from '../support/webhook-endpoint.js';

/**
 * The per-partner circuit breaker: while a partner's endpoint is down its deliveries are parked
 * instead of spending their attempts; when the open time is up one delivery probes the endpoint,
 * and once it answers the rest follow. Admins see the state and can let a probe through at once.
 */
const FR = { country: 'FR', agency: 'NCB-PARIS' };
const SECRET = { TRACEHUB_WEBHOOK_SECRET_NL: 'nl-secret-for-circuit-tests' };

function nlPartner(url: string): PartnerConfig {
  return {
    country: 'NL',
    name: 'Netherlands',
    ncb: { agency: 'NCB-NL', name: 'INTERPOL NCB The Hague' },
    inbound: [{ channel: 'rest', format: 'canonical-json' }],
    replies: { channel: 'webhook', format: 'canonical-json' },
    webhook: { url, secretEnv: 'TRACEHUB_WEBHOOK_SECRET_NL', timeoutMs: 2000 },
  };
}

interface Setup {
  t: TestHub;
  nl: WebhookEndpoint;
  fr: { auth: string };
  admin: { auth: string };
  done(): Promise<void>;
}

async function setup(label: string, circuit: NonNullable<HubConfig['delivery']['circuit']>): Promise<Setup> {
  const nl = new WebhookEndpoint();
  await nl.open();
  const config = await configWithPartners([nlPartner(nl.url)]);
  const t = await startTestHub(label, {
    envOverrides: { configDir: config.dir },
    secretOf: (n) => SECRET[n as keyof typeof SECRET],
    tuneConfig: (c) => {
      c.delivery.attempts = 10;
      c.delivery.backoffMs = 100;
      c.delivery.circuit = circuit;
    },
  });
  const fr = await t.agency('FR', 'NCB-PARIS');
  const admin = await t.agency(null, 'HUB-OPS');
  return {
    t,
    nl,
    fr,
    admin,
    async done() {
      await t.stop();
      await nl.close();
      await config.remove();
    },
  };
}

async function sendNotices(s: Setup, tag: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await s.t.hub.app!.inject({ method: 'POST', url: '/v1/messages', headers: { authorization: s.fr.auth, 'content-type': 'application/json' }, payload: notice(FR, ['NL'], { correlationId: `${tag}-${i}` }) });
    expect(res.statusCode).toBe(202);
    ids.push(`${tag}-${i}`);
  }
  return ids;
}

async function circuitOf(s: Setup) {
  const res = await s.t.hub.app!.inject({ method: 'GET', url: '/v1/admin/deliveries/circuits?channel=webhook&country=NL', headers: { authorization: s.admin.auth } });
  expect(res.statusCode).toBe(200);
  return res.json().items[0] as { circuit: string; failures: number; retryAt: string | null; openedAt: string | null; lastError: string | null; lastSuccessAt: string | null; waiting: number } | undefined;
}

async function deliveries(s: Setup, correlationIds: string[]) {
  return s.t.hub.ctx.db.selectFrom('outbox').select(['id', 'status', 'attempts', 'next_attempt_at', 'last_error']).where('correlation_id', 'in', correlationIds).execute();
}

describe('a partner whose endpoint goes down', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup('circuit', { failureThreshold: 2, openSeconds: 0.5, maxOpenSeconds: 1 });
  });
  afterAll(() => s?.done());

  it('has its deliveries parked, attempts unspent, until a probe finds it back; then all of them are delivered', async () => {
    await s.nl.close();
    const tags = await sendNotices(s, 'down', 5);
    const open = await waitFor(async () => {
      const c = await circuitOf(s);
      return c?.circuit === 'open' ? c : undefined;
    }, 'the circuit to open');
    expect(open.failures).toBeGreaterThanOrEqual(2);
    expect(open.lastError).toMatch(/ECONNREFUSED/);
    expect(new Date(open.retryAt!).getTime()).toBeGreaterThan(new Date(open.openedAt!).getTime());
    // Each notice is applied as it arrives, so its delivery job may still be on its way to the open circuit.
    await waitFor(async () => {
      const rows = await deliveries(s, tags);
      return rows.length === 5 && rows.every((r) => r.next_attempt_at !== null);
    }, 'all five in the outbox, each seen by the deliverer');

    // While open: every delivery waits for the circuit, and spends no attempts on the dead endpoint.
    const parked = await deliveries(s, tags);
    const spent = parked.reduce((n, r) => n + r.attempts, 0);
    // Each round that found the endpoint down tried one delivery; the circuit opened after two.
    expect(spent).toBeLessThanOrEqual(2);
    expect(parked.every((r) => r.status === 'pending' || r.status === 'failed')).toBe(true);
    expect(parked.every((r) => r.next_attempt_at !== null)).toBe(true);

    // Several open periods and failed probes pass; still no attempts spent.
    await new Promise((r) => setTimeout(r, 2500));
    const later = await deliveries(s, tags);
    expect(later.reduce((n, r) => n + r.attempts, 0)).toBe(spent);
    expect(later.some((r) => /ECONNREFUSED/.test(r.last_error ?? ''))).toBe(true);
    expect((await circuitOf(s))?.circuit).toMatch(/open|half_open/);

    await s.nl.open();
    await waitFor(async () => (await deliveries(s, tags)).every((r) => r.status === 'delivered'), 'everything delivered once the endpoint is back', 20_000);
    const closed = await circuitOf(s);
    expect(closed).toMatchObject({ circuit: 'closed', failures: 0, retryAt: null, waiting: 0 });
    expect(closed!.lastSuccessAt).not.toBeNull();
    const delivered = await deliveries(s, tags);
    expect(delivered.every((r) => r.attempts <= spent + 1)).toBe(true);
    expect(new Set(s.nl.received.map((r) => r.headers['x-tracehub-correlation-id'])).size).toBe(5);
  });
});

describe('an admin who knows the partner is back', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup('circuit-probe', { failureThreshold: 1, openSeconds: 3600, maxOpenSeconds: 3600 });
  });
  afterAll(() => s?.done());

  it('lets the probe through at once instead of waiting for the open time', async () => {
    await s.nl.close();
    const tags = await sendNotices(s, 'probe', 3);
    const open = await waitFor(async () => {
      const c = await circuitOf(s);
      return c?.circuit === 'open' ? c : undefined;
    }, 'the circuit to open');
    expect(new Date(open.retryAt!).getTime() - Date.now()).toBeGreaterThan(3000 * 1000);
    await waitFor(async () => (await circuitOf(s))?.waiting === 3, 'all three waiting');
    await s.nl.open();

    const forbidden = await s.t.hub.app!.inject({ method: 'POST', url: '/v1/admin/deliveries/circuits/webhook/NL/probe', headers: { authorization: s.fr.auth } });
    expect(forbidden.statusCode).toBe(403);
    const unknown = await s.t.hub.app!.inject({ method: 'POST', url: '/v1/admin/deliveries/circuits/fax/NL/probe', headers: { authorization: s.admin.auth } });
    expect(unknown.statusCode).toBe(404);
    const probe = await s.t.hub.app!.inject({ method: 'POST', url: '/v1/admin/deliveries/circuits/webhook/NL/probe', headers: { authorization: s.admin.auth } });
    expect(probe.statusCode).toBe(200);
    await waitFor(async () => (await deliveries(s, tags)).every((r) => r.status === 'delivered'), 'delivered after the probe');
    expect((await circuitOf(s))?.circuit).toBe('closed');
    const audit = (await s.t.hub.app!.inject({ method: 'GET', url: '/v1/admin/audit', headers: { authorization: s.admin.auth } })).json();
    expect(audit.items.find((a: { action: string }) => a.action === 'delivery.probe')).toMatchObject({ actor: 'hub/HUB-OPS', target: 'webhook/NL' });
  });
});
