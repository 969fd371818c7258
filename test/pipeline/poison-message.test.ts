import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransientError } from '../../src/errors/hub-error.js';
import { getLineage } from '../../src/ledger/ledger-queries.js';
import type { MessageHandler } from '../../src/pipeline/message-handler.js';
import { notice, startTestHub, type TestHub } from '../support/test-hub.js';
import { waitFor } from '../support/test-environment.js';
import { noteMessageSchema } from '../support/test-message-types.js';

/**
 * A message that trips a handler's bug fails every attempt of the batch it travels in. It must not
 * take the other messages of that batch with it: at the last attempt the batch is applied in halves
 * until it is alone, and only it is dead. A failure every message would meet (a service the
 * handler needs is away) is still retried and dead-lettered as one batch.
 */
const FR = { country: 'FR', agency: 'NCB-PARIS' };

const testSchema = noteMessageSchema('test.poison');
const calls = { boom: 0, down: 0 };
/** A handler with a bug one payload trips (a TypeError, as a real bug throws), and a service that may be away. */
const poisonHandler: MessageHandler<{ note: string }> = {
  type: 'test.poison',
  async apply(ctx, message) {
    const { note } = message.envelope.payload;
    if (note === 'boom') {
      calls.boom += 1;
      void (undefined as unknown as { x: number }).x;
    }
    if (note === 'service down') {
      calls.down += 1;
      throw new TransientError('the registry lookup service is unavailable');
    }
    ctx.route({ country: 'DE' }, 'hub.notice', { to: [{ country: 'DE' }], subject: 'poison test', body: note });
  },
};

let t: TestHub;
let fr: { auth: string };
beforeAll(async () => {
  t = await startTestHub('poison-message', {
    handlers: [poisonHandler as MessageHandler<never>],
    extraSchemas: [testSchema],
    tuneConfig: (c) => {
      c.pipeline.attempts = 3;
      c.pipeline.backoffMs = 20;
      // Through the apply queue, so the messages travel in one batch.
      c.pipeline.applyAtIntake = false;
    },
  });
  fr = await t.agency('FR', 'NCB-PARIS');
});
afterAll(() => t?.stop());

const poison = (messageId: string, note: string) => ({ messageId, type: 'test.poison', sender: FR, sentAt: new Date().toISOString(), payload: { note } });

/** Sends the envelopes in one request and lets the apply worker take them as one job. */
async function sendAsOneBatch(envelopes: object[]): Promise<string[]> {
  await t.hub.ctx.applyQueue.closeWorker();
  const res = await t.hub.app!.inject({
    method: 'POST',
    url: '/v1/message-batches',
    headers: { authorization: fr.auth, 'content-type': 'application/x-ndjson' },
    payload: envelopes.map((e) => JSON.stringify(e)).join('\n') + '\n',
  });
  expect(res.statusCode).toBe(200);
  await t.hub.ctx.applyQueue.flush();
  expect(await t.hub.ctx.applyQueue.queue.getJobCounts('waiting')).toEqual({ waiting: 1 });
  t.hub.ctx.applyQueue.startWorker((ids, attempt) => t.hub.apply(ids, attempt));
  return res.json().items.map((i: { ledgerId: string }) => i.ledgerId);
}

const settled = (ids: string[]) =>
  waitFor(async () => {
    const rows = await t.hub.ctx.db.selectFrom('ledger_messages').select(['id', 'status', 'attempts', 'last_error']).where('id', 'in', ids).execute();
    return rows.every((r) => r.status !== 'validated') ? new Map(rows.map((r) => [r.id, r])) : undefined;
  }, 'the batch to settle');

describe('a message whose handler throws a bug in the middle of its batch', () => {
  it('is dead alone after its attempts; the messages before and after it are applied and delivered', async () => {
    const ids = await sendAsOneBatch([poison('before-1', 'fine'), notice(FR, ['DE']), poison('boom-1', 'boom'), poison('after-1', 'fine')]);
    const rows = await settled(ids);
    const [before, aNotice, bad, after] = ids.map((id) => rows.get(id)!);
    expect(bad).toMatchObject({ status: 'dead', attempts: 3, last_error: expect.stringMatching(/Cannot read properties of undefined/) });
    for (const good of [before, aNotice, after]) expect(good).toMatchObject({ status: 'applied', last_error: null });
    // Its whole batch failed twice with it; the last attempt found it.
    expect((await getLineage(t.hub.ctx.db, bad!.id)).map((e) => e.event).slice(-3)).toEqual(['failed', 'failed', 'dead']);
    expect((await getLineage(t.hub.ctx.db, after!.id)).map((e) => e.event).slice(-3)).toEqual(['failed', 'failed', 'applied']);
    // The others' replies go out as those of any applied message.
    await waitFor(async () => {
      const out = await t.hub.ctx.db.selectFrom('outbox').select('status').where('source_ledger_id', 'in', [before!.id, after!.id]).execute();
      return out.length === 2 && out.every((o) => o.status === 'delivered');
    }, 'the replies of the others to be delivered');
    const listed = (await t.hub.app!.inject({ method: 'GET', url: '/v1/admin/messages?status=dead', headers: { authorization: (await t.agency(null, 'HUB-OPS')).auth } })).json();
    expect(listed.items.map((m: { ledgerId: string }) => m.ledgerId)).toEqual([bad!.id]);
  });
});

describe('a failure every message of the batch meets', () => {
  it('is retried as one batch and the batch is dead together, without applying it in parts', async () => {
    calls.down = 0;
    const ids = await sendAsOneBatch([poison('down-1', 'service down'), poison('down-2', 'service down'), poison('down-3', 'service down')]);
    const rows = await settled(ids);
    for (const id of ids) expect(rows.get(id)).toMatchObject({ status: 'dead', attempts: 3, last_error: 'the registry lookup service is unavailable' });
    // The first message fails each of the three attempts; no half was ever tried on its own.
    expect(calls.down).toBe(3);
  });
});
