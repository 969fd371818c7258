import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransientError } from '../../src/errors/hub-error.js';
import { getLineage } from '../../src/ledger/ledger-queries.js';
import type { MessageHandler } from '../../src/pipeline/message-handler.js';
import { startTestHub, notice, type TestHub } from '../support/test-hub.js';
import { cleanEnvironment, testEnvironment, waitFor } from '../support/test-environment.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { noteMessageSchema } from '../support/test-message-types.js';

/**
 * What happens when things go wrong: a database that disappears for a moment, a handler that
 * keeps failing until it is fixed, a queue that loses its jobs, a partner that must be paused.
 */
const FR = { country: 'FR', agency: 'NCB-PARIS' };

/** A test-only message type whose handler fails transiently while `flaky.failing` is true. */
const flakySchema = noteMessageSchema('test.flaky');
const flaky = { failing: true, calls: 0 };
const flakyHandler: MessageHandler<{ note: string }> = {
  type: 'test.flaky',
  async apply(ctx, message) {
    flaky.calls += 1;
    if (flaky.failing) throw new TransientError('the registry lookup service is unavailable');
    ctx.route({ country: 'DE' }, 'hub.notice', { to: [{ country: 'DE' }], subject: 'flaky', body: message.envelope.payload.note });
  },
};

describe('a database outage during apply', () => {
  it('is retried with backoff and the message is applied exactly once when the database is back', async () => {
    const env = testEnvironment('outage');
    const url = new URL(env.databaseUrl);
    const proxy = new TcpProxy(url.hostname, Number(url.port || 5432));
    await proxy.start();
    const viaProxy = new URL(env.databaseUrl);
    viaProxy.port = String(proxy.port);
    // Two processes' worth of hub on one schema: the API talks to PostgreSQL directly, the
    // workers through the proxy that the test cuts.
    const api = await startTestHub('outage-api', { env, roles: { api: true, workers: false } });
    const workers = await startTestHub('outage-workers', { env: { ...env, databaseUrl: viaProxy.toString() }, roles: { api: false, workers: true }, migrate: false, tuneConfig: (c) => { c.pipeline.attempts = 20; c.pipeline.backoffMs = 100; } });
    try {
      const fr = await api.agency('FR', 'NCB-PARIS');
      proxy.cut();
      const res = await api.hub.app!.inject({ method: 'POST', url: '/v1/messages', headers: { authorization: fr.auth, 'content-type': 'application/json' }, payload: notice(FR, ['DE']) });
      expect(res.statusCode).toBe(202);
      const { ledgerId } = res.json();
      // The worker cannot reach the database: attempts fail and are retried with backoff.
      await waitFor(async () => {
        const m = await workers.hub.ctx.metrics.messages.get();
        return m.values.some((v) => v.labels.stage === 'apply' && v.labels.outcome === 'failed' && v.value >= 2);
      }, 'at least two failed apply attempts');
      const during = await api.hub.ctx.db.selectFrom('ledger_messages').select('status').where('id', '=', ledgerId).executeTakeFirstOrThrow();
      expect(during.status).toBe('validated');
      proxy.restore();
      await waitFor(async () => (await api.hub.ctx.db.selectFrom('ledger_messages').select('status').where('id', '=', ledgerId).executeTakeFirstOrThrow()).status === 'applied', 'the message to be applied after the outage', 20_000);
      expect(await api.hub.ctx.db.selectFrom('notices').select('id').where('ledger_id', '=', ledgerId).execute()).toHaveLength(1);
      const lineage = await getLineage(api.hub.ctx.db, ledgerId);
      expect(lineage.filter((e) => e.event === 'applied')).toHaveLength(1);
    } finally {
      proxy.restore();
      await workers.stop();
      await api.stop();
      await proxy.stop();
      await cleanEnvironment(env);
    }
  });
});

describe('a message whose handler keeps failing', () => {
  let t: TestHub;
  let admin: { auth: string };
  let fr: { auth: string };
  beforeAll(async () => {
    t = await startTestHub('dead', { handlers: [flakyHandler as MessageHandler<never>], extraSchemas: [flakySchema], tuneConfig: (c) => { c.pipeline.attempts = 3; c.pipeline.backoffMs = 20; } });
    admin = await t.agency(null, 'HUB-OPS');
    fr = await t.agency('FR', 'NCB-PARIS');
  });
  afterAll(() => t?.stop());

  it('is dead after its attempts, listed for admins, and applied once when replayed after the fix', async () => {
    const msg = { messageId: 'flaky-1', type: 'test.flaky', sender: FR, sentAt: new Date().toISOString(), payload: { note: 'registry down' } };
    const res = await t.hub.app!.inject({ method: 'POST', url: '/v1/messages', headers: { authorization: fr.auth, 'content-type': 'application/json' }, payload: msg });
    expect(res.statusCode).toBe(202);
    const { ledgerId } = res.json();

    const dead = await waitFor(async () => {
      const v = (await t.hub.app!.inject({ method: 'GET', url: `/v1/messages/${ledgerId}`, headers: { authorization: fr.auth } })).json();
      return v.status === 'dead' ? v : undefined;
    }, 'the message to be dead-lettered');
    expect(dead.attempts).toBe(3);
    expect(dead.lastError).toBe('the registry lookup service is unavailable');
    // Tried once as it was stored (apply at intake), deferred to the queue, then its three attempts there.
    expect(dead.lineage.map((e: { event: string }) => e.event)).toEqual(['received', 'normalised', 'validated', 'deferred', 'failed', 'failed', 'dead']);
    expect(dead.lineage[3]).toMatchObject({ stage: 'apply', reason: 'the registry lookup service is unavailable', detail: { class: 'transient' } });
    expect(flaky.calls).toBe(4);

    const listed = (await t.hub.app!.inject({ method: 'GET', url: '/v1/admin/messages?status=dead', headers: { authorization: admin.auth } })).json();
    expect(listed.items.map((m: { ledgerId: string }) => m.ledgerId)).toEqual([ledgerId]);
    const forbidden = await t.hub.app!.inject({ method: 'GET', url: '/v1/admin/messages?status=dead', headers: { authorization: fr.auth } });
    expect(forbidden.statusCode).toBe(403);

    flaky.failing = false;
    const replay = await t.hub.app!.inject({ method: 'POST', url: '/v1/admin/messages/replay', headers: { authorization: admin.auth }, payload: { ids: [ledgerId], reason: 'registry service restored' } });
    expect(replay.statusCode).toBe(200);
    const [result] = replay.json().results;
    expect(result).toMatchObject({ original: ledgerId, status: 'validated' });

    const replayed = await waitFor(async () => {
      const v = (await t.hub.app!.inject({ method: 'GET', url: `/v1/messages/${result.replay}`, headers: { authorization: fr.auth } })).json();
      return v.status === 'applied' ? v : undefined;
    }, 'the replay to be applied');
    expect(replayed.replayOf).toBe(ledgerId);
    expect(replayed.outbound).toHaveLength(1);

    const original = (await t.hub.app!.inject({ method: 'GET', url: `/v1/messages/${ledgerId}`, headers: { authorization: fr.auth } })).json();
    expect(original.status).toBe('replayed');
    expect(original.replays).toEqual([expect.objectContaining({ ledgerId: result.replay, status: 'applied' })]);
    expect(original.lineage.at(-1)).toMatchObject({ stage: 'admin', event: 'replayed', reason: 'registry service restored', actor: 'hub/HUB-OPS' });

    // Replaying the same failure again does nothing: it was replayed already.
    const twice = await t.hub.app!.inject({ method: 'POST', url: '/v1/admin/messages/replay', headers: { authorization: admin.auth }, payload: { ids: [ledgerId], reason: 'again' } });
    expect(twice.json().results[0].error).toMatch(/is replayed/);
    const audit = (await t.hub.app!.inject({ method: 'GET', url: '/v1/admin/audit', headers: { authorization: admin.auth } })).json();
    expect(audit.items.filter((a: { action: string }) => a.action === 'message.replay')).toHaveLength(1);
  });

  it('refuses to replay an applied message', async () => {
    const res = await t.hub.app!.inject({ method: 'POST', url: '/v1/messages', headers: { authorization: fr.auth, 'content-type': 'application/json' }, payload: notice(FR, ['DE']) });
    const { ledgerId } = res.json();
    await waitFor(async () => (await t.hub.ctx.db.selectFrom('ledger_messages').select('status').where('id', '=', ledgerId).executeTakeFirstOrThrow()).status === 'applied', 'applied');
    const replay = await t.hub.app!.inject({ method: 'POST', url: '/v1/admin/messages/replay', headers: { authorization: admin.auth }, payload: { ids: [ledgerId], reason: 'should not happen' } });
    expect(replay.json().results[0]).toMatchObject({ original: ledgerId, error: expect.stringMatching(/applied/) });
  });
});

describe('work the queues lost', () => {
  it('is found in the ledger by the sweeper and applied', async () => {
    // Applied at intake the message would never reach the queue; this is about the queued path.
    const t = await startTestHub('sweeper', { tuneConfig: (c) => { c.pipeline.staleAfterSeconds = 1; c.pipeline.applyAtIntake = false; } });
    try {
      const fr = await t.agency('FR', 'NCB-PARIS');
      // Stop the workers and throw away every queued job, as a Redis restart would.
      await t.hub.ctx.applyQueue.closeWorker();
      const res = await t.hub.app!.inject({ method: 'POST', url: '/v1/messages', headers: { authorization: fr.auth, 'content-type': 'application/json' }, payload: notice(FR, ['US']) });
      const { ledgerId } = res.json();
      await t.hub.ctx.applyQueue.flush();
      await t.hub.ctx.applyQueue.queue.obliterate({ force: true });
      expect(await t.hub.ctx.applyQueue.queue.count()).toBe(0);
      await new Promise((r) => setTimeout(r, 1100));
      const found = (await t.hub.runMaintenance('sweep')) as { messages: string[] };
      expect(found.messages).toContain(ledgerId);
      t.hub.ctx.applyQueue.startWorker((ids, attempt) => t.hub.apply(ids, attempt));
      await waitFor(async () => (await t.hub.ctx.db.selectFrom('ledger_messages').select('status').where('id', '=', ledgerId).executeTakeFirstOrThrow()).status === 'applied', 'the swept message to be applied');
    } finally {
      await t.stop();
    }
  });
});

describe('the per-partner pause switch', () => {
  it('holds a paused sender\'s messages and deliveries to a paused recipient until resumed', async () => {
    const t = await startTestHub('pause');
    try {
      const admin = await t.agency(null, 'HUB-OPS');
      const fr = await t.agency('FR', 'NCB-PARIS');
      const de = await t.agency('DE', 'NCB-WIESBADEN');
      const pause = (cc: string, action: 'pause' | 'resume') =>
        t.hub.app!.inject({ method: 'POST', url: `/v1/admin/partners/${cc}/${action}`, headers: { authorization: admin.auth }, payload: { reason: 'maintenance window' } });
      expect((await pause('FR', 'pause')).json()).toEqual({ country: 'FR', paused: true });
      expect((await pause('DE', 'pause')).statusCode).toBe(200);

      const res = await t.hub.app!.inject({ method: 'POST', url: '/v1/messages', headers: { authorization: fr.auth, 'content-type': 'application/json' }, payload: notice(FR, ['DE']) });
      expect(res.statusCode).toBe(202);
      const { ledgerId } = res.json();
      await waitFor(async () => (await getLineage(t.hub.ctx.db, ledgerId)).some((e) => e.event === 'paused'), 'the paused event');
      expect((await t.hub.ctx.db.selectFrom('ledger_messages').select('status').where('id', '=', ledgerId).executeTakeFirstOrThrow()).status).toBe('validated');

      await pause('FR', 'resume');
      await waitFor(async () => (await t.hub.ctx.db.selectFrom('ledger_messages').select('status').where('id', '=', ledgerId).executeTakeFirstOrThrow()).status === 'applied', 'applied after resume');
      const out = await t.hub.ctx.db.selectFrom('outbox').select(['id', 'status']).where('source_ledger_id', '=', ledgerId).executeTakeFirstOrThrow();
      await new Promise((r) => setTimeout(r, 200));
      expect((await t.hub.ctx.db.selectFrom('outbox').select('status').where('id', '=', out.id).executeTakeFirstOrThrow()).status).toBe('pending');
      expect((await t.hub.app!.inject({ method: 'GET', url: '/v1/inbox', headers: { authorization: de.auth } })).json().items).toHaveLength(0);

      await pause('DE', 'resume');
      await waitFor(async () => (await t.hub.app!.inject({ method: 'GET', url: '/v1/inbox', headers: { authorization: de.auth } })).json().items.length === 1, 'delivery after DE resumes');
      const partners = (await t.hub.app!.inject({ method: 'GET', url: '/v1/admin/partners', headers: { authorization: admin.auth } })).json();
      expect(partners.items.every((p: { paused: boolean }) => !p.paused)).toBe(true);
    } finally {
      await t.stop();
    }
  });
});

describe('a Redis outage at intake', () => {
  it('still answers the sender once the message is stored, and the message is applied after Redis returns', async () => {
    const env = testEnvironment('redis-outage');
    const redisUrl = new URL(env.redisUrl);
    const proxy = new TcpProxy(redisUrl.hostname, Number(redisUrl.port || 6379));
    await proxy.start();
    const viaProxy = new URL(env.redisUrl);
    viaProxy.port = String(proxy.port);
    const api = await startTestHub('redis-outage-api', { env: { ...env, redisUrl: viaProxy.toString() }, roles: { api: true, workers: false } });
    const workers = await startTestHub('redis-outage-workers', { env, roles: { api: false, workers: true }, migrate: false, tuneConfig: (c) => { c.pipeline.staleAfterSeconds = 1; } });
    try {
      const fr = await api.agency('FR', 'NCB-PARIS');
      proxy.cut();
      const res = await api.hub.app!.inject({ method: 'POST', url: '/v1/messages', headers: { authorization: fr.auth, 'content-type': 'application/json' }, payload: notice(FR, ['DE']) });
      expect(res.statusCode).toBe(202);
      const { ledgerId } = res.json();
      proxy.restore();
      // The sweeper on the worker side finds it in the ledger whether or not the enqueue survived.
      await waitFor(async () => {
        await workers.hub.runMaintenance('sweep');
        return (await workers.hub.ctx.db.selectFrom('ledger_messages').select('status').where('id', '=', ledgerId).executeTakeFirstOrThrow()).status === 'applied';
      }, 'the message to be applied after Redis is back', 20_000, 500);
      expect(await workers.hub.ctx.db.selectFrom('notices').select('id').where('ledger_id', '=', ledgerId).execute()).toHaveLength(1);
    } finally {
      proxy.restore();
      await api.stop();
      await workers.stop();
      await proxy.stop();
      await cleanEnvironment(env);
    }
  });
});
