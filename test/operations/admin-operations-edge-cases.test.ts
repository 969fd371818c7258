import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransientError } from '../../src/errors/hub-error.js';
import { pruneUnpartitioned } from '../../src/operations/unpartitioned-retention.js';
import type { MessageHandler } from '../../src/pipeline/message-handler.js';
import { notice, startTestHub, type TestHub } from '../support/test-hub.js';
import { cleanEnvironment, testEnvironment, waitFor } from '../support/test-environment.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { noteMessageSchema } from '../support/test-message-types.js';

/**
 * The admin operations where the ordinary case hides the hard one: replaying what an agency may no
 * longer send, replays that must stay in their conversation and their order, bulk actions over
 * more than a page, deliveries whose partner moved its replies, odd but well-formed input, a
 * scrape while Redis is away, and retention at the end of a month.
 */
const FR = { country: 'FR', agency: 'NCB-PARIS' };

/** A test-only message type whose handler fails transiently while `flaky.failing` is true. */
const flakySchema = noteMessageSchema('test.flaky');
const flaky = { failing: true };
const flakyHandler: MessageHandler<{ note: string }> = {
  type: 'test.flaky',
  async apply(ctx, message) {
    if (flaky.failing) throw new TransientError('the registry lookup service is unavailable');
    ctx.route({ country: 'DE' }, 'hub.notice', { to: [{ country: 'DE' }], subject: 'flaky', body: message.envelope.payload.note });
  },
};

function record(ref: string, serial = 'ZQ 55-901') {
  return {
    ownerReference: ref,
    status: 'STOLEN',
    firearm: { serials: [{ value: serial, location: 'frame' }], make: 'S&W', model: 'M&P9', calibre: '9mm Luger', type: 'pistol', countryOfManufacture: 'US' },
    event: { date: '2026-10-01', caseNumber: `CASE-${ref}`, place: { country: 'FR', locality: 'Lyon' }, illicitBasis: 'national-law', circumstances: 'Burglary' },
  };
}

let t: TestHub;
let admin: { auth: string };
let fr: { auth: string };
let de: { auth: string };
beforeAll(async () => {
  // Messages go through the apply queue (no apply at intake), so a test can stop its worker and
  // leave messages unapplied, as an outage of the apply stage would.
  t = await startTestHub('admin-edge-cases', {
    handlers: [flakyHandler as MessageHandler<never>],
    extraSchemas: [flakySchema],
    tuneConfig: (c) => {
      c.pipeline.attempts = 2;
      c.pipeline.backoffMs = 20;
      c.pipeline.applyAtIntake = false;
    },
  });
  admin = await t.agency(null, 'HUB-OPS');
  fr = await t.agency('FR', 'NCB-PARIS');
  de = await t.agency('DE', 'NCB-WIESBADEN');
});
afterAll(() => t?.stop());

const post = (auth: string, url: string, payload: unknown) => t.hub.app!.inject({ method: 'POST', url, headers: { authorization: auth, 'content-type': 'application/json' }, payload: payload as object });
const get = (url: string) => t.hub.app!.inject({ method: 'GET', url, headers: { authorization: admin.auth } });
const statusOf = async (id: string) => (await t.hub.ctx.db.selectFrom('ledger_messages').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
const replay = (body: Record<string, unknown>) => post(admin.auth, '/v1/admin/messages/replay', body);
const requeue = (body: Record<string, unknown>) => post(admin.auth, '/v1/admin/deliveries/requeue', body);

/**
 * Messages sent while the apply stage is down, then dead: the apply worker is stopped while they
 * arrive and their jobs are lost, and they are marked dead as the apply stage marks them after its
 * last attempt (done directly: an outage long enough to exhaust real attempts takes minutes).
 */
async function deadAfterOutage(send: () => Promise<string[]>): Promise<string[]> {
  await t.hub.ctx.applyQueue.closeWorker();
  try {
    const ids = await send();
    await t.hub.ctx.applyQueue.flush();
    await t.hub.ctx.applyQueue.queue.obliterate({ force: true });
    await t.hub.ctx.db.updateTable('ledger_messages').set({ status: 'dead', attempts: 2, last_error: 'database down' }).where('id', 'in', ids).execute();
    return ids;
  } finally {
    t.hub.ctx.applyQueue.startWorker((ids, attempt) => t.hub.apply(ids, attempt));
  }
}

/** Dead deliveries, as the delivery stage leaves them after its last attempt (written directly: provoking many takes a failing endpoint and minutes). */
async function deadDeliveries(country: string, count: number, channel = 'webhook'): Promise<string[]> {
  const rows = Array.from({ length: count }, () => {
    const id = randomUUID();
    const envelope = { messageId: id, type: 'hub.notice', sender: { country: 'ZZ', agency: 'TRACEHUB' }, sentAt: new Date().toISOString(), payload: { to: [{ country }], subject: 's', body: 'b' } };
    return { id, source_ledger_id: null, correlation_id: null, recipient_country: country, recipient_agency: null, channel, format: 'canonical-json', type: 'hub.notice', envelope: JSON.stringify(envelope), status: 'dead', attempts: 10, last_error: 'connect ECONNREFUSED' };
  });
  await t.hub.ctx.db.insertInto('outbox').values(rows as never).execute();
  return rows.map((r) => r.id);
}

describe('replaying a message sent in an agency\'s name', () => {
  it('refuses it again when it is outside the scope its NCB approved', async () => {
    const customs = await t.agency('FR', 'DOUANE-REPLAY', 'agency', { access: { seizures: 'write', records: 'read' } });
    // As the agency routes do after a change: this process sees the new agency at once.
    await t.hub.ctx.agencies.refresh();
    const sent = await post(customs.auth, '/v1/messages', { messageId: 'scope-replay-1', type: 'record.upsert', sender: { country: 'FR', agency: 'DOUANE-REPLAY' }, sentAt: new Date().toISOString(), payload: record('DOUANE-REPLAY-1') });
    expect(sent.statusCode).toBe(403);

    const res = await replay({ ids: [sent.json().ledgerId], reason: "replaying yesterday's rejections" });
    expect(res.statusCode).toBe(200);
    const [r] = res.json().results;
    expect(r.status).toBe('rejected');
    const replayed = (await t.hub.app!.inject({ method: 'GET', url: `/v1/messages/${r.replay}`, headers: { authorization: admin.auth } })).json();
    expect(replayed.errors).toEqual([expect.objectContaining({ pointer: '/sender/agency', code: 'access.outside-scope' })]);
    expect(await t.hub.ctx.db.selectFrom('records').select('id').where('owner_agency', '=', 'DOUANE-REPLAY').execute()).toEqual([]);
  });

  it('does not apply a dead message in the name of an agency suspended since', async () => {
    const customs = await t.agency('FR', 'DOUANE-SUSP', 'agency', { access: { seizures: 'write', records: 'write' } });
    const [ledgerId] = await deadAfterOutage(async () => {
      const res = await post(customs.auth, '/v1/messages', { messageId: 'susp-1', type: 'record.upsert', sender: { country: 'FR', agency: 'DOUANE-SUSP' }, sentAt: new Date().toISOString(), payload: record('DOUANE-SUSP-1') });
      expect(res.statusCode).toBe(202);
      return [res.json().ledgerId as string];
    });
    const suspended = await post(fr.auth, `/v1/agencies/${customs.id}/suspension`, { reason: 'under investigation' });
    expect(suspended.statusCode).toBe(200);

    const [r] = (await replay({ ids: [ledgerId!], reason: 'registry back' })).json().results;
    expect(r.status).toBe('rejected');
    const replayed = (await t.hub.app!.inject({ method: 'GET', url: `/v1/messages/${r.replay}`, headers: { authorization: admin.auth } })).json();
    expect(replayed.errors).toEqual([expect.objectContaining({ pointer: '/sender/agency', code: 'access.not-granted', message: expect.stringMatching(/suspended/) })]);
    expect(await t.hub.ctx.db.selectFrom('records').select('id').where('owner_agency', '=', 'DOUANE-SUSP').execute()).toEqual([]);
  });
});

describe('a replay', () => {
  it('stays in the conversation the sender was given, and so do its replies', async () => {
    flaky.failing = true;
    // Sent without a correlationId: the hub gave it one in its answer.
    const sent = await post(fr.auth, '/v1/messages', { messageId: 'flaky-corr-1', type: 'test.flaky', sender: FR, sentAt: new Date().toISOString(), payload: { note: 'x' } });
    expect(sent.statusCode).toBe(202);
    const { ledgerId, correlationId } = sent.json();
    await waitFor(async () => (await statusOf(ledgerId)) === 'dead', 'the message to be dead');
    flaky.failing = false;

    const [r] = (await replay({ ids: [ledgerId], reason: 'registry service restored' })).json().results;
    await waitFor(async () => (await statusOf(r.replay)) === 'applied', 'the replay to be applied');

    const found = (await get(`/v1/admin/messages?correlationId=${correlationId}`)).json();
    expect(found.items.map((m: { ledgerId: string }) => m.ledgerId).sort()).toEqual([ledgerId, r.replay].sort());
    const replies = await t.hub.ctx.db.selectFrom('outbox').select('correlation_id').where('source_ledger_id', '=', r.replay).execute();
    expect(replies.map((o) => o.correlation_id)).toEqual([correlationId]);
  });

  it('applies messages in the order they were first received, whether chosen by filter or listed by id in any order', async () => {
    const send = async (env: object) => (await post(fr.auth, '/v1/messages', env)).json().ledgerId as string;
    for (const chosen of ['filter', 'ids'] as const) {
      const ref = `FR-ORD-${chosen}`;
      // An upsert and then a status change of the same record, both killed by an outage.
      const ids = await deadAfterOutage(async () => [
        await send({ messageId: `ord-${chosen}-1`, type: 'record.upsert', sender: FR, sentAt: new Date().toISOString(), payload: record(ref, `QX ${chosen}`) }),
        await send({ messageId: `ord-${chosen}-2`, type: 'record.status', sender: FR, sentAt: new Date().toISOString(), payload: { ownerReference: ref, status: 'LOCATED' } }),
      ]);
      // The search lists newest first; the ids are given newest first too.
      const res = (await replay({ ...(chosen === 'filter' ? { filter: { status: 'dead', sender: 'FR' } } : { ids: [...ids].reverse() }), reason: 'database back' })).json();
      expect(res.results.map((x: { original: string }) => x.original)).toEqual(ids);
      const replays: string[] = res.results.map((x: { replay: string }) => x.replay);
      await waitFor(async () => (await Promise.all(replays.map(statusOf))).every((s) => s !== 'validated'), 'the replays to settle');
      expect(await Promise.all(replays.map(statusOf))).toEqual(['applied', 'applied']);
      expect((await t.hub.ctx.db.selectFrom('records').select('status').where('owner_reference', '=', ref).executeTakeFirstOrThrow()).status).toBe('LOCATED');
    }
  });
});

describe('requeueing a delivery after its partner moved its replies', () => {
  it('sends it to the channel its recipient takes replies on now, where it is delivered', async () => {
    // Dead on DE's former webhook; DE takes its replies in the REST inbox.
    const [id] = await deadDeliveries('DE', 1, 'webhook');
    const res = (await requeue({ ids: [id], reason: 'DE moved to the REST inbox' })).json();
    expect(res).toMatchObject({ requeued: 1, ids: [id], notRequeued: [] });
    await waitFor(async () => (await t.hub.ctx.db.selectFrom('outbox').select('status').where('id', '=', id!).executeTakeFirstOrThrow()).status === 'delivered', 'the delivery to land');
    expect(await t.hub.ctx.db.selectFrom('outbox').select(['channel', 'format']).where('id', '=', id!).executeTakeFirstOrThrow()).toEqual({ channel: 'rest', format: 'canonical-json' });
    const inbox = (await t.hub.app!.inject({ method: 'GET', url: '/v1/inbox?limit=500', headers: { authorization: de.auth } })).json();
    expect(inbox.items.map((i: { id: string }) => i.id)).toContain(id);
  });

  it('leaves one whose recipient is no partner any more dead, and says why', async () => {
    const [id] = await deadDeliveries('XK', 1, 'webhook');
    const res = (await requeue({ ids: [id], reason: 'try everything' })).json();
    expect(res).toMatchObject({ requeued: 0, notRequeued: [{ id, reason: expect.stringMatching(/XK is not a partner/) }] });
    expect((await t.hub.ctx.db.selectFrom('outbox').select('status').where('id', '=', id!).executeTakeFirstOrThrow()).status).toBe('dead');
  });
});

describe('bulk actions by filter', () => {
  it('replay the oldest matches first, and every match up to 1000 when the filter gives no limit, not a page of 100', async () => {
    // 150 notices without a subject: rejected at intake.
    const lines = Array.from({ length: 150 }, (_, i) => JSON.stringify(notice(FR, ['DE'], { messageId: `bulk-${i}` }, { subject: undefined }))).join('\n');
    const batch = await t.hub.app!.inject({ method: 'POST', url: '/v1/message-batches', headers: { authorization: fr.auth, 'content-type': 'application/x-ndjson' }, payload: lines + '\n' });
    expect(batch.json().rejected).toBe(150);
    // With a limit, the oldest first: a backlog is worked through in the order it arrived.
    const page = (await replay({ filter: { status: 'rejected', sender: 'FR', type: 'hub.notice', limit: 20 }, reason: 'schema fixed' })).json();
    expect(page).toMatchObject({ replayed: 20, more: true });
    const replayedIds = (page.results as { original: string }[]).map((r) => r.original);
    const oldest = await t.hub.ctx.db.selectFrom('ledger_messages').select('id').where('message_id', 'like', 'bulk-%').where('replay_of', 'is', null).orderBy('id').limit(20).execute();
    expect(replayedIds).toEqual(oldest.map((r) => r.id));
    const res = await replay({ filter: { status: 'rejected', sender: 'FR', type: 'hub.notice' }, reason: 'schema fixed' });
    expect(res.statusCode).toBe(200);
    // The 130 left, and the first 20's replays, rejected again as they were sent.
    expect(res.json()).toMatchObject({ replayed: 150, more: false });
  });

  it('say when more matched than their limit, and the same request again takes the next ones', async () => {
    await deadDeliveries('DE', 150);
    const first = (await requeue({ filter: { status: 'dead', country: 'DE', limit: 100 }, reason: 'partner back' })).json();
    expect(first).toMatchObject({ requeued: 100, more: true });
    const second = (await requeue({ filter: { status: 'dead', country: 'DE' }, reason: 'partner back' })).json();
    expect(second).toMatchObject({ requeued: 50, more: false });
    // Without a limit, every match up to 1000.
    await deadDeliveries('DE', 150);
    expect((await requeue({ filter: { status: 'dead', country: 'DE' }, reason: 'partner back again' })).json()).toMatchObject({ requeued: 150, more: false });
  });
});

describe('admin lists on odd but well-formed input', () => {
  it('answer 400 naming the cursor when it is past any id the hub gives out', async () => {
    for (const url of ['/v1/admin/audit?before=9999999999999999999', '/v1/admin/deliveries?before=99999999999999999999']) {
      const res = await get(url);
      expect(res.statusCode).toBe(400);
      expect(res.json().errors).toEqual([expect.objectContaining({ pointer: '/querystring/before' })]);
    }
    expect((await get('/v1/admin/audit?before=9223372036854775807')).statusCode).toBe(200);
  });

  it('read a leap second in a time filter as the last millisecond of its minute', async () => {
    const res = await get('/v1/admin/messages?sender=FR&from=2016-12-31T23:59:60Z&limit=1');
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toHaveLength(1);
    const none = await get('/v1/admin/deliveries?to=2016-12-31T23:59:60.5Z');
    expect(none.statusCode).toBe(200);
    expect(none.json().items).toEqual([]);
    const replayed = await replay({ filter: { status: 'dead', sender: 'FR', from: '2998-12-31T23:59:60Z' }, reason: 'nothing that late' });
    expect(replayed.json()).toMatchObject({ replayed: 0, more: false });
  });
});

describe('/metrics while Redis is away', () => {
  it('still answers promptly with the hub\'s own counters', async () => {
    const env = testEnvironment('metrics-redis-away');
    const redis = new URL(env.redisUrl);
    const proxy = new TcpProxy(redis.hostname, Number(redis.port || 6379));
    await proxy.start();
    const viaProxy = new URL(env.redisUrl);
    viaProxy.port = String(proxy.port);
    const api = await startTestHub('metrics-redis-away', { env: { ...env, redisUrl: viaProxy.toString() }, roles: { api: true, workers: false } });
    try {
      const before = await api.hub.app!.inject({ method: 'GET', url: '/metrics' });
      expect(before.body).toMatch(/tracehub_queue_jobs\{queue="apply"/);
      proxy.cut();
      // Each scrape used to wait on Redis until the test's own timeout; now it answers.
      for (let scrape = 0; scrape < 2; scrape++) {
        const res = await api.hub.app!.inject({ method: 'GET', url: '/metrics' });
        expect(res.statusCode).toBe(200);
        expect(res.body).toContain('tracehub_messages_total');
        // Absent rather than stale while they cannot be read.
        expect(res.body).not.toMatch(/tracehub_queue_jobs\{/);
      }
      proxy.restore();
      await waitFor(async () => /tracehub_queue_jobs\{queue="apply"/.test((await api.hub.app!.inject({ method: 'GET', url: '/metrics' })).body), 'the queue gauges to come back');
    } finally {
      proxy.restore();
      await api.stop();
      await proxy.stop();
      await cleanEnvironment(env);
    }
  }, 30_000);
});

describe('retention of finished deliveries and of the audit log', () => {
  let r: TestHub;
  beforeAll(async () => {
    // Every partner is in the standard class; give it three months.
    r = await startTestHub('retention-month-end', { start: false, tuneConfig: (c) => { c.retention.classes.standard = { months: 3 }; } });
  });
  afterAll(() => r?.stop());

  it('keeps on 31 May what was delivered on 2 March when the class keeps three months, and drops what is older than 28 February', async () => {
    const delivered = async (at: string) => {
      const id = randomUUID();
      await r.hub.ctx.db.insertInto('outbox').values({
        id, source_ledger_id: null, correlation_id: null, recipient_country: 'DE', recipient_agency: null, channel: 'rest', format: 'canonical-json', type: 'hub.notice',
        envelope: JSON.stringify({}), status: 'delivered', created_at: new Date(at), delivered_at: new Date(at),
      } as never).execute();
      return id;
    };
    const kept = await delivered('2026-03-02T12:00:00Z');
    const dropped = await delivered('2026-02-27T12:00:00Z');
    await pruneUnpartitioned(r.hub.ctx.db, r.hub.ctx.config, new Date('2026-05-31T10:00:00Z'));
    const left = (await r.hub.ctx.db.selectFrom('outbox').select('id').where('id', 'in', [kept, dropped]).execute()).map((x) => x.id);
    expect(left).toEqual([kept]);
  });

  it('keeps the audit log for its own months (60 by default), then drops it oldest first', async () => {
    const entry = async (at: string) =>
      (await r.hub.ctx.db.insertInto('audit_log').values({ at: new Date(at), actor: 'FR/DOUANE-CDG', action: 'records.search', target: null, detail: null }).returning('id').executeTakeFirstOrThrow()).id;
    const old = await entry('2021-05-30T12:00:00Z');
    const kept = await entry('2021-06-01T12:00:00Z');
    const report = await pruneUnpartitioned(r.hub.ctx.db, r.hub.ctx.config, new Date('2026-05-31T10:00:00Z'));
    expect(report.auditLog).toBeGreaterThanOrEqual(1);
    const left = (await r.hub.ctx.db.selectFrom('audit_log').select('id').where('id', 'in', [old, kept]).execute()).map((x) => String(x.id));
    expect(left).toEqual([String(kept)]);
  });
});
