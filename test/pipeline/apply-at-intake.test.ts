import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubError } from '../../src/errors/hub-error.js';
import { uuidv7 } from '../../src/ids/uuidv7.js';
import { getLineage } from '../../src/ledger/ledger-queries.js';
import type { MessageHandler } from '../../src/pipeline/message-handler.js';
import { startTestHub, notice, type TestHub } from '../support/test-hub.js';
import { waitFor } from '../support/test-environment.js';
import { noteMessageSchema } from '../support/test-message-types.js';

/**
 * Apply at intake: when the apply queue is idle, a batch is applied in the transaction that
 * stores it, so each message is written once, already applied. Whenever that could change what
 * happens (queued work it could overtake, a transient failure, a process without the workers
 * role), the message takes the queued path instead. A handler's refusal is judged here, as the
 * apply stage would judge it.
 */
const FR = { country: 'FR', agency: 'NCB-PARIS' };
let t: TestHub;
let fr: { auth: string };

/** A test-only message type whose handler (one message at a time) writes a notices row, or throws its refusal. */
const pickySchema = noteMessageSchema('test.picky');
const pickyHandler: MessageHandler<{ note: string }> = {
  type: 'test.picky',
  async apply(ctx, message) {
    // A plain insert: were the first run's row not rolled back, the second run would fail on the unique ledger id.
    await ctx.trx
      .insertInto('notices')
      .values({ ledger_id: message.ledgerId, sender_country: 'FR', sender_agency: 'NCB-PARIS', subject: 'picky', body: message.envelope.payload.note, priority: 'routine', recipients: JSON.stringify([]), serials: [] })
      .execute();
    if (message.envelope.payload.note === 'bad') {
      throw new HubError('VALIDATION_FAILED', 'the note is refused', [{ pointer: '/payload/note', code: 'note.bad', message: 'this registry does not take bad notes' }]);
    }
  },
};
function picky(note: string) {
  return { messageId: `picky-${Math.random().toString(36).slice(2)}`, type: 'test.picky', sender: FR, sentAt: new Date().toISOString(), payload: { note } };
}

beforeAll(async () => {
  t = await startTestHub('at-intake', { handlers: [pickyHandler as MessageHandler<never>], extraSchemas: [pickySchema] });
  fr = await t.agency('FR', 'NCB-PARIS');
});
afterAll(() => t?.stop());

async function status(ledgerId: string) {
  return (await t.hub.ctx.db.selectFrom('ledger_messages').select('status').where('id', '=', ledgerId).executeTakeFirstOrThrow()).status;
}
/** Every apply job the queue has seen (completed jobs are kept for an hour). */
function applyJobs() {
  return t.hub.ctx.applyQueue.queue.getJobCountByTypes('completed', 'waiting', 'active', 'delayed', 'failed');
}

describe('a message arriving while the apply queue is idle', () => {
  it('is applied, with its outbox rows, before the sender has its answer, and no apply job is queued', async () => {
    const jobsBefore = await applyJobs();
    const res = await t.hub.app!.inject({ method: 'POST', url: '/v1/messages', headers: { authorization: fr.auth, 'content-type': 'application/json' }, payload: notice(FR, ['DE']) });
    expect(res.statusCode).toBe(202);
    const { ledgerId } = res.json();
    expect(await status(ledgerId)).toBe('applied');
    const lineage = await getLineage(t.hub.ctx.db, ledgerId);
    expect(lineage.map((e) => e.event)).toEqual(['received', 'normalised', 'validated', 'applied']);
    expect(lineage.at(-1)).toMatchObject({ stage: 'apply', detail: { outbound: 1, atIntake: true } });
    expect(await t.hub.ctx.db.selectFrom('notices').select('id').where('ledger_id', '=', ledgerId).execute()).toHaveLength(1);
    const out = await t.hub.ctx.db.selectFrom('outbox').select(['recipient_country', 'status']).where('source_ledger_id', '=', ledgerId).execute();
    expect(out).toEqual([{ recipient_country: 'DE', status: 'delivered' }]);
    expect(await applyJobs()).toBe(jobsBefore);
  });
});

describe('a message arriving while the apply queue holds work', () => {
  it('waits its turn in the queue instead of overtaking what was queued before it', async () => {
    await t.hub.ctx.applyQueue.closeWorker();
    try {
      // Work queued earlier (its message need not exist: the job finds nothing to do).
      await t.hub.ctx.applyQueue.add([uuidv7()]);
      const res = await t.hub.app!.inject({ method: 'POST', url: '/v1/messages', headers: { authorization: fr.auth, 'content-type': 'application/json' }, payload: notice(FR, ['DE']) });
      expect(res.statusCode).toBe(202);
      const { ledgerId } = res.json();
      expect(await status(ledgerId)).toBe('validated');
      t.hub.ctx.applyQueue.startWorker((ids, attempt) => t.hub.apply(ids, attempt));
      await waitFor(async () => (await status(ledgerId)) === 'applied', 'the queued message to be applied');
      const applied = (await getLineage(t.hub.ctx.db, ledgerId)).filter((e) => e.event === 'applied');
      expect(applied).toHaveLength(1);
      expect(applied[0]!.detail).toEqual({ outbound: 1 });
    } finally {
      await t.hub.ctx.applyQueue.closeWorker();
      t.hub.ctx.applyQueue.startWorker((ids, attempt) => t.hub.apply(ids, attempt));
    }
  });
});

async function postBatch(lines: unknown[]) {
  const res = await t.hub.app!.inject({
    method: 'POST',
    url: '/v1/message-batches',
    headers: { authorization: fr.auth, 'content-type': 'application/x-ndjson' },
    payload: lines.map((l) => JSON.stringify(l)).join('\n'),
  });
  expect(res.statusCode).toBe(200);
  return (res.json().items as { ledgerId: string; status: string }[]).map((i) => {
    // Refused by its handler or not, each line was valid: the answer is the same as on the queued path.
    expect(i.status).toBe('accepted');
    return i.ledgerId;
  });
}

async function receiptFor(ledgerId: string) {
  return t.hub.ctx.db.selectFrom('outbox').select(['type', 'recipient_country', 'envelope']).where('source_ledger_id', '=', ledgerId).where('type', '=', 'hub.receipt').execute();
}

describe('a batch in which a handler refuses one message', () => {
  it('is applied but for that message, which is rejected with its errors and a receipt, all before the answer', async () => {
    const jobsBefore = await applyJobs();
    const ids = await postBatch([notice(FR, ['DE']), notice(FR, ['DE', 'QQ']), notice(FR, ['IT'])]);
    expect(await Promise.all(ids.map(status))).toEqual(['applied', 'rejected', 'applied']);
    const lineages = await Promise.all(ids.map((id) => getLineage(t.hub.ctx.db, id)));
    expect(lineages.flat().some((e) => e.event === 'deferred' || e.event === 'failed')).toBe(false);
    expect(lineages[0]!.at(-1)).toMatchObject({ event: 'applied', detail: { outbound: 1, atIntake: true } });
    expect(lineages[1]!.at(-1)).toMatchObject({ stage: 'apply', event: 'rejected', detail: { code: 'VALIDATION_FAILED', atIntake: true } });
    const refused = await t.hub.ctx.db.selectFrom('ledger_messages').select('errors').where('id', '=', ids[1]!).executeTakeFirstOrThrow();
    expect(refused.errors).toEqual([{ pointer: '/payload/to/1/country', code: 'recipient.unknown', message: 'QQ is not a partner country of the hub' }]);
    expect(await t.hub.ctx.db.selectFrom('notices').select('ledger_id').where('ledger_id', 'in', ids).execute()).toHaveLength(2);
    const [receipt] = await receiptFor(ids[1]!);
    expect(receipt).toMatchObject({ recipient_country: 'FR', envelope: { payload: { ledgerId: ids[1], outcome: 'rejected' } } });
    expect(await applyJobs()).toBe(jobsBefore);
  });

  it('whose handler throws its refusal is run again without that message, so the others are written once', async () => {
    const ids = await postBatch([picky('fine 1'), picky('bad'), picky('fine 2')]);
    expect(await Promise.all(ids.map(status))).toEqual(['applied', 'rejected', 'applied']);
    // The first run wrote "fine 1" before the refusal; only the second run's row survives.
    const rows = await t.hub.ctx.db.selectFrom('notices').select(['ledger_id', 'body']).where('ledger_id', 'in', ids).orderBy('body').execute();
    expect(rows).toEqual([{ ledger_id: ids[0], body: 'fine 1' }, { ledger_id: ids[2], body: 'fine 2' }]);
    const refused = await t.hub.ctx.db.selectFrom('ledger_messages').select('errors').where('id', '=', ids[1]!).executeTakeFirstOrThrow();
    expect(refused.errors).toEqual([{ pointer: '/payload/note', code: 'note.bad', message: 'this registry does not take bad notes' }]);
    expect(await receiptFor(ids[1]!)).toHaveLength(1);
  });
});

describe('a process that only serves the API', () => {
  it('stores and queues, leaving the applying to the workers', async () => {
    const api = await startTestHub('at-intake-api', { env: t.env, roles: { api: true, workers: false }, migrate: false });
    try {
      const res = await api.hub.app!.inject({ method: 'POST', url: '/v1/messages', headers: { authorization: fr.auth, 'content-type': 'application/json' }, payload: notice(FR, ['DE']) });
      expect(res.statusCode).toBe(202);
      const { ledgerId } = res.json();
      // The workers of the first hub share the queue prefix and apply it.
      await waitFor(async () => (await status(ledgerId)) === 'applied', 'the workers to apply it');
      const applied = (await getLineage(t.hub.ctx.db, ledgerId)).filter((e) => e.event === 'applied');
      expect(applied.map((e) => e.detail)).toEqual([{ outbound: 1 }]);
    } finally {
      await api.stop();
    }
  });
});
