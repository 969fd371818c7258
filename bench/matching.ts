/**
 * Seizure matching benchmark (issue 4).
 *
 *   npm run bench:matching -- [--n 1000000] [--seizures 2000] [--e2e 300 | --no-e2e] [--concurrency 8] [--keep] [--reuse SCHEMA]
 *                             [--slowest 20] [--runtime compiled|tsx]
 *
 * 1. Loads --n generated records (bench/support/record-generator.ts) into a fresh schema through
 *    the record store's set-based upsert, the path a registry's bulk load takes.
 * 2. Quality, on a labelled set of --seizures seizures of those records (bench/support/
 *    labelled-seizures.ts): precision and recall of STRONG hits and recall of the true record
 *    within the top 3, beside the same figures for exact-serial matching (the baseline most
 *    national systems offer), and recall per kind of misreading.
 * 3. Speed at --n records: match latency p50/p99 (one at a time) and seizures/s (--concurrency at
 *    a time), for the matcher alone (candidate search + scoring, no writes).
 * 4. End to end: the hub runs as its own process on the same schema; --e2e seizure.report messages
 *    are posted over REST; for each, the time from the ledger's received_at to the later of the two
 *    notifications' delivered_at (record owner and seizing agency, each in its channel), from the
 *    database's own timestamps.
 *
 * The matcher is plain functions over the record store, so steps 1-3 call it in-process; step 4
 * treats the hub as a black box, like the other benchmarks.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../src/db/database-types.js';
import { ensureDatabaseExists, openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { loadConfig } from '../src/config/load-config.js';
import { matchSettings } from '../src/handlers/seizure-handlers.js';
import type * as CandidateSearch from '../src/match/candidate-search.js';
import type * as DescriptionAgreement from '../src/match/description-agreement.js';
import type * as Matcher from '../src/match/matcher.js';
import type { RecordHit } from '../src/match/matcher.js';
import type * as ReferenceModule from '../src/reference/reference-catalogue.js';
import { MATCH_KEY_PREFIX, prepareRecord } from '../src/records/record-preparation.js';
import { upsertRecords } from '../src/records/record-store.js';
import { loadSchemaCatalog } from '../src/messages/schema-catalog.js';
import { loadReferenceCatalogue } from '../src/reference/reference-catalogue.js';
import { serialKeys } from '../src/serials/serial-keys.js';
import { KNOWN_COUNTRIES, labelledSeizures, seizedFirearm, type LabelledSeizure } from './support/labelled-seizures.js';
import { readGeneratorReference, RecordGenerator, type GeneratedRecord } from './support/record-generator.js';
import { ROOT, benchEnv, buildHub, cleanup, createAgency, hubSource, intFlag, log, parseFlags, percentile, sleep, startHub, uuidv7 } from './support/harness.js';

const flags = parseFlags(process.argv.slice(2));
const N = intFlag(flags, 'n', 1_000_000);
const SEIZURES = intFlag(flags, 'seizures', 2000);
const E2E = flags.has('no-e2e') ? 0 : intFlag(flags, 'e2e', 300);
const CONCURRENCY = intFlag(flags, 'concurrency', 8);
const KEEP = flags.has('keep');
const EXPLAIN = flags.has('explain');
/** Print where the N slowest look-ups of the second pass spend their time. */
const SLOWEST = intFlag(flags, 'slowest', 0);
/** A schema a previous run kept (--keep) with the same --n: its records are reused, not loaded again. */
const REUSE = typeof flags.get('reuse') === 'string' ? (flags.get('reuse') as string) : undefined;
let explained = 0;

const reference = loadReferenceCatalogue();
const RUNTIME = flags.get('runtime') === 'tsx' ? 'tsx' : 'compiled';

/**
 * The matcher as production runs it: compiled by tsc (the hub is built for step 4 anyway). Under
 * tsx, esbuild's keep-names wrappers alone made scoring about twice as slow per candidate.
 * --runtime tsx measures the sources as they are instead.
 */
interface MatcherUnderTest {
  matchSeizedFirearm: typeof Matcher.matchSeizedFirearm;
  rankRecordCandidates: typeof Matcher.rankRecordCandidates;
  findRecordCandidates: typeof CandidateSearch.findRecordCandidates;
  serialQuery: typeof CandidateSearch.serialQuery;
  resolveFirearm: typeof DescriptionAgreement.resolveFirearm;
  reference: ReferenceModule.ReferenceCatalogue;
}

async function loadMatcher(): Promise<MatcherUnderTest> {
  const base = RUNTIME === 'tsx' ? new URL('../src/', import.meta.url).href : pathToFileURL(join(hubSource().buildDir, 'src') + '/').href;
  const matcher = (await import(`${base}match/matcher.js`)) as typeof Matcher;
  const search = (await import(`${base}match/candidate-search.js`)) as typeof CandidateSearch;
  const agreement = (await import(`${base}match/description-agreement.js`)) as typeof DescriptionAgreement;
  const ref = (await import(`${base}reference/reference-catalogue.js`)) as typeof ReferenceModule;
  return { ...matcher, ...search, resolveFirearm: agreement.resolveFirearm, reference: ref.loadReferenceCatalogue() };
}
let M: MatcherUnderTest;
const config = loadConfig(join(ROOT, 'config'), loadSchemaCatalog());
const settings = matchSettings(config);
// Partner countries the generator has a profile for (serial formats, languages, agencies) and that
// send and receive over REST, so the end-to-end step needs no other channel's credentials.
const partners = [...config.partners]
  .filter(([cc, p]) => KNOWN_COUNTRIES.includes(cc) && p.replies.channel === 'rest' && p.inbound.some((i) => i.channel === 'rest' && i.format === 'canonical-json'))
  .map(([cc]) => cc)
  .sort();
const agencies = Object.fromEntries([...config.partners].map(([cc, p]) => [cc, p.ncb.agency]));

function ms(x: number): string {
  return x < 10 ? x.toFixed(2) : x.toFixed(1);
}

function stats(samples: number[]): { p50: number; p99: number; mean: number } {
  const sorted = Float64Array.from(samples).sort();
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean: samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length) };
}

async function load(db: Kysely<Database>, records: GeneratedRecord[]): Promise<number> {
  const t0 = performance.now();
  const batch = 2000;
  let next = 0;
  const now = new Date();
  async function lane() {
    for (;;) {
      const start = next;
      next += batch;
      if (start >= records.length) return;
      const items = records.slice(start, start + batch).map((r) => ({ prepared: prepareRecord(r.payload, r.owner, reference), ledgerId: null, reviewYears: 5 }));
      await db.transaction().execute((trx) => upsertRecords(trx, items, now));
      if ((start / batch) % 50 === 0) log(`  loaded ${Math.min(records.length, start + batch).toLocaleString()} records`);
    }
  }
  await Promise.all([lane(), lane()]);
  return (performance.now() - t0) / 1000;
}

interface Outcome {
  positive: boolean;
  strongCorrect: number;
  strongWrong: number;
  truthStrong: boolean;
  truthTop3: boolean;
  truthAny: boolean;
}

function judge(s: LabelledSeizure, hits: readonly { ownerCountry: string; ownerReference: string; strong: boolean }[]): Outcome {
  const t = s.label.truth;
  const isTruth = (h: { ownerCountry: string; ownerReference: string }) => t !== null && h.ownerCountry === t.ownerCountry && h.ownerReference === t.ownerReference;
  const strong = hits.filter((h) => h.strong);
  return {
    positive: t !== null,
    strongCorrect: strong.filter(isTruth).length,
    strongWrong: strong.filter((h) => !isTruth(h)).length,
    truthStrong: strong.some(isTruth),
    truthTop3: hits.slice(0, 3).some(isTruth),
    truthAny: hits.some(isTruth),
  };
}

function summary(outcomes: Outcome[]) {
  const pos = outcomes.filter((o) => o.positive);
  const strongCorrect = outcomes.reduce((a, o) => a + o.strongCorrect, 0);
  const strongWrong = outcomes.reduce((a, o) => a + o.strongWrong, 0);
  return {
    strongPrecision: strongCorrect + strongWrong === 0 ? 1 : strongCorrect / (strongCorrect + strongWrong),
    strongRecall: pos.filter((o) => o.truthStrong).length / Math.max(1, pos.length),
    top3Recall: pos.filter((o) => o.truthTop3).length / Math.max(1, pos.length),
    anyRecall: pos.filter((o) => o.truthAny).length / Math.max(1, pos.length),
    strongHits: strongCorrect + strongWrong,
    wrongStrong: strongWrong,
  };
}

function isPartial(s: LabelledSeizure): boolean {
  return seizedFirearm(s).serials.some((x) => x.partial === true || x.value.includes('?') || x.value.includes('*'));
}

function hubHits(hits: RecordHit[]) {
  return hits.map((h) => ({ ownerCountry: h.record.owner_country, ownerReference: h.record.owner_reference, strong: h.tier === 'STRONG' }));
}

/** The baseline: records whose serial as marked is exactly the seized one; every such record is a (strong) hit. */
async function exactSerialHits(db: Kysely<Database>, s: LabelledSeizure) {
  const keys = seizedFirearm(s).serials.map((x) => `${MATCH_KEY_PREFIX.exact}${serialKeys(x.value).asMarked}`);
  // Sequential scans off and no ORDER BY, for the same reasons as in the matcher's candidate search.
  const rows = await db.transaction().execute(async (trx) => {
    await sql`select set_config('enable_seqscan', 'off', true)`.execute(trx);
    return trx.selectFrom('records').select(['owner_country', 'owner_reference']).where(sql<boolean>`match_keys && ${keys}::text[]`).limit(settings.maxHitsPerItem).execute();
  });
  return rows.map((r) => ({ ownerCountry: r.owner_country, ownerReference: r.owner_reference, strong: true }));
}

async function main() {
  const env = await benchEnv('match');
  if (REUSE) {
    env.DATABASE_SCHEMA = REUSE;
    env.QUEUE_PREFIX = REUSE;
  }
  log(`matching benchmark: ${N.toLocaleString()} records, ${SEIZURES} labelled seizures, ${E2E} end-to-end; partners ${partners.join(' ')}; schema ${env.DATABASE_SCHEMA}`);
  await ensureDatabaseExists(env.DATABASE_URL);
  const database = openDatabase({ url: env.DATABASE_URL, schema: env.DATABASE_SCHEMA, max: 4 });
  const db = database.db;
  try {
    await migrateToLatest(db as Kysely<unknown>, env.DATABASE_SCHEMA);
    if (RUNTIME === 'compiled') {
      log('building the hub (the matcher is measured compiled)');
      await buildHub();
    }
    M = await loadMatcher();

    log('generating records');
    // The generator and its million records are let go before anything is timed: a bench process
    // holding them spends its time in major garbage collections, which a hub does not.
    const records = new RecordGenerator({ seed: 20261126, reference: readGeneratorReference(), countries: partners, agencies }).take(N);
    log(REUSE ? `reusing the records of schema ${REUSE}` : `loading ${N.toLocaleString()} records through the record store's bulk upsert`);
    const loadSeconds = REUSE ? Number.NaN : await load(db, records);
    await sql`analyze records`.execute(db);
    log(`  ${(N / loadSeconds).toFixed(0)} records/s`);

    const set = labelledSeizures(records, { seed: 7, reference: readGeneratorReference(), count: SEIZURES, seizingCountries: partners, agencies });
    records.length = 0; // the labelled set holds what it needs; let the rest go
    (globalThis as { gc?: () => void }).gc?.();

    // Warm the caches the way a running hub has them.
    for (const s of set.slice(0, 50)) await M.matchSeizedFirearm(db, seizedFirearm(s), M.reference, settings);

    log('quality and latency, one seizure at a time');
    const latencies: number[] = [];
    const wholeLat: number[] = [];
    const partialLat: number[] = [];
    const hub: Outcome[] = [];
    const base: Outcome[] = [];
    const byKind = new Map<string, { n: number; top3: number; strong: number; baseline: number }>();
    let slowest = { ms: 0, id: '', serials: '' };
    for (const s of set) {
      const t0 = performance.now();
      const hits = await M.matchSeizedFirearm(db, seizedFirearm(s), M.reference, settings);
      const took = performance.now() - t0;
      latencies.push(took);
      (isPartial(s) ? partialLat : wholeLat).push(took);
      if (took > slowest.ms) slowest = { ms: took, id: s.id, serials: seizedFirearm(s).serials.map((x) => `${x.value}${x.partial ? ' (partial)' : ''}`).join(' | ') };
      const o = judge(s, hubHits(hits));
      if (EXPLAIN && o.strongWrong > 0 && explained++ < 15) {
        const f = seizedFirearm(s);
        console.log(`wrong STRONG for ${s.id} (${s.label.kind}, truth ${s.label.truth ? `${s.label.truth.ownerCountry}/${s.label.truth.ownerReference} "${s.label.recordSerial}"` : 'none'}): seized "${s.label.seizedSerial}" ${f.make} / ${f.calibre} / ${f.model ?? '-'}`);
        for (const x of hits.filter((x) => x.tier === 'STRONG')) console.log(`    -> ${x.record.owner_reference} "${x.record.firearm.serials.map((y) => y.value).join(' | ')}" ${x.record.firearm.make} / ${x.record.firearm.calibre} / ${x.record.firearm.model ?? '-'} score ${x.score}: ${x.explanation.join('; ')}`);
      }
      const b = judge(s, await exactSerialHits(db, s));
      hub.push(o);
      base.push(b);
      const k = byKind.get(s.label.kind) ?? { n: 0, top3: 0, strong: 0, baseline: 0 };
      k.n++;
      if (o.positive) {
        k.top3 += o.truthTop3 ? 1 : 0;
        k.strong += o.truthStrong ? 1 : 0;
        k.baseline += b.truthTop3 ? 1 : 0;
      } else {
        k.top3 += o.strongWrong === 0 ? 1 : 0; // negatives: share with no wrong STRONG hit
        k.strong += hits.length === 0 ? 1 : 0; // negatives: share with no hit at all
        k.baseline += b.strongWrong === 0 ? 1 : 0;
      }
      byKind.set(s.label.kind, k);
    }

    log(`slowest match: ${ms(slowest.ms)} ms for ${slowest.id} (${slowest.serials}); total ${ms(latencies.reduce((a, b) => a + b, 0))} ms`);
    // The same seizures again: each one's index pages are now in memory, as the hot part of a
    // long-running hub's index is. The first pass read them from disk where the machine's page
    // cache had let them go (the GIN index of 1,000,000 records is about 450 MB).
    const warm: number[] = [];
    const warmWhole: number[] = [];
    const anatomy: { total: number; search: number; keys: number; patterns: number; candidates: number; serials: string }[] = [];
    for (const s of set) {
      const t0 = performance.now();
      if (SLOWEST > 0) {
        // The matcher's own steps, timed apart: what a slow look-up spends its time on.
        const seized = M.resolveFirearm(seizedFirearm(s), M.reference);
        const query = M.serialQuery(seized.serials);
        const t1 = performance.now();
        const candidates = await M.findRecordCandidates(db, query, settings.maxCandidates);
        const search = performance.now() - t1;
        M.rankRecordCandidates(seized, candidates, M.reference, settings);
        const total = performance.now() - t0;
        anatomy.push({ total, search, keys: query.keys.length, patterns: query.patterns.length, candidates: candidates.length, serials: seized.serials.map((x) => x.value).join(' | ') });
      } else {
        await M.matchSeizedFirearm(db, seizedFirearm(s), M.reference, settings);
      }
      const w = performance.now() - t0;
      warm.push(w);
      if (!isPartial(s)) warmWhole.push(w);
    }
    if (SLOWEST > 0) {
      console.log(`\nslowest ${SLOWEST} look-ups of the second pass (ms: total = candidate search + the rest)`);
      for (const a of anatomy.sort((x, y) => y.total - x.total).slice(0, SLOWEST)) {
        console.log(`  ${ms(a.total)} = ${ms(a.search)} + ${ms(a.total - a.search)}  keys ${a.keys}, patterns ${a.patterns}, candidates ${a.candidates}: ${a.serials}`);
      }
      const bins = [0, 1, 10, 50, 200, Number.POSITIVE_INFINITY];
      for (let i = 0; i + 1 < bins.length; i++) {
        const inBin = anatomy.filter((a) => a.candidates >= bins[i]! && a.candidates < bins[i + 1]!);
        if (inBin.length) console.log(`  candidates ${bins[i]}-${bins[i + 1]! - 1}: n=${inBin.length}, p50 ${ms(stats(inBin.map((a) => a.total)).p50)} ms, p99 ${ms(stats(inBin.map((a) => a.total)).p99)} ms, search p99 ${ms(stats(inBin.map((a) => a.search)).p99)} ms`);
      }
    }
    log(`throughput, ${CONCURRENCY} at a time`);
    let cursor = 0;
    const tp0 = performance.now();
    const concurrent: number[] = [];
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (;;) {
          const i = cursor++;
          if (i >= set.length) return;
          const t1 = performance.now();
          await M.matchSeizedFirearm(db, seizedFirearm(set[i]!), M.reference, settings);
          concurrent.push(performance.now() - t1);
        }
      }),
    );
    const perSecond = set.length / ((performance.now() - tp0) / 1000);

    // End to end through the hub process.
    let e2e: { p50: number; p99: number; mean: number; n: number; notDelivered: number } | undefined;
    if (E2E > 0) {
      log('end to end: starting the hub on the same schema');
      if (RUNTIME !== 'compiled') await buildHub();
      const auths = new Map<string, string>();
      // A reused schema has the agencies of the run that kept it, whose keys were shown once and
      // are gone: new ones are made (with their seizures and hits, nothing else refers to them).
      if (REUSE) await sql`truncate agencies, api_keys, seizures, seizure_items, hits cascade`.execute(db);
      for (const cc of new Set(set.map((s) => s.seizingCountry))) {
        const agency = set.find((s) => s.seizingCountry === cc)!.seizingAgency;
        auths.set(cc, await createAgency('compiled', env, { country: cc, code: agency, name: `${cc} bench`, role: 'ncb' }));
      }
      const proc = await startHub('compiled', env, 'hub');
      try {
        const positives = set.filter((s) => s.label.truth !== null && !['partial'].includes(s.label.kind)).slice(0, E2E);
        const ledgerIds: string[] = [];
        for (const s of positives) {
          const envelope = { messageId: `bench-${uuidv7()}`, type: 'seizure.report', sender: { country: s.seizingCountry, agency: s.seizingAgency }, sentAt: new Date().toISOString(), payload: { ...s.report, seizureReference: `${s.report.seizureReference}-${uuidv7().slice(-8)}` } };
          const res = await fetch(`${proc.baseUrl}/v1/messages`, { method: 'POST', headers: { authorization: `Bearer ${auths.get(s.seizingCountry)}`, 'content-type': 'application/json' }, body: JSON.stringify(envelope) });
          if (res.status !== 202) throw new Error(`seizure not accepted: ${res.status} ${await res.text()}`);
          ledgerIds.push(((await res.json()) as { ledgerId: string }).ledgerId);
          await sleep(50); // an arrival rate of about 20 seizures/s: latency, not a queue, is measured
        }
        const deadline = Date.now() + 60_000;
        let rows: { ledger_id: string; received_at: Date; notes: number; delivered: number; last: Date | null }[] = [];
        for (;;) {
          rows = (
            await db
              .selectFrom('ledger_messages as m')
              .leftJoin('outbox as o', (j) => j.onRef('o.source_ledger_id', '=', 'm.id').on('o.type', '=', 'hit.notification'))
              .select((eb) => [
                'm.id as ledger_id',
                'm.received_at',
                eb.fn.count<number>('o.id').as('notes'),
                eb.fn.count<number>('o.delivered_at').as('delivered'),
                eb.fn.max('o.delivered_at').as('last'),
              ])
              .where('m.id', 'in', ledgerIds)
              .groupBy(['m.id', 'm.received_at'])
              .execute()
          ).map((r) => ({ ...r, notes: Number(r.notes), delivered: Number(r.delivered), last: r.last as Date | null }));
          const pending = rows.filter((r) => r.notes === 0 || r.delivered < r.notes);
          if (pending.length === 0 || Date.now() > deadline) break;
          await sleep(200);
        }
        const done = rows.filter((r) => r.notes >= 2 && r.delivered === r.notes && r.last);
        e2e = { ...stats(done.map((r) => r.last!.getTime() - r.received_at.getTime())), n: done.length, notDelivered: ledgerIds.length - done.length };
      } finally {
        await proc.stop();
      }
    }

    const h = summary(hub);
    const b = summary(base);
    const lat = stats(latencies);
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    console.log('');
    console.log(`# Seizure matching at ${N.toLocaleString()} records (${set.length} labelled seizures: ${hub.filter((o) => o.positive).length} of recorded guns, ${hub.filter((o) => !o.positive).length} of guns in no record)`);
    console.log('');
    console.log('| matcher | strong-hit precision | strong-hit recall | recall in top 3 | recall, any hit | strong hits (wrong) |');
    console.log('|---|---|---|---|---|---|');
    console.log(`| Tracehub matcher | ${h.strongPrecision.toFixed(4)} | ${pct(h.strongRecall)} | ${pct(h.top3Recall)} | ${pct(h.anyRecall)} | ${h.strongHits} (${h.wrongStrong}) |`);
    console.log(`| baseline: exact serial as marked | ${b.strongPrecision.toFixed(4)} | ${pct(b.strongRecall)} | ${pct(b.top3Recall)} | ${pct(b.anyRecall)} | ${b.strongHits} (${b.wrongStrong}) |`);
    console.log('');
    console.log('| kind | n | top-3 recall (negatives: no wrong STRONG) | STRONG recall (negatives: no hit at all) | baseline top 3 (negatives: no wrong hit) |');
    console.log('|---|---|---|---|---|');
    for (const [kind, k] of [...byKind].sort()) console.log(`| ${kind} | ${k.n} | ${pct(k.top3 / k.n)} | ${pct(k.strong / k.n)} | ${pct(k.baseline / k.n)} |`);
    console.log('');
    console.log('| measure | figure | target |');
    console.log('|---|---|---|');
    console.log(`| bulk load of the records (record store upsert) | ${(N / loadSeconds).toFixed(0)} records/s | - |`);
    const warmLat = stats(warm);
    console.log(`| match latency p50 / p99, first look-up of each seizure (one at a time) | ${ms(lat.p50)} / ${ms(lat.p99)} ms | p99 <= 10 ms |`);
    console.log(`| match latency p50 / p99, same seizures again (index pages in memory) | ${ms(warmLat.p50)} / ${ms(warmLat.p99)} ms | p99 <= 10 ms |`);
    const whole = stats(wholeLat);
    const partial = stats(partialLat);
    const ww = stats(warmWhole);
    console.log(`| of which whole serials (n=${wholeLat.length}): first / again, p50 / p99 | ${ms(whole.p50)} / ${ms(whole.p99)} ms; ${ms(ww.p50)} / ${ms(ww.p99)} ms | p99 <= 10 ms |`);
    console.log(`| of which partial serials (n=${partialLat.length}, LIKE over the trigram index), p50 / p99 | ${ms(partial.p50)} / ${ms(partial.p99)} ms | - |`);
    const conc = stats(concurrent);
    console.log(`| matcher throughput (${CONCURRENCY} at a time; latency p50 / p99 under that load ${ms(conc.p50)} / ${ms(conc.p99)} ms) | ${perSecond.toFixed(0)} seizures/s | - |`);
    if (e2e) console.log(`| seizure received -> both notifications delivered, p50 / p99 (n=${e2e.n}${e2e.notDelivered ? `, ${e2e.notDelivered} not delivered in time` : ''}) | ${ms(e2e.p50)} / ${ms(e2e.p99)} ms | p99 <= 1000 ms |`);
    console.log(`| targets: top-3 recall >= 0.98 and strong precision >= 0.99 | ${h.top3Recall >= 0.98 && h.strongPrecision >= 0.99 ? 'met' : 'NOT met'} | |`);
  } finally {
    await database.close();
    if (!KEEP && !REUSE) await cleanup(env, [env.DATABASE_SCHEMA]);
    else log(`kept schema ${env.DATABASE_SCHEMA}`);
  }
}

await main();
