/**
 * Statistics at iARMS scale: N generated records (default 1,000,000; iARMS holds about 1.5 M)
 * COPYed into a freshly migrated schema, then each table of the Statistics and Reports module timed
 * through the function behind GET /v1/records/statistics (`statisticsTable`: the type-class
 * mapping, the cancelled-record default, a second query for the total, small-cell suppression)
 * beside the raw stack in the same run: the bare GROUP BY of the same rows over the stored columns.
 *
 *   npm run bench:statistics                        # N = 1,000,000 (a few minutes of loading)
 *   npm run bench:statistics -- --n 200000 --repeat 9 --json
 *
 * Flags: --n (1000000), --repeat timed runs per query after one warm-up (5), --seed (1),
 * --keep (the schema), --json.
 *
 * Loading is not timed against anything: the rows are prepared with the hub's own prepareRecord
 * and COPYed, then VACUUM ANALYZE. Latency is wall time per table in this process, p50 and max of
 * the timed runs; both sides read the same warm table.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { loadConfig } from '../src/config/load-config.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import type { Envelope, RecordUpsert } from '../src/messages/generated-types.js';
import { loadSchemaCatalog } from '../src/messages/schema-catalog.js';
import { prepareRecord } from '../src/records/record-preparation.js';
import { loadReferenceCatalogue } from '../src/reference/reference-catalogue.js';
import { statisticsTable, type StatisticsQuery } from '../src/statistics/statistics-query.js';
import { subjectDefinitions } from '../src/statistics/statistics-subjects.js';
import { intFlag, log, parseFlags, ROOT, uuidv7 } from './support/harness.js';
import { RECORD_COLUMNS, recordLine } from './support/copy-rows.js';
import { readGeneratorReference, RecordGenerator, toUpsertEnvelope } from './support/record-generator.js';

const flags = parseFlags(process.argv.slice(2));
const N = intFlag(flags, 'n', 1_000_000);
const REPEAT = intFlag(flags, 'repeat', 5);
const SEED = intFlag(flags, 'seed', 1);
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tracehub';

interface Case {
  name: string;
  query: StatisticsQuery;
  /** The same rows grouped bare, over the stored columns. */
  raw: string;
}

const CASES: Case[] = [
  {
    name: 'FR own records by status x type class',
    query: { scope: 'national', country: 'FR', groupBy: ['status', 'typeClass'], filters: {}, traces: { agency: null }, protection: null },
    raw: `select status, type_id, count(*) from records where owner_country = 'FR' and status <> 'CANCELLED' group by 1, 2`,
  },
  {
    name: 'FR own records since 2020 by make x year',
    query: { scope: 'national', country: 'FR', from: '2020-01-01', groupBy: ['make', 'year'], filters: {}, traces: { agency: null }, protection: null },
    raw: `select make_id, extract(year from event_date), count(*) from records where owner_country = 'FR' and event_date >= '2020-01-01' and status <> 'CANCELLED' group by 1, 2`,
  },
  {
    name: 'all countries by owner x type class, suppressed',
    query: { scope: 'global', country: null, groupBy: ['ownerCountry', 'typeClass'], filters: {}, traces: { agency: null }, protection: { minimumCount: 5, roundTo: 5 } },
    raw: `select owner_country, type_id, count(*) from records where status <> 'CANCELLED' group by 1, 2`,
  },
  {
    name: 'all countries by make x calibre, suppressed',
    query: { scope: 'global', country: null, groupBy: ['make', 'calibre'], filters: {}, traces: { agency: null }, protection: { minimumCount: 5, roundTo: 5 } },
    raw: `select make_id, calibre_id, count(*) from records where status <> 'CANCELLED' group by 1, 2`,
  },
  {
    name: 'stolen, all countries, by country of manufacture',
    query: { scope: 'global', country: null, groupBy: ['countryOfManufacture'], filters: { status: ['STOLEN'] }, traces: { agency: null }, protection: { minimumCount: 5, roundTo: 5 } },
    raw: `select country_of_manufacture, count(*) from records where status = 'STOLEN' group by 1`,
  },
];

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number[]; last: T }> {
  let last = await run();
  const ms: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const t0 = performance.now();
    last = await run();
    ms.push(performance.now() - t0);
  }
  return { ms, last };
}

async function main(): Promise<void> {
  const schema = `bench_statistics_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const catalog = loadSchemaCatalog();
  const config = loadConfig(join(ROOT, 'config'), catalog);
  const reference = loadReferenceCatalogue(undefined, catalog);
  const handle = openDatabase({ url: DATABASE_URL, schema, max: 2 });
  const raw = new pg.Client({ connectionString: DATABASE_URL, options: `-c search_path=${schema},public` });
  await raw.connect();
  const results: { name: string; cells: number; hubP50: number; hubMax: number; rawP50: number; rawMax: number; ratio: number }[] = [];
  try {
    await migrateToLatest(handle.db as Kysely<unknown>, schema);
    log(`N = ${N.toLocaleString('en')} records into schema ${schema} ...`);
    let t0 = performance.now();
    const gen = new RecordGenerator({ seed: SEED, reference: readGeneratorReference() });
    const at = new Date().toISOString();
    const reviewDate = `${new Date().getUTCFullYear() + config.hub.records.reviewYears}${at.slice(4, 10)}`;
    const lines = (function* () {
      for (let i = 0; i < N; i++) {
        const env = toUpsertEnvelope(gen.next(), `stat-${i}`, at) as Envelope & { payload: RecordUpsert };
        const p = prepareRecord(env.payload, env.sender, reference);
        yield `${recordLine(p, uuidv7(), uuidv7(), p.reviewDate ?? reviewDate, at)}\n`;
      }
    })();
    await pipeline(Readable.from(lines), raw.query(copyFrom(`copy records (${RECORD_COLUMNS}) from stdin`)));
    await raw.query('vacuum analyze records');
    log(`loaded and analysed in ${((performance.now() - t0) / 1000).toFixed(1)} s (not timed against anything)`);

    const records = subjectDefinitions(reference).records;
    for (const c of CASES) {
      t0 = performance.now();
      const hub = await timed(() => statisticsTable(handle.db, 'records', records, c.query));
      const bare = await timed(() => raw.query(c.raw));
      const r = { name: c.name, cells: hub.last.cells.length, hubP50: p50(hub.ms), hubMax: Math.max(...hub.ms), rawP50: p50(bare.ms), rawMax: Math.max(...bare.ms), ratio: p50(bare.ms) / p50(hub.ms) };
      results.push(r);
      log(`${c.name}: ${r.cells} cells, hub p50 ${r.hubP50.toFixed(1)} ms, bare GROUP BY p50 ${r.rawP50.toFixed(1)} ms`);
    }
  } finally {
    if (!flags.has('keep')) await raw.query(`drop schema if exists "${schema}" cascade`);
    await raw.end();
    await handle.close();
  }

  if (flags.has('json')) {
    process.stdout.write(`${JSON.stringify({ n: N, repeat: REPEAT, seed: SEED, results }, null, 2)}\n`);
    return;
  }
  const pad = (s: string, n: number) => s.padEnd(n);
  const num = (x: number) => x.toFixed(1).padStart(9);
  const out = [
    `Tracehub statistics benchmark: N=${N.toLocaleString('en')} records, ${REPEAT} timed runs per table (p50 / max, ms)`,
    '',
    `${pad('table', 52)} ${'cells'.padStart(6)} ${'hub p50'.padStart(9)} ${'hub max'.padStart(9)} ${'bare p50'.padStart(9)} ${'bare max'.padStart(9)}  bare/hub`,
    ...results.map((r) => `${pad(r.name, 52)} ${String(r.cells).padStart(6)} ${num(r.hubP50)} ${num(r.hubMax)} ${num(r.rawP50)} ${num(r.rawMax)}  ${r.ratio.toFixed(2)}`),
    '',
    'bare: the same rows grouped by the stored columns in one query (no type-class mapping, no total, no suppression)',
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
