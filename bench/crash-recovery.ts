/**
 * Exactly-once under SIGKILL: send N distinct hub.notice messages as NDJSON batches, SIGKILL the
 * hub once about a third are acknowledged, restart it on the same schema and queue prefix, resend
 * every batch without a definite answer plus a sample of acknowledged ones, wait for the ledger to
 * settle, and check that every message was stored once, applied once, and produced one notice and
 * one outbox row.
 *
 *   npm run bench:crash -- [--n 10000] [--batch 200] [--concurrency 4] [--kill-at 0.33]
 *                          [--resend-sample 600] [--settle-timeout 300] [--runtime compiled|tsx]
 *                          [--no-build] [--ref GIT_REF] [--keep] [--json]
 *
 * Exits 1 when a check fails. See bench/README.md.
 */
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
  noticeBytes,
  parseFlags,
  schemaPool,
  SENDERS,
  sleep,
  startHub,
  type HubProcess,
  useRef,
  type Runtime,
} from './support/harness.js';

const flags = parseFlags(process.argv.slice(2));
const N = intFlag(flags, 'n', 10_000);
const BATCH = intFlag(flags, 'batch', 200);
const C = intFlag(flags, 'concurrency', 4);
const KILL_AT = flags.has('kill-at') ? Number(flags.get('kill-at')) : 1 / 3;
const SAMPLE = flags.has('resend-sample') ? Number(flags.get('resend-sample')) : 600;
const SETTLE_TIMEOUT_S = intFlag(flags, 'settle-timeout', 300);
const RUNTIME: Runtime = flags.get('runtime') === 'tsx' ? 'tsx' : 'compiled';
const JSON_OUT = flags.has('json');
if (!(KILL_AT > 0 && KILL_AT < 1)) throw new Error('--kill-at is a fraction between 0 and 1');
if (BATCH > 1000) throw new Error('--batch is at most 1000');

type ItemStatus = 'accepted' | 'duplicate' | 'rejected';
interface BatchItem {
  line: number;
  ledgerId: string;
  messageId?: string;
  status: ItemStatus;
  errors?: unknown[];
}

interface Message {
  index: number;
  messageId: string;
  raw: string;
  /** The hub's answer, once it gave one; undefined while no request for it has had a definite answer. */
  answer?: { ledgerId: string; status: ItemStatus; phase: 'before-kill' | 'after-restart' };
}

/** One NDJSON request; resolves with per-line items, or throws on a transport error or non-200. */
async function postBatch(pool: Pool, auth: string, msgs: Message[]): Promise<BatchItem[]> {
  const res = await pool.request({
    path: '/v1/message-batches',
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', authorization: auth },
    body: msgs.map((m) => m.raw).join('\n') + '\n',
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
  const parsed = JSON.parse(text) as { items: BatchItem[] };
  if (parsed.items.length !== msgs.length) throw new Error(`answer has ${parsed.items.length} items for ${msgs.length} lines`);
  return parsed.items;
}

function chunk<T>(xs: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

interface Check {
  name: string;
  expected: number | string;
  actual: number | string;
  ok: boolean;
}

async function main(): Promise<number> {
  const started = performance.now();
  const ref = flags.get('ref');
  if (typeof ref === 'string') useRef(ref);
  const cfg = hubConfig().pipeline;
  if (RUNTIME === 'compiled' && !flags.has('no-build')) {
    log('compiling with tsc into bench/results/build ...');
    const b = await buildHub();
    log(`compiled in ${b.seconds.toFixed(1)} s${b.typeErrors ? ' (with type errors)' : ''}`);
  }
  const env = await benchEnv('crash');
  const runId = env.DATABASE_SCHEMA.slice(-6);
  let hub: HubProcess | undefined;
  let db: ReturnType<typeof schemaPool> | undefined;
  let exitCode = 0;
  const onSignal = () => {
    log('interrupted; cleaning up');
    hub?.child.kill('SIGKILL');
    void cleanup(env, [env.DATABASE_SCHEMA]).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    log(`hub source: ${hubSource().label}; schema/prefix ${env.DATABASE_SCHEMA}, port ${env.PORT}, runtime ${RUNTIME}`);
    const keyFR = await createAgency(RUNTIME, env, { country: 'FR', code: SENDERS.FR.agency, name: SENDERS.FR.name });
    await createAgency(RUNTIME, env, { country: 'DE', code: SENDERS.DE.agency, name: SENDERS.DE.name });
    const auth = `Bearer ${keyFR}`;
    const messages: Message[] = Array.from({ length: N }, (_, i) => {
      const messageId = `crash-${runId}-${i}`;
      return { index: i, messageId, raw: noticeBytes(messageId, SENDERS.FR, 'DE') };
    });
    const batches = chunk(messages, BATCH);

    // ---- phase 1: send until about a third is acknowledged, then SIGKILL -----------------------
    hub = await startHub(RUNTIME, env, 'hub#1');
    const firstPid = hub.child.pid;
    log(`hub #1 ready (pid ${firstPid}); sending ${N} messages in ${batches.length} batches of ${BATCH}, ${C} concurrent`);
    db = schemaPool(env);
    const killAfter = Math.round(N * KILL_AT);
    let ackedBeforeKill = 0;
    let killed = false;
    let killedAt = 0;
    let next = 0;
    const transportErrors: string[] = [];
    let batchesErrored = 0;
    let batchesAnswered = 0;
    const pool1 = new Pool(hub.baseUrl, { connections: C, pipelining: 1, headersTimeout: 60_000, bodyTimeout: 60_000 });
    const hub1 = hub;
    const t0 = performance.now();
    let killPromise: Promise<void> | undefined;
    await Promise.all(
      Array.from({ length: C }, async () => {
        for (;;) {
          if (killed) return;
          const b = next++;
          if (b >= batches.length) return;
          const msgs = batches[b]!;
          try {
            const items = await postBatch(pool1, auth, msgs);
            items.forEach((it, j) => (msgs[j]!.answer = { ledgerId: it.ledgerId, status: it.status, phase: 'before-kill' }));
            ackedBeforeKill += items.length;
            batchesAnswered++;
          } catch (err) {
            batchesErrored++;
            if (transportErrors.length < 5) transportErrors.push(`batch ${b}: ${String(err).slice(0, 200)}`);
          }
          if (!killed && ackedBeforeKill >= killAfter) {
            killed = true;
            killedAt = performance.now();
            killPromise = hub1.kill9();
          }
        }
      }),
    );
    await killPromise;
    const exit1 = await hub1.exited;
    await pool1.destroy().catch(() => undefined);
    const sendSeconds = (killedAt - t0) / 1000;
    const stateAtKill = (await db.query<{ status: string; n: number }>(`select status, count(*)::int as n from ledger_messages group by status order by status`)).rows;
    const queuedAtKill = await db.query<{ n: number }>(`select count(*)::int as n from outbox`);
    log(`SIGKILLed hub #1 after ${ackedBeforeKill} acknowledged (${sendSeconds.toFixed(2)} s; exit signal ${exit1.signal}); ${batchesErrored} in-flight batches errored`);
    log(`ledger at kill: ${stateAtKill.map((r) => `${r.status} ${r.n}`).join(', ') || 'empty'}; outbox ${queuedAtKill.rows[0]!.n}`);

    // ---- phase 2: restart on the same schema/prefix, resend ---------------------------------------
    const tRestart = performance.now();
    hub = await startHub(RUNTIME, env, 'hub#2');
    const restartSeconds = (performance.now() - tRestart) / 1000;
    const restartWall = Date.now();
    log(`hub #2 ready (pid ${hub.child.pid}) in ${restartSeconds.toFixed(2)} s`);
    const unanswered = messages.filter((m) => !m.answer);
    const acked = messages.filter((m) => m.answer);
    // An evenly spread sample of acknowledged messages, to show they are not stored or applied again.
    const step = Math.max(1, Math.floor(acked.length / Math.max(1, SAMPLE)));
    const sample = acked.filter((_, i) => i % step === 0).slice(0, SAMPLE);
    const sampleBefore = new Map(sample.map((m) => [m.messageId, m.answer!.ledgerId]));
    const pool2 = new Pool(hub.baseUrl, { connections: C, pipelining: 1, headersTimeout: 60_000, bodyTimeout: 60_000 });
    const resendBatches = [...chunk(unanswered, BATCH), ...chunk(sample, BATCH)];
    let resendErrors = 0;
    const resendAnswers = { accepted: 0, duplicate: 0, rejected: 0 };
    const sampleMismatches: string[] = [];
    let sampleNotDuplicate = 0;
    const tResend = performance.now();
    let rnext = 0;
    await Promise.all(
      Array.from({ length: C }, async () => {
        for (;;) {
          const b = rnext++;
          if (b >= resendBatches.length) return;
          const msgs = resendBatches[b]!;
          // Bounded retries: the restarted hub should answer; three failures are a failure.
          for (let attempt = 1; ; attempt++) {
            try {
              const items = await postBatch(pool2, auth, msgs);
              items.forEach((it, j) => {
                const m = msgs[j]!;
                resendAnswers[it.status]++;
                const before = sampleBefore.get(m.messageId);
                if (before !== undefined) {
                  if (it.status !== 'duplicate') sampleNotDuplicate++;
                  if (it.ledgerId !== before && sampleMismatches.length < 5) sampleMismatches.push(`${m.messageId}: acked as ${before}, resend answered ${it.ledgerId} (${it.status})`);
                } else {
                  m.answer = { ledgerId: it.ledgerId, status: it.status, phase: 'after-restart' };
                }
              });
              break;
            } catch (err) {
              if (attempt >= 3) {
                resendErrors += msgs.length;
                if (transportErrors.length < 10) transportErrors.push(`resend batch ${b}: ${String(err).slice(0, 200)}`);
                break;
              }
              await sleep(500 * attempt);
            }
          }
        }
      }),
    );
    await pool2.close();
    const resendSeconds = (performance.now() - tResend) / 1000;
    log(`resent ${unanswered.length} unanswered + ${sample.length} acknowledged in ${resendSeconds.toFixed(2)} s: accepted ${resendAnswers.accepted}, duplicate ${resendAnswers.duplicate}, rejected ${resendAnswers.rejected}, failed ${resendErrors}`);

    // ---- phase 3: wait for the ledger to settle ------------------------------------------------------
    const tSettle = performance.now();
    const deadline = Date.now() + SETTLE_TIMEOUT_S * 1000;
    const poll = await db.connect();
    let pending = -1;
    let lastReport = 0;
    const timeline: { t: number; pending: number }[] = [];
    try {
      // Index scans (not bitmap scans) on the hub's partial index of unfinished rows: cheap polls.
      await poll.query('set enable_bitmapscan = off');
      for (;;) {
        pending = (await poll.query<{ n: number }>({ name: 'pending', text: `select count(*)::int as n from ledger_messages where status in ('received', 'validated')` })).rows[0]!.n;
        const t = (performance.now() - tSettle) / 1000;
        if (timeline.length === 0 || timeline[timeline.length - 1]!.pending !== pending) timeline.push({ t, pending });
        if (pending === 0 || Date.now() > deadline) break;
        if (t - lastReport >= 5) {
          lastReport = t;
          log(`settling: ${pending} still validated after ${t.toFixed(0)} s`);
        }
        await sleep(250);
      }
    } finally {
      poll.release();
    }
    const settleSeconds = (performance.now() - tSettle) / 1000;
    const settled = pending === 0;
    log(settled ? `ledger settled ${settleSeconds.toFixed(1)} s after the resend` : `ledger NOT settled after ${SETTLE_TIMEOUT_S} s: ${pending} still validated`);

    // ---- phase 4: verify ---------------------------------------------------------------------------
    const one = async (text: string, values: unknown[] = []) => Number((await db!.query<{ n: string | number }>(text, values)).rows[0]!.n);
    const sender = ['FR', 'NCB-PARIS'];
    const ackedIds = messages.filter((m) => m.answer).map((m) => m.answer!.ledgerId);
    const checks: Check[] = [];
    const check = (name: string, expected: number, actual: number) => checks.push({ name, expected, actual, ok: expected === actual });
    check('ledger settled (rows still validated)', 0, pending);
    check('every message got a definite answer', N, messages.filter((m) => m.answer).length);
    check('distinct messageIds in ledger_messages for FR/NCB-PARIS', N, await one(`select count(distinct message_id) as n from ledger_messages where sender_country = $1 and sender_agency = $2`, sender));
    check('ledger_messages rows for FR/NCB-PARIS (stored once each)', N, await one(`select count(*) as n from ledger_messages where sender_country = $1 and sender_agency = $2`, sender));
    check('ledger_messages rows with status applied', N, await one(`select count(*) as n from ledger_messages where status = 'applied'`));
    check('ledger_messages rows rejected or dead', 0, await one(`select count(*) as n from ledger_messages where status in ('rejected', 'dead')`));
    check("'applied' events", N, await one(`select count(*) as n from (select m.id as message_id, e->>'event' as event, (e->>'at')::timestamptz as at from ledger_messages m cross join lateral jsonb_array_elements(m.lineage) e) ev where event = 'applied'`));
    check("ledger ids with more than one 'applied' event", 0, await one(`select count(*) as n from (select message_id from (select m.id as message_id, e->>'event' as event, (e->>'at')::timestamptz as at from ledger_messages m cross join lateral jsonb_array_elements(m.lineage) e) ev where event = 'applied' group by message_id having count(*) > 1) d`));
    check('notices rows', N, await one(`select count(*) as n from notices`));
    check('ledger ids with more than one notice', 0, await one(`select count(*) as n from (select ledger_id from notices group by ledger_id having count(*) > 1) d`));
    check('notices whose ledger row is not applied', 0, await one(`select count(*) as n from notices n where not exists (select 1 from ledger_messages m where m.id = n.ledger_id and m.status = 'applied')`));
    check('outbox rows', N, await one(`select count(*) as n from outbox`));
    check('outbox rows to DE, one per applied message', N, await one(`select count(distinct source_ledger_id) as n from outbox where recipient_country = 'DE'`));
    check('acknowledged ledgerIds present and applied (acks are durable)', ackedIds.length, await one(`select count(*) as n from ledger_messages where id = any($1::uuid[]) and status = 'applied'`, [ackedIds]));
    check('resent acknowledged sample answered as duplicate', 0, sampleNotDuplicate);
    check('resent acknowledged sample answered with the original ledgerId', 0, sampleMismatches.length);
    check('resend requests that failed', 0, resendErrors);
    const outboxStatus = (await db.query<{ status: string; n: number }>(`select status, count(*)::int as n from outbox group by status order by status`)).rows;
    const dupEvents = await one(`select count(*) as n from (select m.id as message_id, e->>'event' as event, (e->>'at')::timestamptz as at from ledger_messages m cross join lateral jsonb_array_elements(m.lineage) e) ev where event = 'duplicate'`);
    const failedEvents = await one(`select count(*) as n from (select m.id as message_id, e->>'event' as event, (e->>'at')::timestamptz as at from ledger_messages m cross join lateral jsonb_array_elements(m.lineage) e) ev where event = 'failed'`);
    const recovered = messages.filter((m) => m.answer?.phase === 'after-restart');
    const recoveredDuplicates = recovered.filter((m) => m.answer!.status === 'duplicate').length;

    // When was each message applied, relative to hub #2 being ready, by what the client knew of it?
    const appliedAt = (await db.query<{ message_id: string; at: Date }>(`select m.message_id, (e->>'at')::timestamptz as at from ledger_messages m cross join lateral jsonb_array_elements(m.lineage) e where e->>'event' = 'applied'`)).rows;
    const byMessageId = new Map(messages.map((m) => [m.messageId, m]));
    const lateBuckets = [
      { label: 'before hub #2 ready', to: 0 },
      { label: '<10s', to: 10 },
      { label: '10-45s', to: 45 },
      { label: '45-75s', to: 75 },
      { label: '>75s', to: Infinity },
    ];
    const lateness: Record<string, Record<string, number>> = {};
    for (const r of appliedAt) {
      const m = byMessageId.get(r.message_id);
      const cat = !m?.answer ? 'unknown' : m.answer.phase === 'before-kill' ? 'acked before kill' : m.answer.status === 'duplicate' ? 'stored, answer lost' : 'sent after restart';
      const dt = (r.at.getTime() - restartWall) / 1000;
      const bucket = lateBuckets.find((b) => dt < b.to)!.label;
      (lateness[cat] ??= {})[bucket] = (lateness[cat]![bucket] ?? 0) + 1;
    }

    const ok = checks.every((c) => c.ok);
    if (!ok) exitCode = 1;
    const totalSeconds = (performance.now() - started) / 1000;
    const result = {
      config: { source: hubSource().label, n: N, batch: BATCH, concurrency: C, killAt: KILL_AT, resendSample: sample.length, runtime: RUNTIME, staleAfterSeconds: cfg.staleAfterSeconds, sweepIntervalSeconds: cfg.sweepIntervalSeconds },
      phases: {
        beforeKill: { acknowledged: ackedBeforeKill, batchesAnswered, batchesErrored, unsent: batches.length - batchesAnswered - batchesErrored, seconds: sendSeconds, ledgerAtKill: Object.fromEntries(stateAtKill.map((r) => [r.status, r.n])) },
        restart: { seconds: restartSeconds, firstPid, secondPid: hub.child.pid, killSignal: exit1.signal },
        resend: { unanswered: unanswered.length, sample: sample.length, ...resendAnswers, failed: resendErrors, seconds: resendSeconds, unansweredFoundStored: recoveredDuplicates },
        settle: { settled, seconds: settleSeconds, timeline },
      },
      checks,
      info: { appliedAfterRestart: lateness, outboxByStatus: Object.fromEntries(outboxStatus.map((r) => [r.status, r.n])), duplicateEvents: dupEvents, failedEvents, transportErrors },
      totalSeconds,
      ok,
    };

    if (JSON_OUT) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      const w = Math.max(...checks.map((c) => c.name.length));
      const out = [
        '',
        `Tracehub crash-recovery (exactly-once under SIGKILL; ${hubSource().label}): ${N} hub.notice FR->DE, NDJSON batches of ${BATCH}, ${C} concurrent, ${RUNTIME}`,
        `before kill : ${ackedBeforeKill} acknowledged in ${batchesAnswered} batches (${sendSeconds.toFixed(2)} s), ${batchesErrored} batches in flight errored, ${result.phases.beforeKill.unsent} never sent; ledger at kill: ${stateAtKill.map((r) => `${r.status} ${r.n}`).join(', ')}`,
        `restart     : hub #2 ready in ${restartSeconds.toFixed(2)} s (same schema and queue prefix)`,
        `resend      : ${unanswered.length} unanswered + ${sample.length} acknowledged sample in ${resendSeconds.toFixed(2)} s -> accepted ${resendAnswers.accepted}, duplicate ${resendAnswers.duplicate} (${recoveredDuplicates} of them unanswered-but-stored), rejected ${resendAnswers.rejected}, failed ${resendErrors}`,
        `settle      : ${settled ? `no validated rows ${settleSeconds.toFixed(1)} s after the resend` : `NOT settled after ${SETTLE_TIMEOUT_S} s (${pending} validated)`}; pending timeline ${timeline.filter((_, i, a) => i === 0 || i === a.length - 1 || i % Math.ceil(a.length / 8) === 0).map((p) => `${p.t.toFixed(1)}s:${p.pending}`).join(' ')}`,
        `info        : outbox ${outboxStatus.map((r) => `${r.status} ${r.n}`).join(', ')}; 'duplicate' events ${dupEvents}; 'failed' apply events ${failedEvents}`,
        `applied at  : ${Object.entries(lateness).map(([cat, b]) => `${cat}: ${lateBuckets.filter((x) => b[x.label]).map((x) => `${x.label} ${b[x.label]}`).join(', ')}`).join('; ')} (relative to hub #2 ready)`,
        '',
        ...checks.map((c) => `${c.ok ? 'PASS' : 'FAIL'}  ${c.name.padEnd(w)}  expected ${String(c.expected).padStart(6)}  got ${String(c.actual).padStart(6)}`),
        '',
        `${ok ? 'OK' : 'FAILED'}: ${checks.filter((c) => c.ok).length}/${checks.length} checks passed; total ${totalSeconds.toFixed(1)} s`,
        ...(transportErrors.length ? [`transport errors (first few): ${transportErrors.join(' | ')}`] : []),
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
    if (flags.has('keep')) log(`--keep: left schema ${env.DATABASE_SCHEMA} and Redis prefix ${env.QUEUE_PREFIX} in place`);
    else {
      const c = await cleanup(env, [env.DATABASE_SCHEMA]).catch((e: unknown) => {
        log(`cleanup failed: ${String(e)}`);
        return undefined;
      });
      if (c) log(`cleaned up: dropped schema ${env.DATABASE_SCHEMA}; deleted ${c.keysDeleted} Redis keys`);
    }
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
