import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubError } from '../../src/errors/hub-error.js';
import { getLineage } from '../../src/ledger/ledger-queries.js';
import type { MessageHandler } from '../../src/pipeline/message-handler.js';
import { notice, startTestHub, type TestHub } from '../support/test-hub.js';
import { waitFor } from '../support/test-environment.js';
import { noteMessageSchema } from '../support/test-message-types.js';

/**
 * Handler refusals in a batch: a message its handler refuses is rejected on its own, with its
 * errors and a receipt, and the rest of the batch is applied once. A handler that takes one
 * message at a time throws its refusal after the messages before it have been written, so the
 * batch goes back to a savepoint; the work that costs is bounded: each message is run at most
 * twice, however many of its batch are refused. The same holds whether the batch is applied as
 * it is stored (apply at intake) or by an apply job.
 */
const FR = { country: 'FR', agency: 'NCB-PARIS' };

/** Handler runs per message (ledger id), across both hubs of this file. */
const runs = new Map<string, number>();


function noteHandler(type: string, refuses: (note: string, run: number) => boolean): MessageHandler<{ note: string }> {
  return {
    type,
    async apply(ctx, message) {
      const run = (runs.get(message.ledgerId) ?? 0) + 1;
      runs.set(message.ledgerId, run);
      // A plain insert: a row left over from a rolled-back run would make a second write fail on the unique ledger id.
      await ctx.trx
        .insertInto('notices')
        .values({ ledger_id: message.ledgerId, sender_country: 'FR', sender_agency: 'NCB-PARIS', subject: type, body: message.envelope.payload.note, priority: 'routine', recipients: JSON.stringify([]), serials: [] })
        .execute();
      if (refuses(message.envelope.payload.note, run)) {
        throw new HubError('VALIDATION_FAILED', 'the note is refused', [{ pointer: '/payload/note', code: 'note.bad', message: `this registry does not take "${message.envelope.payload.note}"` }]);
      }
    },
  };
}
/** Refuses "bad" notes. */
const picky = noteHandler('test.picky', (note) => note === 'bad');
/** Takes "flaky" notes the first time and refuses them when asked again: a handler that is not deterministic. */
const fickle = noteHandler('test.fickle', (note, run) => note === 'bad' || (note === 'flaky' && run > 1));
/** Writes its note as a number: a note that is none is a value the database refuses (SQLSTATE 22P02). */
const numeric: MessageHandler<{ note: string }> = {
  type: 'test.numeric',
  async apply(ctx, message) {
    await sql`insert into notices (ledger_id, sender_country, sender_agency, subject, body, priority, recipients)
      values (${message.ledgerId}, 'FR', 'NCB-PARIS', 'numeric', (${message.envelope.payload.note}::int)::text, 'routine', '[]')`.execute(ctx.trx);
  },
};
const handlers = [picky, fickle, numeric] as MessageHandler<never>[];
const extraSchemas = [noteMessageSchema('test.picky'), noteMessageSchema('test.fickle'), noteMessageSchema('test.numeric')];

function note(type: string, text: string) {
  return { messageId: `note-${Math.random().toString(36).slice(2)}`, type, sender: FR, sentAt: new Date().toISOString(), payload: { note: text } };
}

async function postBatch(t: TestHub, auth: string, lines: unknown[]): Promise<string[]> {
  const res = await t.hub.app!.inject({
    method: 'POST',
    url: '/v1/message-batches',
    headers: { authorization: auth, 'content-type': 'application/x-ndjson' },
    payload: lines.map((l) => JSON.stringify(l)).join('\n'),
  });
  expect(res.statusCode).toBe(200);
  return (res.json().items as { ledgerId: string; status: string }[]).map((i) => {
    expect(i.status).toBe('accepted');
    return i.ledgerId;
  });
}

async function statuses(t: TestHub, ids: string[]): Promise<string[]> {
  const rows = await t.hub.ctx.db.selectFrom('ledger_messages').select(['id', 'status']).where('id', 'in', ids).execute();
  const byId = new Map(rows.map((r) => [r.id, r.status]));
  return ids.map((id) => byId.get(id) ?? 'missing');
}

async function notesWritten(t: TestHub, ids: string[]): Promise<string[]> {
  const rows = await t.hub.ctx.db.selectFrom('notices').select('ledger_id').where('ledger_id', 'in', ids).execute();
  return rows.map((r) => r.ledger_id).sort();
}

async function receipts(t: TestHub, ids: string[]) {
  return t.hub.ctx.db.selectFrom('outbox').select(['source_ledger_id', 'recipient_country']).where('source_ledger_id', 'in', ids).where('type', '=', 'hub.receipt').execute();
}

/** tracehub_rejections_total for FR over REST with the given first error code. */
async function rejectionsCounted(t: TestHub, code: string): Promise<number> {
  const { values } = await t.hub.ctx.metrics.rejections.get();
  return values.find((v) => v.labels.country === 'FR' && v.labels.channel === 'rest' && v.labels.code === code)?.value ?? 0;
}

/** The specification, run against a hub that applies at intake and against one that applies in a job. */
function specifyRefusals(path: 'at intake' | 'by an apply job', applyAtIntake: boolean) {
  describe(`a batch with refused messages, applied ${path}`, () => {
    let t: TestHub;
    let auth: string;
    beforeAll(async () => {
      t = await startTestHub(applyAtIntake ? 'refusals-intake' : 'refusals-queued', { handlers, extraSchemas, tuneConfig: (c) => void (c.pipeline.applyAtIntake = applyAtIntake) });
      auth = (await t.agency('FR', 'NCB-PARIS')).auth;
    });
    afterAll(() => t?.stop());

    async function settled(ids: string[]): Promise<string[]> {
      await waitFor(async () => !(await statuses(t, ids)).includes('validated'), 'every message to be applied or rejected');
      return statuses(t, ids);
    }

    it('rejects each refused message with its errors and receipt, applies every other one once, and runs none more than twice', async () => {
      // 60 messages, every third refused: started over after each refusal, the batch would run ~700 times.
      const texts = Array.from({ length: 60 }, (_, i) => (i % 3 === 1 ? 'bad' : `fine ${i}`));
      const counted = await rejectionsCounted(t, 'note.bad');
      const ids = await postBatch(t, auth, texts.map((text) => note('test.picky', text)));
      const expected = texts.map((text) => (text === 'bad' ? 'rejected' : 'applied'));
      expect(await settled(ids)).toEqual(expected);

      const good = ids.filter((_, i) => expected[i] === 'applied');
      const bad = ids.filter((_, i) => expected[i] === 'rejected');
      expect(await notesWritten(t, ids)).toEqual([...good].sort());
      expect(Math.max(...ids.map((id) => runs.get(id) ?? 0))).toBeLessThanOrEqual(2);
      expect(ids.reduce((sum, id) => sum + (runs.get(id) ?? 0), 0)).toBeLessThanOrEqual(2 * ids.length);

      const sent = await receipts(t, bad);
      expect(sent.map((r) => r.source_ledger_id).sort()).toEqual([...bad].sort());
      expect(new Set(sent.map((r) => r.recipient_country))).toEqual(new Set(['FR']));
      const refused = await t.hub.ctx.db.selectFrom('ledger_messages').select('errors').where('id', '=', bad[0]!).executeTakeFirstOrThrow();
      expect(refused.errors).toEqual([{ pointer: '/payload/note', code: 'note.bad', message: 'this registry does not take "bad"' }]);
      // Operators see them by partner, channel and reason.
      expect(await rejectionsCounted(t, 'note.bad')).toBe(counted + 20);
      for (const id of [good[0]!, bad[0]!]) {
        const apply = (await getLineage(t.hub.ctx.db, id)).filter((e) => e.stage === 'apply');
        expect(apply.map((e) => e.event)).toEqual([id === good[0] ? 'applied' : 'rejected']);
      }
    });

    it('judges refusals reported by set-based handlers and thrown ones in the same batch, keeping the order of the rest', async () => {
      const lines = [note('test.picky', 'one'), notice(FR, ['DE', 'QQ']), note('test.picky', 'bad'), notice(FR, ['DE']), note('test.picky', 'two')];
      const ids = await postBatch(t, auth, lines);
      expect(await settled(ids)).toEqual(['applied', 'rejected', 'rejected', 'applied', 'applied']);
      expect(await notesWritten(t, ids)).toEqual([ids[0]!, ids[3]!, ids[4]!].sort());
      expect((await receipts(t, ids)).map((r) => r.source_ledger_id).sort()).toEqual([ids[1]!, ids[2]!].sort());
    });

    it('stays consistent when a handler judges a message differently the second time it runs it', async () => {
      // "flaky" is taken at first; "bad" is refused, so "flaky" runs again, and is refused then.
      const ids = await postBatch(t, auth, [note('test.fickle', 'flaky'), note('test.fickle', 'bad'), note('test.fickle', 'after')]);
      expect(await settled(ids)).toEqual(['rejected', 'rejected', 'applied']);
      expect(await notesWritten(t, ids)).toEqual([ids[2]!]);
      expect((await receipts(t, ids)).map((r) => r.source_ledger_id).sort()).toEqual([ids[0]!, ids[1]!].sort());
    });

    it('rejects a message carrying a value the database refuses, alone, and applies the rest of its batch', async () => {
      const ids = await postBatch(t, auth, [note('test.numeric', '1'), note('test.numeric', 'one'), note('test.numeric', '3'), notice(FR, ['DE'])]);
      expect(await settled(ids)).toEqual(['applied', 'rejected', 'applied', 'applied']);
      expect(await notesWritten(t, ids)).toEqual([ids[0]!, ids[2]!, ids[3]!].sort());
      const refused = await t.hub.ctx.db.selectFrom('ledger_messages').select('errors').where('id', '=', ids[1]!).executeTakeFirstOrThrow();
      expect(refused.errors).toEqual([{ code: 'value.refused', message: expect.stringContaining('invalid input syntax for type integer: "one"') }]);
      expect((await receipts(t, ids)).map((r) => r.source_ledger_id)).toEqual([ids[1]]);
      // Nothing died, and nothing was retried until its attempts ran out.
      const events = (await Promise.all(ids.map((id) => getLineage(t.hub.ctx.db, id)))).flat().map((e) => e.event);
      expect(events).not.toContain('dead');
      expect(events).not.toContain('failed');
    });
  });
}

specifyRefusals('at intake', true);
specifyRefusals('by an apply job', false);
