/**
 * AMQP -> applied throughput of a real `tracehub start` process (records/s from publish to the
 * record rows in PostgreSQL), beside the raw ceiling of the same machine in the same run: a bare
 * amqplib consumer that parses the same messages and INSERTs the same record rows in batches,
 * acknowledging after each commit.
 *
 *   npm run bench:amqp -- [--n 20000] [--warmup 1000] [--ceiling-batch 500] [--runtime compiled|tsx]
 *                         [--no-build] [--ref GIT_REF] [--timeout 300] [--keep] [--json]
 *
 * Needs PostgreSQL, Redis and RabbitMQ on their local default ports, and rabbitmqctl (the run
 * gets a virtual host of its own, deleted at the end). See bench/README.md.
 */
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { connect, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { from as copyFrom } from 'pg-copy-streams';
import { uuidv7 } from '../src/ids/uuidv7.js';
import type { Envelope, RecordUpsert } from '../src/messages/generated-types.js';
import { loadSchemaCatalog } from '../src/messages/schema-catalog.js';
import { prepareRecord } from '../src/records/record-preparation.js';
import { loadReferenceCatalogue } from '../src/reference/reference-catalogue.js';
import { DEDUP_COLUMNS, dedupLine, LEDGER_COLUMNS, ledgerLine, RECORD_COLUMNS, recordLine, VERSION_COLUMNS, versionLine } from './support/copy-rows.js';
import {
  benchEnv,
  buildHub,
  cleanup,
  createAgency,
  hubSource,
  intFlag,
  log,
  machineCpuSeconds,
  parseFlags,
  schemaPool,
  sleep,
  startHub,
  useRef,
  type BenchEnv,
  type HubProcess,
  type Runtime,
  usageStart,
  type Usage,
} from './support/harness.js';

const flags = parseFlags(process.argv.slice(2));
const N = intFlag(flags, 'n', 20_000);
const WARMUP = flags.has('warmup') ? Number(flags.get('warmup')) : 1000;
const CEIL_BATCH = intFlag(flags, 'ceiling-batch', 500);
const TIMEOUT_S = intFlag(flags, 'timeout', 300);
const RUNTIME: Runtime = flags.get('runtime') === 'tsx' ? 'tsx' : 'compiled';
const JSON_OUT = flags.has('json');
const POLL_MS = 50;
/** Publishes in flight before waiting for the broker's confirms. */
const PUBLISH_WINDOW = 1000;

const run = promisify(execFile);
const rabbitmqctl = (...args: string[]) => run('rabbitmqctl', ['-q', ...args], { timeout: 60_000 });

const BE = { country: 'BE', agency: 'NCB-BRUSSELS' };
const SENT_AT = new Date().toISOString();

/** A record.upsert as a registry would push it; ~700 bytes, distinct owner reference and serial. */
function recordMessage(runId: string, i: number): Buffer {
  return Buffer.from(
    JSON.stringify({
      messageId: `${runId}-${i}`,
      type: 'record.upsert',
      sender: BE,
      sentAt: SENT_AT,
      payload: {
        ownerReference: `${runId}-REC-${i}`,
        status: 'STOLEN',
        firearm: {
          serials: [{ value: `BX${runId.slice(-4).toUpperCase()}${String(i).padStart(7, '0')}`, location: 'frame' }],
          make: i % 3 === 0 ? 'Glock' : i % 3 === 1 ? 'Smith & Wesson' : 'Beretta',
          model: i % 3 === 0 ? '17' : i % 3 === 1 ? 'M&P9' : '92FS',
          calibre: '9mm Luger',
          type: 'pistol',
          countryOfManufacture: 'AT',
        },
        event: { date: '2026-10-01', caseNumber: `PV-${runId}-${i}`, place: { country: 'BE', locality: 'Antwerpen' }, illicitBasis: 'national-law', circumstances: 'Theft from a registered holder during a burglary' },
      },
    }),
  );
}


/** Publishes to an exchange on a confirm channel, PUBLISH_WINDOW at a time; resolves when all are confirmed. */
async function publishAll(conn: ChannelModel, exchange: string, routingKey: string, bodies: Buffer[]): Promise<number> {
  const ch = await conn.createConfirmChannel();
  const t0 = performance.now();
  for (let i = 0; i < bodies.length; i += PUBLISH_WINDOW) {
    for (const body of bodies.slice(i, i + PUBLISH_WINDOW)) ch.publish(exchange, routingKey, body, { persistent: true, contentType: 'application/json' });
    await ch.waitForConfirms();
  }
  const seconds = (performance.now() - t0) / 1000;
  await ch.close();
  return seconds;
}

interface HubResult {
  records: number;
  publishSeconds: number;
  appliedSeconds: number;
  recordsPerSecond: number;
  complete: boolean;
  usage: Usage;
}

async function runHub(hub: HubProcess, db: ReturnType<typeof schemaPool>, conn: ChannelModel, bodies: Buffer[], label: string): Promise<HubResult> {
  const count = async () => (await db.query<{ n: number }>(`select count(*)::int as n from records where owner_country = 'BE'`)).rows[0]!.n;
  const base = await count();
  const usageEnd = await usageStart(hub);
  const t0 = performance.now();
  const publishing = publishAll(conn, 'tracehub.in.BE', '', bodies);
  const deadline = Date.now() + TIMEOUT_S * 1000;
  let seen = base;
  let tApplied = t0;
  for (;;) {
    seen = await count();
    tApplied = performance.now();
    if (seen - base >= bodies.length || Date.now() > deadline) break;
    // Counting a growing table costs the database a few ms a time, which the ceiling run does not
    // pay: look rarely until the end is near, then often, for a precise end time.
    await sleep((seen - base) / bodies.length < 0.9 ? POLL_MS * 5 : POLL_MS);
  }
  const publishSeconds = await publishing;
  const usage = await usageEnd();
  const appliedSeconds = (tApplied - t0) / 1000;
  const records = seen - base;
  log(`${label}: ${records}/${bodies.length} records applied in ${appliedSeconds.toFixed(2)} s`);
  return { records, publishSeconds, appliedSeconds, recordsPerSecond: records / appliedSeconds, complete: records === bodies.length, usage };
}

interface CeilingResult {
  records: number;
  seconds: number;
  recordsPerSecond: number;
  batches: number;
}

/**
 * A bare amqplib consumer on a quorum queue of its own (prefetch 2 x batch): gathers messages into
 * batches of CEIL_BATCH (or what arrived within 5 ms), hands each to `write`, two in flight, and
 * acknowledges a batch's messages once `write` resolved (after its commit). Publishes `bodies`
 * while it consumes, as for the hub; the clock runs from the first publish to the last commit.
 */
async function consumeInBatches(conn: ChannelModel, queue: string, bodies: Buffer[], write: (batch: ConsumeMessage[]) => Promise<void>): Promise<{ seconds: number; batches: number }> {
  const setup = await conn.createChannel();
  await setup.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await setup.close();
  const ch = await conn.createChannel();
  await ch.prefetch(CEIL_BATCH * 2);
  let written = 0;
  let batches = 0;
  const pending: ConsumeMessage[] = [];
  let timer: NodeJS.Timeout | undefined;
  let inFlight = 0;
  let done!: () => void;
  let failed!: (err: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => ((done = resolve), (failed = reject)));
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0 || inFlight >= 2) return;
    const batch = pending.splice(0, CEIL_BATCH);
    inFlight++;
    write(batch).then(() => {
      // Deliveries may complete out of order, so each message is acked.
      for (const m of batch) ch.ack(m);
      written += batch.length;
      batches++;
      inFlight--;
      if (written >= bodies.length) done();
      else flush();
    }, failed);
  };
  const t0 = performance.now();
  await ch.consume(queue, (m) => {
    if (!m) return;
    pending.push(m);
    if (pending.length >= CEIL_BATCH) flush();
    else timer ??= setTimeout(flush, 5);
  });
  await publishAll(conn, '', queue, bodies);
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  await ch.close();
  return { seconds, batches };
}

/** The raw ceiling: each message parsed and its record's columns INSERTed into a plain table (primary key, owner-reference unique key). */
async function runCeiling(env: BenchEnv, schema: string, conn: ChannelModel, bodies: Buffer[]): Promise<CeilingResult> {
  const db = schemaPool(env, schema, 2);
  await db.query(`create table ceiling_records (
    id uuid primary key, owner_country text not null, owner_agency text not null, owner_reference text not null, status text not null,
    serial text not null, make_text text not null, model text, calibre_text text not null, type_text text not null,
    country_of_manufacture text, event_date date not null, case_number text not null, firearm jsonb not null, event jsonb not null,
    created_at timestamptz not null default now(), unique (owner_country, owner_reference))`);
  const { seconds, batches } = await consumeInBatches(conn, 'bench.ceiling', bodies, async (batch) => {
    const rows = batch.map((m) => JSON.parse(m.content.toString('utf8')) as { sender: { country: string; agency: string }; payload: { ownerReference: string; status: string; firearm: { serials: { value: string }[]; make: string; model: string; calibre: string; type: string; countryOfManufacture: string }; event: { date: string; caseNumber: string } } });
    const col = <T>(f: (r: (typeof rows)[number]) => T) => rows.map(f);
    await db.query(
      `insert into ceiling_records (id, owner_country, owner_agency, owner_reference, status, serial, make_text, model, calibre_text, type_text, country_of_manufacture, event_date, case_number, firearm, event)
       select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::date[], $13::text[], $14::jsonb[], $15::jsonb[])`,
      [
        col(() => randomUUID()), col((r) => r.sender.country), col((r) => r.sender.agency), col((r) => r.payload.ownerReference), col((r) => r.payload.status),
        col((r) => r.payload.firearm.serials[0]!.value), col((r) => r.payload.firearm.make), col((r) => r.payload.firearm.model), col((r) => r.payload.firearm.calibre),
        col((r) => r.payload.firearm.type), col((r) => r.payload.firearm.countryOfManufacture), col((r) => r.payload.event.date), col((r) => r.payload.event.caseNumber),
        col((r) => JSON.stringify(r.payload.firearm)), col((r) => JSON.stringify(r.payload.event)),
      ],
    );
  });
  const n = (await db.query<{ n: number }>('select count(*)::int as n from ceiling_records')).rows[0]!.n;
  await db.end();
  if (n !== bodies.length) throw new Error(`ceiling: inserted ${n} of ${bodies.length}`);
  return { records: n, seconds, recordsPerSecond: n / seconds, batches };
}

/**
 * The schema ceiling: the rows the hub writes for one applied record.upsert (its idempotency key,
 * its ledger row, the record and its first version), COPYed bare into tables created LIKE the
 * hub's (same columns, constraints and indexes, GINs included), one transaction of four COPYs
 * per batch. The rows, match keys included, are prepared before the clock starts (with the hub's
 * own prepareRecord), so what is timed is the broker and the schema, not the hub's logic.
 */
async function runSchemaCeiling(env: BenchEnv, hubSchema: string, schema: string, conn: ChannelModel, bodies: Buffer[]): Promise<CeilingResult> {
  const db = schemaPool(env, schema, 2);
  for (const t of ['ledger_dedup', 'ledger_messages', 'records', 'record_versions']) await db.query(`create table ${t} (like "${hubSchema}".${t} including all)`);
  const reference = loadReferenceCatalogue(undefined, loadSchemaCatalog());
  const at = new Date().toISOString();
  const reviewDate = `${new Date().getUTCFullYear() + 5}${at.slice(4, 10)}`;
  const rows = new Map<string, { dedup: string; ledger: string; record: string; version: string }>();
  for (const raw of bodies) {
    const envelope = JSON.parse(raw.toString('utf8')) as Envelope & { payload: RecordUpsert };
    const p = prepareRecord(envelope.payload, envelope.sender, reference);
    const ledgerId = uuidv7();
    const recordId = uuidv7();
    const m = { id: ledgerId, channel: 'amqp', sender: BE, raw, sha256: createHash('sha256').update(raw).digest(), messageId: envelope.messageId, type: envelope.type, sentAt: envelope.sentAt, businessKeys: [`serial:${p.serialKey}`], events: ['received', 'normalised', 'validated', 'applied'], at };
    rows.set(envelope.messageId, { dedup: dedupLine(m), ledger: ledgerLine(m), record: recordLine(p, recordId, ledgerId, p.reviewDate ?? reviewDate, at), version: versionLine(p, recordId, ledgerId, at) });
  }
  const tables = [
    { name: 'ledger_dedup', columns: DEDUP_COLUMNS, line: 'dedup' },
    { name: 'ledger_messages', columns: LEDGER_COLUMNS, line: 'ledger' },
    { name: 'records', columns: RECORD_COLUMNS, line: 'record' },
    { name: 'record_versions', columns: VERSION_COLUMNS, line: 'version' },
  ] as const;
  const { seconds, batches } = await consumeInBatches(conn, 'bench.schema-ceiling', bodies, async (batch) => {
    const prepared = batch.map((m) => rows.get((JSON.parse(m.content.toString('utf8')) as { messageId: string }).messageId)!);
    const client = await db.connect();
    try {
      await client.query('begin');
      for (const t of tables) await pipeline(Readable.from([`${prepared.map((r) => r[t.line]).join('\n')}\n`]), client.query(copyFrom(`copy ${t.name} (${t.columns}) from stdin`)));
      await client.query('commit');
    } finally {
      client.release();
    }
  });
  const n = (await db.query<{ n: number }>('select count(*)::int as n from records')).rows[0]!.n;
  await db.end();
  if (n !== bodies.length) throw new Error(`schema ceiling: copied ${n} of ${bodies.length} records`);
  return { records: n, seconds, recordsPerSecond: n / seconds, batches };
}

function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '-';
}

async function main(): Promise<number> {
  const started = performance.now();
  const ref = flags.get('ref');
  if (typeof ref === 'string') useRef(ref);
  let build: { seconds: number; typeErrors: boolean } | undefined;
  if (RUNTIME === 'compiled' && !flags.has('no-build')) {
    log('compiling with tsc into bench/results/build ...');
    build = await buildHub();
    log(`compiled in ${build.seconds.toFixed(1)} s${build.typeErrors ? ' (with type errors)' : ''}`);
  }
  const idle0 = machineCpuSeconds();
  await sleep(1000);
  const idle1 = machineCpuSeconds();
  const backgroundCores = ((idle1.busy - idle0.busy) / (idle1.total - idle0.total)) * availableParallelism();
  if (backgroundCores > 0.25) log(`warning: the machine was already busy (${backgroundCores.toFixed(2)} cores) before the run; figures will be low and noisy`);

  const base = await benchEnv('amqp');
  const vhost = base.DATABASE_SCHEMA;
  const ceilingSchema = `${base.DATABASE_SCHEMA}_ceil`;
  const configDir = await mkdtemp(join(tmpdir(), 'tracehub-bench-amqp-'));
  const amqpBase = new URL(process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672');
  amqpBase.pathname = `/${encodeURIComponent(vhost)}`;
  const env = { ...base, AMQP_URL: amqpBase.toString(), CONFIG_DIR: configDir };
  const runId = base.DATABASE_SCHEMA.slice(-6);
  let hub: HubProcess | undefined;
  let db: ReturnType<typeof schemaPool> | undefined;
  let conn: ChannelModel | undefined;
  let exitCode = 0;
  const tidy = async () => {
    await conn?.close().catch(() => undefined);
    await db?.end().catch(() => undefined);
    await hub?.stop().catch(() => undefined);
    if (flags.has('keep')) {
      log(`--keep: left schemas ${base.DATABASE_SCHEMA}, ${ceilingSchema}, vhost ${vhost}, config ${configDir}`);
      return;
    }
    await rabbitmqctl('delete_vhost', vhost).catch((e: unknown) => log(`could not delete vhost ${vhost}: ${String(e)}`));
    await rm(configDir, { recursive: true, force: true });
    const c = await cleanup(base, [base.DATABASE_SCHEMA, ceilingSchema, `${ceilingSchema}_schema`]).catch((e: unknown) => (log(`cleanup failed: ${String(e)}`), undefined));
    if (c) log(`cleaned up: vhost ${vhost}, schemas ${base.DATABASE_SCHEMA}, ${ceilingSchema}(_schema), ${c.keysDeleted} Redis keys`);
  };
  process.once('SIGINT', () => {
    log('interrupted; cleaning up');
    hub?.child.kill('SIGKILL');
    hub = undefined;
    void tidy().finally(() => process.exit(130));
  });
  try {
    log(`hub source: ${hubSource().label}; schema/prefix/vhost ${vhost}, port ${base.PORT}, runtime ${RUNTIME}`);
    await rabbitmqctl('add_vhost', vhost);
    await rabbitmqctl('set_permissions', '-p', vhost, decodeURIComponent(amqpBase.username || 'guest'), '.*', '.*', '.*');
    // The hub's configuration plus one country that sends records over AMQP.
    await cp(join(hubSource().root, 'config'), configDir, { recursive: true });
    await writeFile(join(configDir, 'partners', 'BE.json'), await readFile(join(hubSource().root, 'config', 'examples', 'partners', 'BE.json')));
    const hubJson = JSON.parse(await readFile(join(configDir, 'hub.json'), 'utf8')) as { amqp?: { prefetch?: number }; pipeline: Record<string, number> };

    await createAgency(RUNTIME, env as BenchEnv, { country: 'BE', code: BE.agency, name: 'INTERPOL NCB Brussels' });
    hub = await startHub(RUNTIME, env as BenchEnv);
    log(`hub ready at ${hub.baseUrl} (pid ${hub.child.pid})`);
    db = schemaPool(base);
    const pgVersion = (await db.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]!.v;
    conn = await connect(amqpBase.toString());
    const rmqVersion = String(conn.connection.serverProperties.version ?? '?');

    if (WARMUP > 0) {
      const w = await runHub(hub, db, conn, Array.from({ length: WARMUP }, (_, i) => recordMessage(`${runId}w`, i)), 'warm-up');
      if (!w.complete) throw new Error('warm-up did not complete');
    }
    const bodies = Array.from({ length: N }, (_, i) => recordMessage(runId, i));
    const bytes = bodies.reduce((n, b) => n + b.length, 0);
    log(`hub: publishing ${N} record.upsert messages (${Math.round(bytes / N)} bytes each) to tracehub.in.BE ...`);
    const hubResult = await runHub(hub, db, conn, bodies, 'hub');
    if (!hubResult.complete) exitCode = 1;

    // The ceiling runs while the hub is idle (its process stays up; nothing arrives for it).
    await db.query(`create schema "${ceilingSchema}"`);
    log(`ceiling: bare amqplib consumer, ${N} records, ${CEIL_BATCH} per INSERT ...`);
    const ceiling = await runCeiling(base, ceilingSchema, conn, Array.from({ length: N }, (_, i) => recordMessage(`${runId}c`, i)));
    log(`schema ceiling: bare amqplib consumer, ${N} records COPYed into the hub's own tables, ${CEIL_BATCH} per transaction ...`);
    await db.query(`create schema "${ceilingSchema}_schema"`);
    const schemaCeiling = await runSchemaCeiling(base, base.DATABASE_SCHEMA, `${ceilingSchema}_schema`, conn, Array.from({ length: N }, (_, i) => recordMessage(`${runId}s`, i)));
    const ratio = hubResult.recordsPerSecond / ceiling.recordsPerSecond;
    const schemaRatio = hubResult.recordsPerSecond / schemaCeiling.recordsPerSecond;
    const totalSeconds = (performance.now() - started) / 1000;
    const results = {
      config: { source: hubSource().label, n: N, warmup: WARMUP, runtime: RUNTIME, ceilingBatch: CEIL_BATCH, prefetch: hubJson.amqp?.prefetch, hubPipeline: hubJson.pipeline, messageBytes: Math.round(bytes / N) },
      machine: { cores: availableParallelism(), node: process.version, postgres: pgVersion, rabbitmq: rmqVersion, backgroundCoresBeforeRun: backgroundCores },
      hub: hubResult,
      ceiling,
      ratio,
      schemaCeiling,
      schemaRatio,
      buildSeconds: build?.seconds,
      totalSeconds,
      ok: hubResult.complete,
    };
    if (JSON_OUT) {
      process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    } else {
      const u = hubResult.usage;
      const st = Object.entries(u.stages).map(([k, v]) => `${k} ${v.batches}x${fmt(v.meanMs, 1)}ms=${fmt(v.seconds, 2)}s`).join(', ');
      process.stdout.write(
        [
          '',
          `Tracehub AMQP ingest benchmark (${hubSource().label}): N=${N} record.upsert, ${RUNTIME}, ${availableParallelism()} cores, Node ${process.version}, PostgreSQL ${pgVersion}, RabbitMQ ${rmqVersion}`,
          `background load before the run: ${backgroundCores.toFixed(2)} cores busy${backgroundCores > 0.25 ? ' (NOT idle: figures are skewed)' : ''}; prefetch ${hubJson.amqp?.prefetch ?? '-'}, ingestMaxBatch ${hubJson.pipeline.ingestMaxBatch}, applyBatchSize ${hubJson.pipeline.applyBatchSize}`,
          '',
          `hub      publish -> applied: ${fmt(hubResult.records)} records in ${fmt(hubResult.appliedSeconds, 2)} s = ${fmt(hubResult.recordsPerSecond)} records/s (published in ${fmt(hubResult.publishSeconds, 2)} s)`,
          `ceiling  publish -> inserted: ${fmt(ceiling.records)} records in ${fmt(ceiling.seconds, 2)} s = ${fmt(ceiling.recordsPerSecond)} records/s (${ceiling.batches} batches)`,
          `schema   publish -> copied:   ${fmt(schemaCeiling.records)} records in ${fmt(schemaCeiling.seconds, 2)} s = ${fmt(schemaCeiling.recordsPerSecond)} records/s (the hub's own tables, bare COPY; ${schemaCeiling.batches} batches)`,
          `hub/ceiling: ${ratio.toFixed(3)}  (goal: at least 0.5); hub/schema ceiling: ${schemaRatio.toFixed(3)}; schema ceiling/ceiling: ${(schemaCeiling.recordsPerSecond / ceiling.recordsPerSecond).toFixed(3)}`,
          `hub CPU: ${u.hubCores.toFixed(2)} cores, machine ${u.machineCores.toFixed(2)} of ${availableParallelism()}; stage time ${st || '-'}`,
          `total run ${totalSeconds.toFixed(1)} s${build ? ` (build ${build.seconds.toFixed(1)} s)` : ''}`,
          ...(hubResult.complete ? [] : [`FAILED: only ${hubResult.records} of ${N} records applied within ${TIMEOUT_S} s`]),
          '',
        ].join('\n'),
      );
    }
  } catch (err) {
    exitCode = 1;
    log(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    if (hub) log(`last hub output:\n${hub.tail.join('\n')}`);
  } finally {
    await tidy();
  }
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(String(err));
    process.exit(1);
  },
);
