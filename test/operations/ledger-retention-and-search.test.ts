import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { OutboxStatus } from '../../src/db/database-types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/ids/uuidv7.js';
import { maintainPartitions } from '../../src/ledger/ledger-partitions.js';
import type { LedgerEntry } from '../../src/ledger/ledger-types.js';
import { storeEntries } from '../../src/ledger/ledger-writer.js';
import { pruneUnpartitioned } from '../../src/operations/unpartitioned-retention.js';
import { startTestHub, notice, type TestHub } from '../support/test-hub.js';

/** The ledger stays bounded (retention drops whole partitions) and searchable by business keys. */
let t: TestHub;
let admin: { auth: string };

function entryAt(time: Date, retentionClass: string, serial: string): LedgerEntry {
  const id = uuidv7(time.getTime());
  const raw = Buffer.from(`{"n":"${id}"}`);
  return {
    id, retentionClass, receivedAt: new Date(time.getTime()), channel: 'rest', format: 'canonical-json', contentType: 'application/json',
    senderCountry: 'FR', senderAgency: 'NCB-PARIS', raw, sha256: createHash('sha256').update(raw).digest(), messageId: `old-${id}`,
    type: 'hub.notice', businessKeys: [`serial:${serial}`], status: 'rejected', errors: [], events: [{ stage: 'intake', event: 'received', at: time }], outbox: [],
  };
}

beforeAll(async () => {
  // Workers stay off: the scheduled partition job would race the retention steps below.
  t = await startTestHub('retention', { start: false });
  admin = await t.agency(null, 'HUB-OPS');
});
afterAll(() => t?.stop());

describe('ledger retention', () => {
  it('drops a class\'s month partitions once they are older than the class keeps, and nothing else', async () => {
    const { db } = t.hub.ctx;
    const classes = t.hub.ctx.config.hub.retention.classes; // standard: 24 months, short: 3 months
    const now = new Date();
    const fiveMonthsAgo = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 5, 15));
    await maintainPartitions(db, classes, fiveMonthsAgo, { drop: false });
    const oldShort = entryAt(fiveMonthsAgo, 'short', 'OLD1');
    const oldStandard = entryAt(fiveMonthsAgo, 'standard', 'OLD2');
    const recentShort = entryAt(now, 'short', 'NEW1');
    await storeEntries(db, [oldShort, oldStandard, recentShort]);

    const plan = await maintainPartitions(db, classes, now);
    const month = `${fiveMonthsAgo.getUTCFullYear()}_${String(fiveMonthsAgo.getUTCMonth() + 1).padStart(2, '0')}`;
    expect(plan.dropped).toContain(`ledger_messages__short__${month}`);
    expect(plan.dropped.every((p) => p.startsWith('ledger_messages__short__'))).toBe(true);
    expect(plan.dropped.some((p) => p.includes('__standard__'))).toBe(false);

    const left = await db.selectFrom('ledger_messages').select('id').where('id', 'in', [oldShort.id, oldStandard.id, recentShort.id]).execute();
    expect(left.map((r) => r.id).sort()).toEqual([oldStandard.id, recentShort.id].sort());
  });

  it('keeps partitions ready for the coming months', async () => {
    const next = new Date();
    next.setUTCMonth(next.getUTCMonth() + 2, 1);
    const month = `${next.getUTCFullYear()}_${String(next.getUTCMonth() + 1).padStart(2, '0')}`;
    const rows = await sql<{ relname: string }>`select relname from pg_class where relnamespace = current_schema()::regnamespace and relname like ${`ledger_messages__%__${month}`}`.execute(t.hub.ctx.db);
    expect(rows.rows.map((r) => r.relname).sort()).toEqual([`ledger_messages__short__${month}`, `ledger_messages__standard__${month}`]);
  });
});

describe('ledger search', () => {
  it('finds the message about a serial from a country in a time window', async () => {
    const fr = await t.agency('FR', 'NCB-PARIS');
    const de = await t.agency('DE', 'NCB-WIESBADEN');
    const post = (auth: string, body: unknown) => t.hub.app!.inject({ method: 'POST', url: '/v1/messages', headers: { authorization: auth, 'content-type': 'application/json' }, payload: body as object });
    const target = (await post(fr.auth, notice({ country: 'FR', agency: 'NCB-PARIS' }, ['DE'], {}, { serials: ['369J 257'] }))).json().ledgerId;
    await post(de.auth, notice({ country: 'DE', agency: 'NCB-WIESBADEN' }, ['FR'], {}, { serials: ['369J257'] }));
    await post(fr.auth, notice({ country: 'FR', agency: 'NCB-PARIS' }, ['DE'], {}, { serials: ['999X1'] }));

    const from = new Date(Date.now() - 7 * 86400_000).toISOString();
    const res = await t.hub.app!.inject({ method: 'GET', url: `/v1/admin/messages?serial=369j257&sender=FR&from=${encodeURIComponent(from)}`, headers: { authorization: admin.auth } });
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((m: { ledgerId: string }) => m.ledgerId)).toEqual([target]);
  });

  it('answers that search from indexes, not by scanning messages', async () => {
    const plan = await t.hub.ctx.db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      return sql<{ 'QUERY PLAN': string }>`explain select id from ledger_messages
        where business_keys @> array['serial:369J257'] and sender_country = 'FR' and received_at >= now() - interval '7 days'`.execute(trx);
    });
    const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toMatch(/ledger_(keys|sender)_idx|Index/);
    expect(text).not.toMatch(/Seq Scan/);
  });

  it('pages through results with a cursor, newest first', async () => {
    const first = (await t.hub.app!.inject({ method: 'GET', url: '/v1/admin/messages?limit=2', headers: { authorization: admin.auth } })).json();
    expect(first.items).toHaveLength(2);
    const second = (await t.hub.app!.inject({ method: 'GET', url: `/v1/admin/messages?limit=2&before=${first.next}`, headers: { authorization: admin.auth } })).json();
    const ids = [...first.items, ...second.items].map((m: { ledgerId: string }) => m.ledgerId);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort().reverse()).toEqual(ids);
  });
});

describe('retention beside the ledger (outbox, SFTP files)', () => {
  const monthsAgo = (n: number) => {
    const now = new Date();
    return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - n, 10));
  };

  async function outboxRow(country: string, status: OutboxStatus, createdAt: Date): Promise<string> {
    const id = uuidv7();
    await t.hub.ctx.db
      .insertInto('outbox')
      .values({ id, recipient_country: country, channel: 'rest', format: 'canonical-json', type: 'hub.notice', envelope: JSON.stringify({ id }), status, created_at: createdAt })
      .execute();
    return id;
  }

  async function sftpFile(finishedAt: Date | null, options: { duplicateOf?: string; answered?: boolean } = {}): Promise<string> {
    const id = uuidv7();
    const answered = options.answered ?? true;
    await t.hub.ctx.db
      .insertInto('sftp_files')
      .values({
        id, partner_country: 'GB', endpoint: 'GB', name: `${id}.csv`, claimed_path: `processing/${id}.csv`, status: finishedAt ? 'processed' : 'splitting',
        duplicate_of: options.duplicateOf ?? null, received_at: finishedAt ?? new Date(), finished_at: finishedAt,
        receipt_sent_at: answered ? finishedAt : null, moved_to: answered ? `processed/${id}.csv` : null,
      })
      .execute();
    await t.hub.ctx.db.insertInto('sftp_file_chunks').values({ file_id: id, seq: 0, bytes: Buffer.from('a,b\n1,2\n') }).execute();
    return id;
  }

  const exists = async (table: 'outbox' | 'sftp_files', id: string) => (await t.hub.ctx.db.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst()) !== undefined;

  it('deletes finished deliveries and answered files older than the partner keeps, with their chunks, and nothing unfinished or recent', async () => {
    // Every partner here is in class "standard": 24 months.
    const oldDelivered = await outboxRow('FR', 'delivered', monthsAgo(30));
    const oldDead = await outboxRow('DE', 'dead', monthsAgo(30));
    const oldPending = await outboxRow('FR', 'pending', monthsAgo(30));
    const recentAcked = await outboxRow('FR', 'acked', monthsAgo(2));
    const oldFile = await sftpFile(monthsAgo(30));
    const oldUnanswered = await sftpFile(monthsAgo(30), { answered: false });
    const unfinished = await sftpFile(null);
    const recentFile = await sftpFile(monthsAgo(1));
    const original = await sftpFile(monthsAgo(30));
    const recentDuplicate = await sftpFile(monthsAgo(1), { duplicateOf: original });

    const report = await pruneUnpartitioned(t.hub.ctx.db, t.hub.ctx.config);
    expect(report).toEqual({ outbox: 2, sftpFiles: 1, auditLog: 0 });
    expect(await exists('outbox', oldDelivered)).toBe(false);
    expect(await exists('outbox', oldDead)).toBe(false);
    for (const id of [oldPending, recentAcked]) expect(await exists('outbox', id)).toBe(true);
    expect(await exists('sftp_files', oldFile)).toBe(false);
    expect(await t.hub.ctx.db.selectFrom('sftp_file_chunks').select('file_id').where('file_id', '=', oldFile).execute()).toEqual([]);
    // Not answered yet, still being split, recent, or named by a recent duplicate: kept.
    for (const id of [oldUnanswered, unfinished, recentFile, original, recentDuplicate]) expect(await exists('sftp_files', id)).toBe(true);

    // Once the duplicate expires too, both go, the duplicate first.
    await t.hub.ctx.db.updateTable('sftp_files').set({ finished_at: monthsAgo(30) }).where('id', '=', recentDuplicate).execute();
    expect(await pruneUnpartitioned(t.hub.ctx.db, t.hub.ctx.config)).toEqual({ outbox: 0, sftpFiles: 2, auditLog: 0 });
    expect(await exists('sftp_files', original)).toBe(false);
  });
});
