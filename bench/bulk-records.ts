/**
 * Bulk record load and serial search at scale (issue 3): a national registry's full load of N
 * generated records (default 1,000,000) through the hub's real bulk path, the raw COPY ceiling of
 * the same table in the same run, and search latency by serial on the loaded table.
 *
 *   npm run bench:records                      # N = 1,000,000 (several minutes)
 *   npm run bench:records -- --n 50000         # quick check
 *   npm run bench:records -- --n 50000 --profile bench/results/bulk.cpuprofile
 *
 * Flags: --n (1000000), --batch messages per apply transaction (config pipeline.applyBatchSize),
 * --concurrency apply transactions in flight (config pipeline.applyConcurrency), --queries per
 * search mode (1000), --search-budget seconds per search mode (120; a mode stops early past it and
 * says so), --seed (1), --no-resend, --runtime compiled|tsx (compiled), --no-build,
 * --profile FILE (CPU profile of the hub load only), --keep (schemas and files), --json.
 *
 * Unlike bench/ingest.ts this measures a module, not the process: the record.upsert handler is
 * called in-process the way the apply stage calls it (one transaction per batch of messages,
 * `applyMany` with the batch, in arrival order), so the figure is the record path alone, without
 * the ledger, queues and HTTP in front of it. Phases, each on its own schema and clock:
 *
 * 1. generate: N record.upsert envelopes (bench/support/record-generator.ts, seeded) to an NDJSON
 *    file, the registry's full load; not timed against anything.
 * 2. prepare ceiling rows: the same records through `prepareRecord` (the hub's own preparation:
 *    reference ids, serial keys, content hash) into COPY text files for `records` and
 *    `record_versions`; outside every clock.
 * 3. hub load (timed): the file is read, parsed and handed to the handler in batches, with
 *    `--concurrency` transactions in flight; records/s = N / wall time, parsing included (the
 *    apply stage parses every envelope out of the ledger too).
 * 4. resend (timed): the same file again, as a registry re-sending its full load; every record is
 *    recognised as unchanged by its content hash.
 * 5. COPY ceiling (timed): COPY FROM STDIN (pg-copy-streams) of the prepared rows into a fresh
 *    schema whose tables are created LIKE the hub's (same columns, constraints and indexes),
 *    records alone and then record_versions. The ratio hub/ceiling says how much of the table's
 *    raw write capacity the bulk path turns into records.
 * 6. search: VACUUM ANALYZE, then --queries lookups per mode through `searchRecords` (the function
 *    behind GET /v1/records) as the owner's NCB: exact (as marked), normalised (re-typed: case,
 *    spaces, hyphens) and fuzzy (one misreading: look-alike, dropped, doubled or swapped
 *    character); latency p50/p99 and how often the true record was in the page.
 *
 * A CHECKPOINT runs before each timed phase, so no phase pays for the previous one's dirty pages.
 */
import { createReadStream, createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Session } from 'node:inspector/promises';
import { writeFile } from 'node:fs/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { sql, type Kysely, type Transaction } from 'kysely';
import { pino } from 'pino';
import { projectRoot } from '../src/config/project-root.js';
import { loadConfig } from '../src/config/load-config.js';
import { openDatabase } from '../src/db/database.js';
import type { Database } from '../src/db/database-types.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { recordUpsertHandler } from '../src/handlers/record-handlers.js';
import { uuidv7 } from '../src/ids/uuidv7.js';
import type { Envelope, RecordUpsert } from '../src/messages/generated-types.js';
import { loadSchemaCatalog } from '../src/messages/schema-catalog.js';
import type { ApplyContext, InboundMessage } from '../src/pipeline/message-handler.js';
import { prepareRecord } from '../src/records/record-preparation.js';
import { searchRecords } from '../src/records/record-search.js';
import { loadReferenceCatalogue } from '../src/reference/reference-catalogue.js';
import { RECORD_COLUMNS, recordLine, VERSION_COLUMNS, versionLine } from './support/copy-rows.js';
import { CORRUPTIONS } from './support/labelled-seizures.js';
import { Random } from './support/seeded-random.js';
import { readGeneratorReference, RecordGenerator, toUpsertEnvelope } from './support/record-generator.js';

const ROOT = projectRoot();
const argv = process.argv.slice(2);

/** Parses `--name value`, `--name=value` and bare `--flag` (as bench/support/harness.ts does; not imported, see runCompiled). */
function parseFlags(args: string[]): Map<string, string | true> {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
    else if (args[i + 1] !== undefined && !args[i + 1]!.startsWith('--')) flags.set(a.slice(2), args[++i]!);
    else flags.set(a.slice(2), true);
  }
  return flags;
}

const flags = parseFlags(argv);

function intFlag(name: string, def: number): number {
  const v = flags.get(name);
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got ${String(v)}`);
  return n;
}

function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 23)}] ${msg}\n`);
}

const catalog = loadSchemaCatalog();
const config = loadConfig(join(ROOT, 'config'), catalog);
const N = intFlag('n', 1_000_000);
const BATCH = intFlag('batch', config.hub.pipeline.applyBatchSize);
const CONCURRENCY = intFlag('concurrency', config.hub.pipeline.applyConcurrency);
const QUERIES = intFlag('queries', 1000);
const SEED = intFlag('seed', 1);
const SEARCH_BUDGET_S = intFlag('search-budget', 120);
const RESEND = !flags.has('no-resend');
const KEEP = flags.has('keep');
const JSON_OUT = flags.has('json');
const PROFILE = typeof flags.get('profile') === 'string' ? (flags.get('profile') as string) : undefined;
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tracehub';

// ---------------------------------------------------------------------------------------------
// The compiled runtime: build with tsc (bench/support/harness.ts), then run this file's compiled
// twin with --child. The harness is imported lazily: it is parent-only plumbing.

async function runCompiled(): Promise<number> {
  const harness = await import('./support/harness.js');
  if (!flags.has('no-build')) {
    log('compiling with tsc into bench/results/build ...');
    const b = await harness.buildHub();
    log(`compiled in ${b.seconds.toFixed(1)} s${b.typeErrors ? ' (with type errors; see above)' : ''}`);
  }
  const child = spawn(process.execPath, [join(harness.BUILD_DIR, 'bench', 'bulk-records.js'), ...argv, '--child'], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  const [code] = (await once(child, 'exit')) as [number | null];
  return code ?? 1;
}

// ---------------------------------------------------------------------------------------------
// Files

async function* lines(file: string): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const parts = (rest + (chunk as string)).split('\n');
    rest = parts.pop()!;
    yield* parts;
  }
  if (rest) yield rest;
}

class LineWriter {
  readonly #out;
  #buf: string[] = [];
  #size = 0;

  constructor(file: string) {
    this.#out = createWriteStream(file);
  }

  async write(line: string): Promise<void> {
    this.#buf.push(line);
    this.#size += line.length;
    if (this.#size > 1 << 20) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.#buf.length) return;
    const ok = this.#out.write(`${this.#buf.join('\n')}\n`);
    this.#buf = [];
    this.#size = 0;
    if (!ok) await once(this.#out, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    this.#out.end();
    await once(this.#out, 'finish');
  }
}

interface Query {
  serial: string;
  owner: string;
  ownerReference: string;
}

// ---------------------------------------------------------------------------------------------
// Phases

interface LoadFigures {
  seconds: number;
  perSecond: number;
  parseSeconds: number;
  batches: number;
}

interface SearchFigures {
  queries: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Share of queries whose true record was in the page. */
  found: number;
  meanRows: number;
}

interface Results {
  n: number;
  batch: number;
  concurrency: number;
  seed: number;
  runtime: string;
  schema: string;
  backgroundLoadCores: number;
  backgroundLoadCoresAfter: number;
  hubLoad: LoadFigures;
  resend?: LoadFigures;
  ceiling: { recordsSeconds: number; recordsPerSecond: number; versionsSeconds: number; withVersionsPerSecond: number };
  ratio: { vsRecordsCopy: number; vsRecordsAndVersionsCopy: number };
  vacuumAnalyzeSeconds: number;
  search: Record<'exact' | 'normalised' | 'fuzzy', SearchFigures>;
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
  return { p50: at(50), p90: at(90), p99: at(99), max: s.at(-1)! };
};

async function main(): Promise<void> {
  const runId = `bench_records_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const schema = runId;
  const ceilingSchema = `${runId}_copy`;
  const dir = join(tmpdir(), `tracehub-${runId}`);
  mkdirSync(dir, { recursive: true });
  const files = { load: join(dir, 'records.ndjson'), records: join(dir, 'records.copy'), versions: join(dir, 'versions.copy') };
  const reference = loadReferenceCatalogue(undefined, catalog);
  const handle = openDatabase({ url: DATABASE_URL, schema, max: CONCURRENCY + 2 });
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  const results: Partial<Results> & Pick<Results, 'n' | 'batch' | 'concurrency' | 'seed' | 'runtime' | 'schema'> = { n: N, batch: BATCH, concurrency: CONCURRENCY, seed: SEED, runtime: flags.has('child') ? 'compiled' : 'tsx', schema };
  const checkpoint = () => admin.query('checkpoint');
  try {
    log(`N = ${N.toLocaleString('en')}, batches of ${BATCH}, ${CONCURRENCY} in flight; schema ${schema}; files in ${dir}`);
    const loadBefore = await busyCores(1000);
    results.backgroundLoadCores = loadBefore;
    log(`background load before the run: ${loadBefore.toFixed(2)} cores busy (of 2)`);

    // 1. generate
    let t0 = performance.now();
    const gen = new RecordGenerator({ seed: SEED, reference: readGeneratorReference() });
    const pick = new Random(SEED + 1000);
    const sample: Query[] = [];
    const out = new LineWriter(files.load);
    const sentAt = new Date().toISOString();
    for (let i = 0; i < N; i++) {
      const r = gen.next();
      await out.write(JSON.stringify(toUpsertEnvelope(r, `bulk-${i}`, sentAt)));
      const q = { serial: r.payload.firearm.serials[0]!.value, owner: r.owner.country, ownerReference: r.payload.ownerReference };
      if (sample.length < QUERIES) sample.push(q);
      else {
        const j = pick.int(i + 1);
        if (j < QUERIES) sample[j] = q;
      }
    }
    await out.close();
    log(`generated ${N.toLocaleString('en')} record.upsert envelopes in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // schemas
    await migrateToLatest(handle.db as Kysely<unknown>, schema);
    await admin.query(`create schema "${ceilingSchema}"`);
    await admin.query(`create table "${ceilingSchema}".records (like "${schema}".records including all)`);
    await admin.query(`create table "${ceilingSchema}".record_versions (like "${schema}".record_versions including all)`);

    // 2. prepare ceiling rows
    t0 = performance.now();
    const recOut = new LineWriter(files.records);
    const verOut = new LineWriter(files.versions);
    const at = new Date().toISOString();
    const reviewDate = `${new Date().getUTCFullYear() + config.hub.records.reviewYears}${at.slice(4, 10)}`;
    for await (const line of lines(files.load)) {
      const env = JSON.parse(line) as Envelope & { payload: RecordUpsert };
      const p = prepareRecord(env.payload, env.sender, reference);
      const id = uuidv7();
      const ledgerId = uuidv7();
      await recOut.write(recordLine(p, id, ledgerId, p.reviewDate ?? reviewDate, at));
      await verOut.write(versionLine(p, id, ledgerId, at));
    }
    await recOut.close();
    await verOut.close();
    log(`prepared the ceiling's COPY rows in ${((performance.now() - t0) / 1000).toFixed(1)} s (not timed against anything)`);

    // 3. hub load
    const handler = recordUpsertHandler({ config, reference });
    const silent = pino({ level: 'silent' });
    const load = async (label: string, expectOutcome: 'created' | 'unchanged'): Promise<LoadFigures> => {
      await checkpoint();
      let parseMs = 0;
      let batches = 0;
      const source = (async function* () {
        let batch: InboundMessage<RecordUpsert>[] = [];
        for await (const line of lines(files.load)) {
          const p0 = performance.now();
          const envelope = JSON.parse(line) as Envelope & { payload: RecordUpsert };
          parseMs += performance.now() - p0;
          batch.push({ ledgerId: uuidv7(), receivedAt: new Date(), channel: 'bench', envelope });
          if (batch.length === BATCH) {
            yield batch;
            batch = [];
          }
        }
        if (batch.length) yield batch;
      })();
      const session = PROFILE && label === 'load' ? new Session() : undefined;
      if (session) {
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.start');
      }
      const start = performance.now();
      const worker = async () => {
        for (;;) {
          const next = await source.next();
          if (next.done) return;
          const messages = next.value;
          batches++;
          const later: ((db: typeof handle.db) => Promise<void>)[] = [];
          await handle.db.transaction().execute(async (trx: Transaction<Database>) => {
            const ctx: ApplyContext = {
              trx,
              log: silent,
              now: new Date(),
              route: () => {
                throw new Error('record.upsert routes nothing in this benchmark');
              },
              isPartner: (c) => config.partners.has(c),
              ncbOf: (c) => config.partners.get(c)?.ncb.agency,
              afterCommit: (task) => void later.push(task),
            };
            const refused = await handler.applyMany!(ctx, messages);
            if (refused.size) throw new Error(`the handler refused ${refused.size} generated records: ${[...refused.values()][0]!.message}`);
          });
          for (const task of later) await task(handle.db);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      const seconds = (performance.now() - start) / 1000;
      if (session) {
        const { profile } = await session.post('Profiler.stop');
        await writeFile(PROFILE!, JSON.stringify(profile));
        session.disconnect();
        log(`CPU profile of the hub load written to ${PROFILE}`);
      }
      const counts = await sql<{ records: string; versions: string; latest: string }>`
        select (select count(*) from records)::text as records, (select count(*) from record_versions)::text as versions,
               (select count(*) from records where version = 1)::text as latest`.execute(handle.db);
      const c = counts.rows[0]!;
      if (Number(c.records) !== N || Number(c.versions) !== N || Number(c.latest) !== N) {
        throw new Error(`after ${label}: ${c.records} records, ${c.versions} versions, ${c.latest} at version 1; expected ${N} each (${expectOutcome})`);
      }
      const figures = { seconds, perSecond: N / seconds, parseSeconds: parseMs / 1000, batches };
      log(`${label}: ${N.toLocaleString('en')} records in ${seconds.toFixed(1)} s = ${Math.round(figures.perSecond).toLocaleString('en')} records/s (${batches} transactions; parsing the input took ${figures.parseSeconds.toFixed(1)} s of it)`);
      return figures;
    };
    const hub = await load('load', 'created');
    results.hubLoad = hub;
    if (RESEND) results.resend = await load('resend (all unchanged)', 'unchanged');

    // 5. COPY ceiling
    const copyInto = async (table: string, columns: string, file: string): Promise<number> => {
      const client = new pg.Client({ connectionString: DATABASE_URL, options: `-c search_path=${ceilingSchema}` });
      await client.connect();
      try {
        const s = performance.now();
        await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), client.query(copyFrom(`copy ${table} (${columns}) from stdin`)));
        return (performance.now() - s) / 1000;
      } finally {
        await client.end();
      }
    };
    await checkpoint();
    const copyRecords = await copyInto('records', RECORD_COLUMNS, files.records);
    await checkpoint();
    const copyVersions = await copyInto('record_versions', VERSION_COLUMNS, files.versions);
    const copied = await admin.query<{ n: string }>(`select count(*)::text as n from "${ceilingSchema}".records`);
    if (Number(copied.rows[0]!.n) !== N) throw new Error(`COPY loaded ${copied.rows[0]!.n} rows, expected ${N}`);
    const ceiling = { recordsSeconds: copyRecords, recordsPerSecond: N / copyRecords, versionsSeconds: copyVersions, withVersionsPerSecond: N / (copyRecords + copyVersions) };
    results.ceiling = ceiling;
    results.ratio = { vsRecordsCopy: hub.perSecond / ceiling.recordsPerSecond, vsRecordsAndVersionsCopy: hub.perSecond / ceiling.withVersionsPerSecond };
    log(`COPY ceiling: records ${Math.round(ceiling.recordsPerSecond).toLocaleString('en')} rows/s (${copyRecords.toFixed(1)} s); records + versions ${Math.round(ceiling.withVersionsPerSecond).toLocaleString('en')} rows/s`);
    await admin.query(`drop schema "${ceilingSchema}" cascade`);

    // 6. search
    t0 = performance.now();
    await sql`vacuum analyze records`.execute(handle.db);
    await sql`vacuum analyze record_versions`.execute(handle.db);
    results.vacuumAnalyzeSeconds = (performance.now() - t0) / 1000;
    log(`vacuum analyze after the load: ${results.vacuumAnalyzeSeconds.toFixed(1)} s`);
    const qrnd = new Random(SEED + 2000);
    const retyped = (s: string) => {
      const t = qrnd.chance(0.5) ? s.toLowerCase() : s;
      return qrnd.chance(0.5) ? t.replace(/[ -]/g, '') : t.replace(/(\p{L})(\d)/u, '$1 $2');
    };
    const misread = (s: string) => {
      for (const kind of ['lookalike', 'dropped-char', 'transposition', 'doubled-char'] as const) {
        if (qrnd.chance(0.5)) continue;
        const c = CORRUPTIONS[kind](qrnd, s);
        if (c) return c.serial;
      }
      return CORRUPTIONS['doubled-char'](qrnd, s)?.serial ?? s;
    };
    const search = {} as Results['search'];
    for (const mode of ['exact', 'normalised', 'fuzzy'] as const) {
      const queries = sample.map((q) => ({ ...q, text: mode === 'exact' ? q.serial : mode === 'normalised' ? retyped(q.serial) : misread(q.serial) }));
      const run = (q: (typeof queries)[number]) => searchRecords(handle.db, reference, { country: q.owner, role: 'ncb' }, { serial: q.text, serialMatch: mode }, 50);
      const warmupUntil = performance.now() + SEARCH_BUDGET_S * 100;
      for (const q of queries.slice(0, 20)) if (performance.now() < warmupUntil) await run(q);
      const ms: number[] = [];
      let found = 0;
      let rows = 0;
      const deadline = performance.now() + SEARCH_BUDGET_S * 1000;
      for (const q of queries) {
        if (performance.now() > deadline) break;
        const s = performance.now();
        const page = await run(q);
        ms.push(performance.now() - s);
        rows += page.length;
        if (page.some((r) => r.owner_country === q.owner && r.owner_reference === q.ownerReference)) found++;
      }
      if (ms.length < queries.length) log(`search ${mode}: stopped after ${ms.length} of ${queries.length} queries (--search-budget ${SEARCH_BUDGET_S} s)`);
      search[mode] = { queries: ms.length, ...stats(ms), found: found / ms.length, meanRows: rows / ms.length };
      const st = stats(ms);
      log(`search ${mode}: p50 ${st.p50.toFixed(2)} ms, p99 ${st.p99.toFixed(2)} ms, max ${st.max.toFixed(1)} ms; true record in the page ${((100 * found) / ms.length).toFixed(1)}%, ${(rows / ms.length).toFixed(1)} rows per query (${ms.length} queries)`);
    }
    results.search = search;
    results.backgroundLoadCoresAfter = await busyCores(1000);
    print(results as Results);
  } finally {
    if (!KEEP) {
      await admin.query(`drop schema if exists "${schema}" cascade`).catch(() => undefined);
      await admin.query(`drop schema if exists "${ceilingSchema}" cascade`).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    } else log(`kept schemas ${schema}, ${ceilingSchema} and files in ${dir}`);
    await admin.end();
    await handle.close();
  }
}

/** Cores busy on the whole machine over `ms` (Linux /proc/stat). */
async function busyCores(ms: number): Promise<number> {
  const { readFileSync } = await import('node:fs');
  const read = () => {
    const v = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = v.reduce((a, b) => a + b, 0);
    return { busy: total - (v[3] ?? 0) - (v[4] ?? 0), total };
  };
  try {
    const a = read();
    await new Promise((r) => setTimeout(r, ms));
    const b = read();
    return ((b.busy - a.busy) / Math.max(1, b.total - a.total)) * 2;
  } catch {
    return NaN;
  }
}

function print(r: Results): void {
  if (JSON_OUT) {
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return;
  }
  const f = (n: number) => Math.round(n).toLocaleString('en');
  const lines = [
    '',
    `bulk record load, N = ${f(r.n)} (batches of ${r.batch}, ${r.concurrency} in flight, ${r.runtime})`,
    `  hub bulk path       ${f(r.hubLoad.perSecond).padStart(9)} records/s  (${r.hubLoad.seconds.toFixed(1)} s, parsing ${r.hubLoad.parseSeconds.toFixed(1)} s of it)`,
    r.resend ? `  resend, unchanged   ${f(r.resend.perSecond).padStart(9)} records/s  (${r.resend.seconds.toFixed(1)} s)` : '',
    `  COPY records        ${f(r.ceiling.recordsPerSecond).padStart(9)} rows/s     (${r.ceiling.recordsSeconds.toFixed(1)} s)`,
    `  COPY + versions     ${f(r.ceiling.withVersionsPerSecond).padStart(9)} rows/s     (records ${r.ceiling.recordsSeconds.toFixed(1)} s + versions ${r.ceiling.versionsSeconds.toFixed(1)} s)`,
    `  ratio               ${r.ratio.vsRecordsCopy.toFixed(2)} of COPY records, ${r.ratio.vsRecordsAndVersionsCopy.toFixed(2)} of COPY records + versions`,
    `search by serial at ${f(r.n)} records (as the owner's NCB, page of 50)`,
    ...(['exact', 'normalised', 'fuzzy'] as const).map(
      (m) =>
        `  ${m.padEnd(11)} p50 ${r.search[m].p50.toFixed(2).padStart(7)} ms  p99 ${r.search[m].p99.toFixed(2).padStart(7)} ms  max ${r.search[m].max.toFixed(1).padStart(7)} ms  ` +
        `found ${(100 * r.search[m].found).toFixed(1)}%  (${r.search[m].queries} queries)`,
    ),
    `background load: ${r.backgroundLoadCores.toFixed(2)} cores busy before, ${r.backgroundLoadCoresAfter.toFixed(2)} after (of 2; above ~0.25 the figures are low and noisy)`,
  ].filter(Boolean);
  process.stdout.write(`${lines.join('\n')}\n`);
}

const compiled = !flags.has('child') && flags.get('runtime') !== 'tsx';
(compiled ? runCompiled() : main().then(() => 0))
  .then((code) => process.exit(code))
  .catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
