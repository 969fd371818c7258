import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/ids/uuidv7.js';
import type { OutboxRecord } from '../../src/ledger/ledger-types.js';
import { insertOutbox } from '../../src/ledger/ledger-writer.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';

/**
 * Pull channels (the REST inbox): nothing is sent, so a row is delivered the moment it commits,
 * in the transaction that writes it; except to a paused partner, and never ahead of rows of the
 * same inbox that are still waiting, so the inbox keeps the order the hub wrote.
 */
let t: TestHub;
const pull = new Set(['rest']);

beforeAll(async () => {
  t = await startTestHub('pull_delivery', { start: false });
});
afterAll(() => t?.stop());

function row(country: string, channel = 'rest'): OutboxRecord {
  const id = uuidv7();
  return { id, sourceLedgerId: null, correlationId: `corr-${id}`, recipientCountry: country, recipientAgency: null, channel, format: 'canonical-json', type: 'hub.notice', envelope: { id } };
}

async function statusOf(id: string) {
  return t.hub.ctx.db.selectFrom('outbox').select(['status', 'delivered_at', 'attempts']).where('id', '=', id).executeTakeFirstOrThrow();
}

describe('delivery on a pull channel', () => {
  it('is done as the row commits: delivered, with its time, and no attempt spent', async () => {
    const a = row('DE');
    const delivered = await insertOutbox(t.hub.ctx.db, [a], { channels: pull, paused: new Set() });
    expect([...delivered]).toEqual([a.id]);
    expect(await statusOf(a.id)).toMatchObject({ status: 'delivered', attempts: 0 });
    expect((await statusOf(a.id)).delivered_at).toBeInstanceOf(Date);
  });

  it('waits for a paused partner, and later rows of its inbox wait behind the held ones', async () => {
    const held = row('IT');
    expect((await insertOutbox(t.hub.ctx.db, [held], { channels: pull, paused: new Set(['IT']) })).size).toBe(0);
    expect((await statusOf(held.id)).status).toBe('pending');
    const later = row('IT');
    const other = row('ES');
    const delivered = await insertOutbox(t.hub.ctx.db, [later, other], { channels: pull, paused: new Set() });
    expect([...delivered]).toEqual([other.id]);
    expect((await statusOf(later.id)).status).toBe('pending');
  });

  it('is not used for channels that send (webhook, AMQP, SFTP) or when no pull channel is given', async () => {
    const hook = row('NL', 'webhook');
    const plain = row('PL');
    expect((await insertOutbox(t.hub.ctx.db, [hook], { channels: pull, paused: new Set() })).size).toBe(0);
    expect((await insertOutbox(t.hub.ctx.db, [plain])).size).toBe(0);
    expect((await statusOf(hook.id)).status).toBe('pending');
    expect((await statusOf(plain.id)).status).toBe('pending');
  });

  it('writes a row once: the same record again changes nothing and reports nothing delivered', async () => {
    const a = row('PT');
    await insertOutbox(t.hub.ctx.db, [a], { channels: pull, paused: new Set() });
    expect((await insertOutbox(t.hub.ctx.db, [a], { channels: pull, paused: new Set() })).size).toBe(0);
    const { n } = await t.hub.ctx.db.selectFrom('outbox').select((eb) => eb.fn.countAll<string>().as('n')).where('id', '=', a.id).executeTakeFirstOrThrow();
    expect(Number(n)).toBe(1);
  });
});
