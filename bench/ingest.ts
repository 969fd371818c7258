/**
 * REST -> applied throughput of a real `tracehub start` process, against the raw ceiling of a
 * bare batched INSERT of the same row shape.
 *
 *   npm run bench:ingest -- [--n 20000] [--concurrency 64] [--batch-size 500] [--batch-concurrency 4]
 *                           [--ceiling-connections 4] [--runtime compiled|tsx] [--no-build] [--ref GIT_REF]
 *                           [--timeout 300] [--warmup 500] [--json]
 *
 * See bench/README.md for what the figures mean.
 */
import { availableParallelism } from 'node:os';
import { Pool } from 'undici';
import {
  benchEnv,
  buildHub,
  cleanup,
  createAgency,
  hubConfig,
  hubSource,
  intFlag,
  log,
  machineCpuSeconds,
  noticeBytes,
  parseFlags,
  percentile,
  schemaPool,
  SENDERS,
  sleep,
  startHub,
  type HubProcess,
  useRef,
  type Runtime,
  usageStart,
  type Usage,
} from './support/harness.js';
import { runCeiling, runSchemaCeiling } from './support/ingest-ceilings.js';

const flags = parseFlags(process.argv.slice(2));
const N = intFlag(flags, 'n', 20_000);
const C = intFlag(flags, 'concurrency', 64);
const BATCH = intFlag(flags, 'batch-size', 500);
const BATCH_C = intFlag(flags, 'batch-concurrency', 4);
const CEIL_ROWS = intFlag(flags, 'ceiling-batch', 500);
const CEIL_CONNS = intFlag(flags, 'ceiling-connections', 4);
const TIMEOUT_S = intFlag(flags, 'timeout', 300);
const WARMUP = flags.has('warmup') ? Number(flags.get('warmup')) : 500;
const RUNTIME: Runtime = flags.get('runtime') === 'tsx' ? 'tsx' : 'compiled';
const JSON_OUT = flags.has('json');
const POLL_MS = 50;

if (BATCH > 1000) throw new Error('--batch-size is at most 1000 (config/hub.json http.batchMaxMessages)');
if (CEIL_ROWS * 20 > 65_535) throw new Error('--ceiling-batch too large for one statement (20 parameters a row)');

interface ModeResult {
  mode: 'single' | 'batch';
  messages: number;
  acknowledged: number;
  errors: number;
  errorSamples: string[];
  /** First send to last response. */
  intakeSeconds: number;
  /** First send to the moment all acknowledged messages were seen applied. */
  appliedSeconds: number;
  appliedCount: number;
  complete: boolean;
  intakePerSecond: number;
  appliedPerSecond: number;
  requests: number;
  latencyMs?: { p50: number; p90: number; p99: number; max: number; mean: number };
  usage?: Usage;
}


async function appliedCount(db: ReturnType<typeof schemaPool>): Promise<number> {
  return (await db.query<{ n: number }>(`select count(*)::int as n from ledger_messages where status = 'applied'`)).rows[0]!.n;
}

/**
 * Waits until every acknowledged message is applied. Intake commits a message before it answers,
 * so once the last answer is in, "all applied" is "nothing left 'validated'" (plus the exact count
 * check below). That is read through the hub's partial index on unfinished rows, with bitmap scans
 * off for this session so the index scan marks dead entries as it goes: a poll then costs well under
 * a millisecond instead of the ~50 ms (and, on 2 cores, a parallel seq scan competing with the hub)
 * of `count(*) where status = 'applied'` over a table of updated rows. The exact count runs once,
 * after the clock has stopped.
 */
async function waitApplied(db: ReturnType<typeof schemaPool>, sending: Promise<unknown>, target: () => number, deadline: number): Promise<{ at: number; count: number; complete: boolean }> {
  await sending;
  const client = await db.connect();
  let at: number;
  try {
    await client.query('set enable_bitmapscan = off');
    for (;;) {
      const pending = (await client.query<{ n: number }>({ name: 'pending', text: `select count(*)::int as n from ledger_messages where status in ('received', 'validated')` })).rows[0]!.n;
      at = performance.now();
      if (pending === 0 || Date.now() > deadline) break;
      await sleep(POLL_MS);
    }
  } finally {
    client.release();
  }
  // Exact check (not timed). Nothing 'validated' is left, so nothing more will be applied: rows
  // rejected or dead at apply would leave the target unmet, and the mode is reported incomplete.
  const count = await appliedCount(db);
  return { at, count, complete: count >= target() };
}

function keyFor(i: number, keys: { FR: string; DE: string }) {
  return i % 2 === 0 ? { from: SENDERS.FR, to: 'DE', auth: `Bearer ${keys.FR}` } : { from: SENDERS.DE, to: 'FR', auth: `Bearer ${keys.DE}` };
}

async function runSingle(hub: HubProcess, db: ReturnType<typeof schemaPool>, keys: { FR: string; DE: string }, runId: string, n: number, concurrency: number, label: 'single' | 'warmup'): Promise<ModeResult> {
  // Bodies are built before the clock starts: the client shares the machine's cores with the hub.
  const bodies = Array.from({ length: n }, (_, i) => {
    const k = keyFor(i, keys);
    return { body: Buffer.from(noticeBytes(`${runId}-${label}-${i}`, k.from, k.to)), auth: k.auth };
  });
  const pool = new Pool(hub.baseUrl, { connections: concurrency, pipelining: 1, headersTimeout: 30_000, bodyTimeout: 30_000, keepAliveTimeout: 60_000 });
  const base = await appliedCount(db);
  const latencies = new Float64Array(n);
  let next = 0;
  let acked = 0;
  let errors = 0;
  let done = 0;
  const errorSamples: string[] = [];
  const deadline = Date.now() + TIMEOUT_S * 1000;
  let target = Number.POSITIVE_INFINITY;
  const usageEnd = await usageStart(hub);
  const t0 = performance.now();
  let tLast = t0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= n || Date.now() > deadline) return;
      const { body, auth } = bodies[i]!;
      const s = performance.now();
      try {
        const res = await pool.request({ path: '/v1/messages', method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body });
        const text = await res.body.text();
        if (res.statusCode === 202) acked++;
        else {
          errors++;
          if (errorSamples.length < 5) errorSamples.push(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
        }
      } catch (err) {
        errors++;
        if (errorSamples.length < 5) errorSamples.push(String(err));
      }
      const e = performance.now();
      latencies[done++] = e - s;
      tLast = e;
    }
  };
  const sending = Promise.all(Array.from({ length: concurrency }, worker)).then(() => {
    target = base + acked;
  });
  const applied = waitApplied(db, sending, () => target, deadline + 60_000);
  await sending;
  const tIntake = tLast;
  const seen = await applied;
  const usage = await usageEnd();
  await pool.close();
  const lat = latencies.slice(0, done).sort();
  const intakeSeconds = (tIntake - t0) / 1000;
  const appliedSeconds = (seen.at - t0) / 1000;
  return {
    mode: 'single',
    messages: n,
    acknowledged: acked,
    errors,
    errorSamples,
    intakeSeconds,
    appliedSeconds,
    appliedCount: seen.count - base,
    complete: seen.complete && errors === 0 && next >= n,
    intakePerSecond: acked / intakeSeconds,
    appliedPerSecond: (seen.count - base) / appliedSeconds,
    requests: done,
    usage,
    latencyMs: { p50: percentile(lat, 50), p90: percentile(lat, 90), p99: percentile(lat, 99), max: lat[lat.length - 1] ?? NaN, mean: lat.reduce((a, b) => a + b, 0) / (lat.length || 1) },
  };
}

async function runBatch(hub: HubProcess, db: ReturnType<typeof schemaPool>, keys: { FR: string; DE: string }, runId: string, n: number, size: number, concurrency: number): Promise<ModeResult> {
  const batches: { body: Buffer; auth: string; lines: number }[] = [];
  for (let b = 0, i = 0; i < n; b++) {
    const k = keyFor(b, keys);
    const lines: string[] = [];
    for (let j = 0; j < size && i < n; j++, i++) lines.push(noticeBytes(`${runId}-batch-${i}`, k.from, k.to));
    batches.push({ body: Buffer.from(lines.join('\n') + '\n'), auth: k.auth, lines: lines.length });
  }
  const pool = new Pool(hub.baseUrl, { connections: concurrency, pipelining: 1, headersTimeout: 120_000, bodyTimeout: 120_000 });
  const base = await appliedCount(db);
  let next = 0;
  let acked = 0;
  let errors = 0;
  let requests = 0;
  const errorSamples: string[] = [];
  const deadline = Date.now() + TIMEOUT_S * 1000;
  let target = Number.POSITIVE_INFINITY;
  const usageEnd = await usageStart(hub);
  const t0 = performance.now();
  let tLast = t0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= batches.length || Date.now() > deadline) return;
      const { body, auth, lines } = batches[i]!;
      try {
        const res = await pool.request({ path: '/v1/message-batches', method: 'POST', headers: { 'content-type': 'application/x-ndjson', authorization: auth }, body });
        const text = await res.body.text();
        if (res.statusCode === 200) {
          const r = JSON.parse(text) as { accepted: number; rejected: number; duplicates: number };
          acked += r.accepted;
          if (r.accepted !== lines) {
            errors += lines - r.accepted;
            if (errorSamples.length < 5) errorSamples.push(`batch ${i}: accepted ${r.accepted}/${lines}, rejected ${r.rejected}, duplicates ${r.duplicates}: ${text.slice(0, 300)}`);
          }
        } else {
          errors += lines;
          if (errorSamples.length < 5) errorSamples.push(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
        }
      } catch (err) {
        errors += lines;
        if (errorSamples.length < 5) errorSamples.push(String(err));
      }
      requests++;
      tLast = performance.now();
    }
  };
  const sending = Promise.all(Array.from({ length: concurrency }, worker)).then(() => {
    target = base + acked;
  });
  const applied = waitApplied(db, sending, () => target, deadline + 60_000);
  await sending;
  const tIntake = tLast;
  const seen = await applied;
  const usage = await usageEnd();
  await pool.close();
  const intakeSeconds = (tIntake - t0) / 1000;
  const appliedSeconds = (seen.at - t0) / 1000;
  return {
    mode: 'batch',
    messages: n,
    acknowledged: acked,
    errors,
    errorSamples,
    intakeSeconds,
    appliedSeconds,
    appliedCount: seen.count - base,
    complete: seen.complete && errors === 0 && next >= batches.length,
    intakePerSecond: acked / intakeSeconds,
    appliedPerSecond: (seen.count - base) / appliedSeconds,
    requests,
    usage,
  };
}

function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '-';
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r, i) => {
    const line = r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
    return i === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
  }).join('\n');
}

async function main(): Promise<number> {
  const started = performance.now();
  const ref = flags.get('ref');
  if (typeof ref === 'string') useRef(ref);
  const cfg = hubConfig().pipeline;
  let build: { seconds: number; typeErrors: boolean } | undefined;
  if (RUNTIME === 'compiled' && !flags.has('no-build')) {
    log('compiling with tsc into bench/results/build ...');
    build = await buildHub();
    log(`compiled in ${build.seconds.toFixed(1)} s${build.typeErrors ? ' (with type errors)' : ''}`);
  }
  // What else the machine is doing (another test run, a linter) skews every figure: measure it.
  const idle0 = machineCpuSeconds();
  await sleep(1000);
  const idle1 = machineCpuSeconds();
  const backgroundCores = (idle1.busy - idle0.busy) / (idle1.total - idle0.total) * availableParallelism();
  if (backgroundCores > 0.25) log(`warning: the machine was already busy (${backgroundCores.toFixed(2)} cores) before the run; figures will be low and noisy`);
  const env = await benchEnv('ingest');
  const ceilingSchema = `${env.DATABASE_SCHEMA}_ceil`;
  const runId = env.DATABASE_SCHEMA.slice(-6);
  let hub: HubProcess | undefined;
  let db: ReturnType<typeof schemaPool> | undefined;
  let exitCode = 0;
  const onSignal = () => {
    log('interrupted; cleaning up');
    hub?.child.kill('SIGKILL');
    void cleanup(env, [env.DATABASE_SCHEMA, ceilingSchema, `${ceilingSchema}_schema`]).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    log(`hub source: ${hubSource().label}; schema/prefix ${env.DATABASE_SCHEMA}, port ${env.PORT}, runtime ${RUNTIME}`);
    // Agencies first: the CLI migrates the fresh schema, so the hub does not race it.
    const keys = {
      FR: await createAgency(RUNTIME, env, { country: 'FR', code: SENDERS.FR.agency, name: SENDERS.FR.name }),
      DE: await createAgency(RUNTIME, env, { country: 'DE', code: SENDERS.DE.agency, name: SENDERS.DE.name }),
    };
    hub = await startHub(RUNTIME, env);
    log(`hub ready at ${hub.baseUrl} (pid ${hub.child.pid})`);
    db = schemaPool(env);
    const pgVersion = (await db.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]!.v;

    if (WARMUP > 0) {
      const w = await runSingle(hub, db, keys, runId, WARMUP, Math.min(C, 16), 'warmup');
      log(`warm-up: ${w.acknowledged}/${WARMUP} acknowledged, applied in ${w.appliedSeconds.toFixed(2)} s`);
    }

    log(`single: ${N} POST /v1/messages, concurrency ${C} ...`);
    const single = await runSingle(hub, db, keys, runId, N, C, 'single');
    log(`single: ${single.appliedCount} applied in ${single.appliedSeconds.toFixed(2)} s`);
    log(`batch: ${N} messages in ndjson batches of ${BATCH}, ${BATCH_C} concurrent requests ...`);
    const batch = await runBatch(hub, db, keys, runId, N, BATCH, BATCH_C);
    log(`batch: ${batch.appliedCount} applied in ${batch.appliedSeconds.toFixed(2)} s`);

    // The ceiling runs while the hub is idle (its process stays up; it is only sweeping).
    await db.query(`create schema "${ceilingSchema}"`);
    log(`ceiling: ${N} rows, ${CEIL_ROWS} per INSERT, 1 connection ...`);
    const ceil1 = await runCeiling(env, ceilingSchema, N, CEIL_ROWS, 1, runId);
    log(`ceiling: ${N} rows, ${CEIL_ROWS} per INSERT, ${CEIL_CONNS} connections ...`);
    const ceilN = CEIL_CONNS > 1 ? await runCeiling(env, ceilingSchema, N, CEIL_ROWS, CEIL_CONNS, runId) : undefined;
    const ceiling = [ceil1, ...(ceilN ? [ceilN] : [])].reduce((a, b) => (b.rowsPerSecond > a.rowsPerSecond ? b : a));
    log(`schema ceiling: ${N} messages' rows into the hub's own tables, ${CEIL_ROWS} per transaction, ${CEIL_CONNS} connections ...`);
    await db.query(`create schema "${ceilingSchema}_schema"`);
    const schemaCeiling = await runSchemaCeiling(env, env.DATABASE_SCHEMA, `${ceilingSchema}_schema`, N, CEIL_ROWS, CEIL_CONNS, runId);

    const modes = [single, batch];
    const failed = modes.filter((m) => !m.complete);
    if (failed.length) exitCode = 1;
    const totalSeconds = (performance.now() - started) / 1000;
    const results = {
      config: { source: hubSource().label, n: N, concurrency: C, batchSize: BATCH, batchConcurrency: BATCH_C, ceilingRowsPerStatement: CEIL_ROWS, ceilingConnections: CEIL_CONNS, runtime: RUNTIME, warmup: WARMUP, pollMs: POLL_MS, hubPipeline: cfg },
      machine: { cores: availableParallelism(), node: process.version, postgres: pgVersion, backgroundCoresBeforeRun: backgroundCores },
      single,
      batch,
      ceiling: { best: ceiling, runs: [ceil1, ...(ceilN ? [ceilN] : [])] },
      schemaCeiling,
      ratios: { single: single.appliedPerSecond / ceiling.rowsPerSecond, batch: batch.appliedPerSecond / ceiling.rowsPerSecond },
      schemaRatios: { single: single.appliedPerSecond / schemaCeiling.rowsPerSecond, batch: batch.appliedPerSecond / schemaCeiling.rowsPerSecond },
      hubLogLines: hub.linesLogged(),
      buildSeconds: build?.seconds,
      totalSeconds,
      ok: failed.length === 0,
    };

    if (JSON_OUT) {
      process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    } else {
      const l = single.latencyMs!;
      const out = [
        '',
        `Tracehub ingest benchmark (${hubSource().label}): N=${N}, ${RUNTIME === 'compiled' ? 'compiled (node dist cli.js start)' : 'tsx (node --import tsx src/cli.ts start)'}, ${availableParallelism()} cores, Node ${process.version}, PostgreSQL ${pgVersion}`,
        `background load before the run: ${backgroundCores.toFixed(2)} cores busy${backgroundCores > 0.25 ? ' (NOT idle: figures are skewed)' : ''}`,
        `hub pipeline: ingestMaxBatch ${cfg.ingestMaxBatch}, applyBatchSize ${cfg.applyBatchSize}, applyConcurrency ${cfg.applyConcurrency}; warm-up ${WARMUP} msgs; applied polled every ${POLL_MS} ms`,
        '',
        table([
          ['mode', 'msgs', 'errors', 'intake s', 'intake msg/s', 'applied s', 'applied msg/s', 'vs ceiling'],
          [`single POST (c=${C})`, fmt(single.messages), fmt(single.errors), fmt(single.intakeSeconds, 2), fmt(single.intakePerSecond), fmt(single.appliedSeconds, 2), fmt(single.appliedPerSecond), `${(results.ratios.single * 100).toFixed(1)}%`],
          [`ndjson ${BATCH}/req (c=${BATCH_C})`, fmt(batch.messages), fmt(batch.errors), fmt(batch.intakeSeconds, 2), fmt(batch.intakePerSecond), fmt(batch.appliedSeconds, 2), fmt(batch.appliedPerSecond), `${(results.ratios.batch * 100).toFixed(1)}%`],
          ...results.ceiling.runs.map((c) => [`ceiling INSERT ${c.rowsPerStatement}/stmt (${c.connections} conn)`, fmt(c.rows), '0', '', '', fmt(c.seconds, 2), fmt(c.rowsPerSecond), c === ceiling ? '(ceiling)' : '']),
          [`schema ceiling ${schemaCeiling.rowsPerStatement}/tx (${schemaCeiling.connections} conn)`, fmt(schemaCeiling.rows), '0', '', '', fmt(schemaCeiling.seconds, 2), fmt(schemaCeiling.rowsPerSecond), ''],
        ]),
        '',
        `single POST latency (ms): p50 ${fmt(l.p50, 1)}  p90 ${fmt(l.p90, 1)}  p99 ${fmt(l.p99, 1)}  max ${fmt(l.max, 1)}  mean ${fmt(l.mean, 1)}  (${fmt(single.requests)} requests)`,
        ...[single, batch].map((m) => {
          const u = m.usage!;
          const st = Object.entries(u.stages).map(([k, v]) => `${k} ${v.batches}x${fmt(v.meanMs, 1)}ms=${fmt(v.seconds, 2)}s`).join(', ');
          return `${m.mode.padEnd(6)} CPU: hub ${u.hubCores.toFixed(2)} cores, machine ${u.machineCores.toFixed(2)} of ${availableParallelism()} cores; stage time ${st || '-'}`;
        }),
        `hub/ceiling: single ${results.ratios.single.toFixed(3)}, batch ${results.ratios.batch.toFixed(3)} (ceiling = best run, ${fmt(ceiling.rowsPerSecond)} rows/s)`,
        `hub/schema ceiling: single ${results.schemaRatios.single.toFixed(3)}, batch ${results.schemaRatios.batch.toFixed(3)} (the hub's own tables, bare: ${fmt(schemaCeiling.rowsPerSecond)} msg/s)`,
        `hub log lines at warn: ${results.hubLogLines}; total run ${totalSeconds.toFixed(1)} s${build ? ` (build ${build.seconds.toFixed(1)} s)` : ''}`,
        ...failed.map((m) => `FAILED ${m.mode}: acknowledged ${m.acknowledged}/${m.messages}, applied ${m.appliedCount}, errors ${m.errors}${m.errorSamples.length ? `\n  ${m.errorSamples.join('\n  ')}` : ''}`),
        '',
      ];
      process.stdout.write(out.join('\n'));
    }
  } catch (err) {
    exitCode = 1;
    log(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    if (hub) log(`last hub output:\n${hub.tail.join('\n')}`);
  } finally {
    await db?.end().catch(() => undefined);
    await hub?.stop().catch(() => undefined);
    const c = flags.has('keep')
      ? (log(`--keep: left schemas ${env.DATABASE_SCHEMA}, ${ceilingSchema}(_schema) and Redis prefix ${env.QUEUE_PREFIX} in place`), undefined)
      : await cleanup(env, [env.DATABASE_SCHEMA, ceilingSchema, `${ceilingSchema}_schema`]).catch((e: unknown) => {
      log(`cleanup failed: ${String(e)}`);
      return undefined;
    });
    if (c) log(`cleaned up: dropped schemas ${env.DATABASE_SCHEMA}, ${ceilingSchema}(_schema); deleted ${c.keysDeleted} Redis keys`);
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
