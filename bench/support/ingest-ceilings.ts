/**
 * The two ceilings bench/ingest.ts sets the hub against, on the same machine in the same run: the
 * raw one (the ledger's row shape into a table with only a primary key) and the schema one (what
 * an applied hub.notice leaves in the hub's own tables, written bare). See bench/README.md.
 */
import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import { noticeBytes, schemaPool, SENDERS, uuidv7, type BenchEnv } from './harness.js';

export interface CeilingResult {
  connections: number;
  rows: number;
  rowsPerStatement: number;
  seconds: number;
  rowsPerSecond: number;
}

/** Works through `items` in order, on `connections` clients of `db` at once. */
async function onConnections<T>(db: ReturnType<typeof schemaPool>, connections: number, items: readonly T[], work: (client: PoolClient, item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      const client = await db.connect();
      try {
        for (let k = next++; k < items.length; k = next++) await work(client, items[k]!);
      } finally {
        client.release();
      }
    }),
  );
}

/**
 * The ceiling: the same row shape as ledger_messages (uuid, ~430-byte bytea raw, sha256, jsonb
 * envelope, text fields, text[]), 500 rows per multi-row INSERT ... VALUES statement, into a plain
 * table with only a primary key; autocommit, one statement per transaction.
 */
export async function runCeiling(env: BenchEnv, schema: string, n: number, rowsPerStatement: number, connections: number, runId: string): Promise<CeilingResult> {
  const db = schemaPool(env, schema, connections);
  const table = `ledger_like_c${connections}`;
  await db.query(`create table ${table} (
    id uuid primary key, retention_class text not null, received_at timestamptz not null, channel text not null,
    format text not null, content_type text not null, sender_country text, sender_agency text, raw bytea not null,
    sha256 bytea not null, size_bytes integer not null, message_id text, type text, correlation_id text,
    sent_at timestamptz, business_keys text[] not null default '{}', envelope jsonb, status text not null,
    errors jsonb, updated_at timestamptz not null)`);
  const cols = 20;
  const placeholders = (rows: number) =>
    Array.from({ length: rows }, (_, r) => `(${Array.from({ length: cols }, (_, c) => `$${r * cols + c + 1}`).join(',')})`).join(',');
  const sqlText = (rows: number) =>
    `insert into ${table} (id, retention_class, received_at, channel, format, content_type, sender_country, sender_agency, raw, sha256,
      size_bytes, message_id, type, correlation_id, sent_at, business_keys, envelope, status, errors, updated_at) values ${placeholders(rows)}`;
  const fullSql = sqlText(rowsPerStatement);
  // Parameters built before the clock starts, as the hub's would be in memory already.
  const statements: unknown[][] = [];
  for (let i = 0; i < n; ) {
    const params: unknown[] = [];
    for (let j = 0; j < rowsPerStatement && i < n; j++, i++) {
      const raw = Buffer.from(noticeBytes(`${runId}-ceil-${connections}-${i}`, SENDERS.FR, 'DE'));
      const id = uuidv7();
      const now = new Date();
      params.push(id, 'standard', now, 'rest', 'canonical-json', 'application/json', 'FR', 'NCB-PARIS', raw, createHash('sha256').update(raw).digest(), raw.length,
        `${runId}-ceil-${i}`, 'hub.notice', id, now, [`AB${i}`], raw.toString('utf8'), 'validated', null, now);
    }
    statements.push(params);
  }
  const t0 = performance.now();
  await onConnections(db, connections, statements, async (client, params) => {
    const rows = params.length / cols;
    await client.query(rows === rowsPerStatement ? { name: `ceil_${table}`, text: fullSql, values: params } : { text: sqlText(rows), values: params });
  });
  const seconds = (performance.now() - t0) / 1000;
  const inserted = (await db.query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0]!.n;
  await db.end();
  if (inserted !== n) throw new Error(`ceiling: inserted ${inserted} of ${n}`);
  return { connections, rows: n, rowsPerStatement, seconds, rowsPerSecond: n / seconds };
}

/**
 * The schema ceiling: what the hub's own tables cost, with none of its logic. Per message the rows
 * an applied hub.notice leaves behind: its idempotency key (ledger_dedup), its ledger row (status
 * applied, four lineage events), its notices row and one outbox row, into tables created LIKE the
 * hub's (same columns, constraints and indexes, the ledger's GIN included, but not partitioned),
 * one transaction of four multi-row INSERTs per `rowsPerTx` messages on `connections` connections.
 * Bare pg, statements prepared, parameters built before the clock starts.
 */
export async function runSchemaCeiling(env: BenchEnv, hubSchema: string, schema: string, n: number, rowsPerTx: number, connections: number, runId: string): Promise<CeilingResult> {
  const db = schemaPool(env, schema, connections);
  for (const t of ['ledger_dedup', 'ledger_messages', 'notices', 'outbox']) await db.query(`create table ${t} (like "${hubSchema}".${t} including all)`);
  const tables = [
    { name: 'ledger_dedup', cols: ['sender', 'message_id', 'sha256', 'ledger_id', 'retention_class', 'received_at'] },
    {
      name: 'ledger_messages',
      cols: ['id', 'retention_class', 'received_at', 'channel', 'format', 'content_type', 'sender_country', 'sender_agency', 'raw', 'sha256', 'size_bytes', 'message_id', 'type', 'correlation_id', 'sent_at', 'business_keys', 'lineage', 'envelope', 'status', 'updated_at'],
    },
    { name: 'notices', cols: ['ledger_id', 'sender_country', 'sender_agency', 'subject', 'body', 'priority', 'recipients', 'serials'] },
    { name: 'outbox', cols: ['id', 'source_ledger_id', 'correlation_id', 'recipient_country', 'recipient_agency', 'channel', 'format', 'type', 'envelope', 'status', 'delivered_at'] },
  ];
  const insertSql = (t: (typeof tables)[number], rows: number) =>
    `insert into ${t.name} (${t.cols.join(', ')}) values ${Array.from({ length: rows }, (_, r) => `(${t.cols.map((_, c) => `$${r * t.cols.length + c + 1}`).join(',')})`).join(',')}`;
  const transactions: unknown[][][] = [];
  for (let i = 0; i < n; ) {
    const params: unknown[][] = tables.map(() => []);
    for (let j = 0; j < rowsPerTx && i < n; j++, i++) {
      const messageId = `${runId}-schema-${i}`;
      const text = noticeBytes(messageId, SENDERS.FR, 'DE');
      const raw = Buffer.from(text);
      const envelope = JSON.parse(text) as { payload: { subject: string; body: string; to: unknown; serials: string[] } };
      const sha = createHash('sha256').update(raw).digest();
      const id = uuidv7();
      const now = new Date();
      const events = JSON.stringify(['received', 'normalised', 'validated', 'applied'].map((event) => ({ at: now, stage: 'intake', event })));
      params[0]!.push('FR/NCB-PARIS', messageId, sha, id, 'standard', now);
      params[1]!.push(id, 'standard', now, 'rest', 'canonical-json', 'application/json', 'FR', 'NCB-PARIS', raw, sha, raw.length, messageId, 'hub.notice', id, now, envelope.payload.serials, events, text, 'applied', now);
      params[2]!.push(id, 'FR', 'NCB-PARIS', envelope.payload.subject, envelope.payload.body, 'routine', JSON.stringify(envelope.payload.to), envelope.payload.serials);
      params[3]!.push(uuidv7(), id, id, 'DE', null, 'rest', 'canonical-json', 'hub.notice', text, 'delivered', now);
    }
    transactions.push(params);
  }
  const t0 = performance.now();
  await onConnections(db, connections, transactions, async (client, params) => {
    await client.query('begin');
    for (const [ti, t] of tables.entries()) {
      const rows = params[ti]!.length / t.cols.length;
      await client.query(rows === rowsPerTx ? { name: `schema_${t.name}`, text: insertSql(t, rows), values: params[ti]! } : { text: insertSql(t, rows), values: params[ti]! });
    }
    await client.query('commit');
  });
  const seconds = (performance.now() - t0) / 1000;
  const inserted = (await db.query<{ n: number }>('select count(*)::int as n from ledger_messages')).rows[0]!.n;
  await db.end();
  if (inserted !== n) throw new Error(`schema ceiling: inserted ${inserted} of ${n}`);
  return { connections, rows: n, rowsPerStatement: rowsPerTx, seconds, rowsPerSecond: n / seconds };
}
