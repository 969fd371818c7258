/**
 * Shared plumbing of the benchmarks: build the hub, run it as a child process in a fresh schema
 * and queue prefix, create agencies through the CLI, and clean everything up afterwards.
 *
 * The benchmarks treat the hub as a black box (a process, a port, a database schema): nothing
 * from src/ is imported, so what is measured is what `tracehub start` does in production.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { deleteQueueKeys } from '../../queues/queue-prefix-keys.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Compiled output goes under bench/results/ (git- and lint-ignored), never over dist/. */
export const BUILD_DIR = join(ROOT, 'bench', 'results', 'build');

export type Runtime = 'compiled' | 'tsx';

/**
 * Where the hub under test comes from: the working tree (default), or, with --ref, a clean export
 * of a commit (git archive) into a temporary directory sharing this checkout's node_modules. The
 * working tree may be mid-edit (schemas/ and config/ are read at run time, so even a compiled build
 * sees them); a ref gives a stable subject. The export lives outside the repository on purpose:
 * tsconfig.json includes bench/, so a second copy of src/ under bench/ would be compiled too.
 */
export interface HubSource {
  root: string;
  buildDir: string;
  label: string;
}

let source: HubSource = { root: ROOT, buildDir: BUILD_DIR, label: 'working tree' };

export function hubSource(): HubSource {
  return source;
}

export function useRef(ref: string): HubSource {
  const sha = execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], { cwd: ROOT, encoding: 'utf8' }).trim();
  const dir = join(tmpdir(), `tracehub-bench-${sha.slice(0, 12)}`);
  if (!existsSync(join(dir, 'package.json'))) {
    mkdirSync(dir, { recursive: true });
    const tar = execFileSync('git', ['archive', '--format=tar', sha], { cwd: ROOT, maxBuffer: 512 * 1024 * 1024 });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  }
  source = { root: dir, buildDir: join(dir, 'dist'), label: `${ref} (${sha.slice(0, 12)}, exported to ${dir})` };
  return source;
}

export interface BenchEnv {
  DATABASE_URL: string;
  DATABASE_SCHEMA: string;
  QUEUE_PREFIX: string;
  REDIS_URL: string;
  LOG_LEVEL: string;
  HOST: string;
  PORT: string;
}

export function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 23)}] ${msg}\n`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function hubConfig(): { pipeline: { staleAfterSeconds: number; sweepIntervalSeconds: number; ingestMaxBatch: number; applyBatchSize: number; applyConcurrency: number } } {
  return JSON.parse(readFileSync(join(source.root, 'config', 'hub.json'), 'utf8'));
}

export async function freePort(): Promise<number> {
  return new Promise((resolveP, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolveP(port));
    });
  });
}

export async function benchEnv(label: string): Promise<BenchEnv> {
  const id = `bench_${label}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  return {
    DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tracehub',
    DATABASE_SCHEMA: id,
    QUEUE_PREFIX: id,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
  };
}

/** Runs a command to completion; rejects on a non-zero exit with its output. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolveP, reject) => {
    const child = spawn(cmd, args, { cwd: source.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveP({ code: code ?? -1, stdout, stderr });
    });
  });
}

/**
 * Compiles the hub with tsc into bench/results/build (never over dist/, which others use), or into
 * the export's own dist/ with --ref. Type errors (the tree may be mid-edit) do not stop the emit;
 * they are reported and the run goes on if cli.js exists.
 */
export async function buildHub(): Promise<{ seconds: number; typeErrors: boolean }> {
  const t0 = performance.now();
  const r = await run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(source.root, 'tsconfig.json'), '--outDir', source.buildDir], process.env, 180_000);
  const seconds = (performance.now() - t0) / 1000;
  if (r.code !== 0) {
    log(`tsc exited ${r.code}; continuing with whatever it emitted:\n${(r.stdout + r.stderr).split('\n').slice(0, 20).join('\n')}`);
  }
  if (!existsSync(join(source.buildDir, 'src', 'cli.js'))) throw new Error(`build produced no ${join(source.buildDir, 'src', 'cli.js')}`);
  return { seconds, typeErrors: r.code !== 0 };
}

function cliInvocation(runtime: Runtime): string[] {
  return runtime === 'compiled' ? [join(source.buildDir, 'src', 'cli.js')] : ['--import', 'tsx', join(source.root, 'src', 'cli.ts')];
}

function childEnv(env: BenchEnv): NodeJS.ProcessEnv {
  return { ...process.env, ...env, NODE_ENV: 'production' };
}

/** `tracehub agencies add`; returns the API key it prints. */
export async function createAgency(runtime: Runtime, env: BenchEnv, a: { country: string; code: string; name: string; role?: string }): Promise<string> {
  const r = await run(
    process.execPath,
    [...cliInvocation(runtime), 'agencies', 'add', '--country', a.country, '--code', a.code, '--name', a.name, '--role', a.role ?? 'ncb'],
    childEnv(env),
    60_000,
  );
  const m = /api key \(shown once\): (thk_\S+)/.exec(r.stdout);
  if (r.code !== 0 || !m) throw new Error(`agencies add ${a.country}/${a.code} failed (exit ${r.code}):\n${r.stdout}${r.stderr}`);
  return m[1]!;
}

export interface HubProcess {
  child: ChildProcess;
  baseUrl: string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Last lines the hub wrote (warnings and errors at LOG_LEVEL=warn). */
  tail: string[];
  linesLogged(): number;
  stop(): Promise<void>;
  kill9(): Promise<void>;
}

/** Starts `tracehub start` and waits until /health/ready answers 200. */
export async function startHub(runtime: Runtime, env: BenchEnv, label = 'hub'): Promise<HubProcess> {
  // BENCH_HUB_NODE_ARGS: extra node flags for the hub only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
  // (node refuses --cpu-prof in NODE_OPTIONS).
  const nodeArgs = (process.env.BENCH_HUB_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, ...cliInvocation(runtime), 'start'], { cwd: source.root, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  let lines = 0;
  const onData = (d: Buffer) => {
    for (const line of d.toString().split('\n')) {
      if (!line.trim()) continue;
      lines++;
      tail.push(line);
      if (tail.length > 50) tail.shift();
      // Warnings are worth seeing live, but a flood would drown the figures.
      if (lines <= 20) process.stderr.write(`[${label}] ${line.slice(0, 400)}\n`);
      else if (lines === 21) process.stderr.write(`[${label}] ... further hub output suppressed (kept the last 50 lines)\n`);
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('exit', (code, signal) => {
      done = true;
      r({ code, signal });
    }),
  );
  const baseUrl = `http://${env.HOST}:${env.PORT}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (done) throw new Error(`hub exited before it was ready:\n${tail.join('\n')}`);
    try {
      const res = await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`hub not ready after 60 s:\n${tail.join('\n')}`);
    }
    await sleep(100);
  }
  return {
    child,
    baseUrl,
    exited,
    tail,
    linesLogged: () => lines,
    async stop() {
      if (done) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(t);
    },
    async kill9() {
      if (done) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Drops the given schemas and deletes every Redis key under the prefix (SCAN + DEL). */
export async function cleanup(env: BenchEnv, schemas: string[]): Promise<{ keysDeleted: number }> {
  const client = new pg.Client({ connectionString: env.DATABASE_URL });
  await client.connect();
  try {
    for (const s of schemas) await client.query(`drop schema if exists "${s.replace(/"/g, '')}" cascade`);
  } finally {
    await client.end();
  }
  const redis = new Redis(env.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 3 });
  let keysDeleted = 0;
  try {
    await redis.connect();
    keysDeleted = await deleteQueueKeys(redis, env.QUEUE_PREFIX);
  } finally {
    redis.disconnect();
  }
  return { keysDeleted };
}

/** A pg pool on the hub's schema, for the benchmark's own queries. */
export function schemaPool(env: BenchEnv, schema = env.DATABASE_SCHEMA, max = 2): pg.Pool {
  return new pg.Pool({ connectionString: env.DATABASE_URL, max, options: `-c search_path=${schema},public`, application_name: 'tracehub-bench' });
}

export const SENDERS = {
  FR: { country: 'FR', agency: 'NCB-PARIS', name: 'INTERPOL NCB Paris' },
  DE: { country: 'DE', agency: 'NCB-WIESBADEN', name: 'INTERPOL NCB Wiesbaden' },
} as const;

const SENT_AT = new Date().toISOString();
/** ~300 bytes of filler makes the raw envelope ~430 bytes, the size the ceiling compares with. */
const FILLER = 'A Glock 17 pistol, serial AB12345, was reported stolen from a licensed dealer; please check your records and report any sighting. '.repeat(3).slice(0, 300);

/** One hub.notice envelope, serialised; distinct per messageId (so also distinct bytes). */
export function noticeBytes(messageId: string, from: { country: string; agency: string }, to: string): string {
  return JSON.stringify({
    messageId,
    type: 'hub.notice',
    sender: { country: from.country, agency: from.agency },
    sentAt: SENT_AT,
    payload: { to: [{ country: to }], subject: `Stolen pistol ${messageId}`, body: FILLER, serials: [`AB${messageId.replace(/[^0-9]/g, '').slice(-8) || '0'}`] },
  });
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** Parses `--name value`, `--name=value` and bare `--flag`. */
export function parseFlags(argv: string[]): Map<string, string | true> {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) flags.set(a.slice(2), argv[++i]!);
    else flags.set(a.slice(2), true);
  }
  return flags;
}

export function intFlag(flags: Map<string, string | true>, name: string, def: number): number {
  const v = flags.get(name);
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got ${String(v)}`);
  return n;
}

/** A time-ordered v7 UUID, like the hub's ids (so primary-key inserts have the same locality). */
export function uuidv7(): string {
  const b = randomBytes(16);
  const ms = Date.now();
  b.writeUIntBE(ms, 0, 6);
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const CLK_TCK = 100;

/** user+system CPU seconds of a process (Linux /proc), or NaN where unavailable. */
export function processCpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/** Busy and total CPU seconds of the whole machine since boot (Linux /proc/stat). */
export function machineCpuSeconds(): { busy: number; total: number } {
  try {
    const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
    const v = cpu!.trim().split(/\s+/).slice(1).map(Number);
    const total = v.reduce((a, b) => a + b, 0);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    return { busy: (total - idle) / CLK_TCK, total: total / CLK_TCK };
  } catch {
    return { busy: NaN, total: NaN };
  }
}

/** Sum and count of tracehub_stage_duration_seconds per stage, from the hub's /metrics. */
export async function stageTimes(baseUrl: string): Promise<Map<string, { sum: number; count: number }>> {
  const out = new Map<string, { sum: number; count: number }>();
  try {
    const text = await (await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    for (const m of text.matchAll(/^tracehub_stage_duration_seconds_(sum|count)\{stage="([^"]+)"\} ([0-9.eE+-]+)$/gm)) {
      const e = out.get(m[2]!) ?? { sum: 0, count: 0 };
      e[m[1] as 'sum' | 'count'] = Number(m[3]);
      out.set(m[2]!, e);
    }
  } catch {
    // metrics are a diagnostic; their absence does not fail the run
  }
  return out;
}

/** CPU used over one measured mode, and the pipeline's stage times from /metrics. */
export interface Usage {
  /** CPU of the hub process over the mode, in cores (1.0 = one core busy the whole time). */
  hubCores: number;
  /** CPU of the whole machine (hub, PostgreSQL, Redis, this client) over the mode, in cores. */
  machineCores: number;
  /** Per pipeline stage: batches, seconds summed over batches (concurrent batches overlap), from /metrics. */
  stages: Record<string, { batches: number; seconds: number; meanMs: number }>;
}

/** Starts measuring; the returned function ends the measurement and gives the usage since. */
export async function usageStart(hub: HubProcess): Promise<() => Promise<Usage>> {
  const st0 = await stageTimes(hub.baseUrl);
  const h0 = processCpuSeconds(hub.child.pid);
  const m0 = machineCpuSeconds();
  const t0 = performance.now();
  return async () => {
    const wall = (performance.now() - t0) / 1000;
    const h1 = processCpuSeconds(hub.child.pid);
    const m1 = machineCpuSeconds();
    const st1 = await stageTimes(hub.baseUrl);
    const stages: Usage['stages'] = {};
    for (const [stage, v] of st1) {
      const before = st0.get(stage) ?? { sum: 0, count: 0 };
      const batches = v.count - before.count;
      if (batches > 0) stages[stage] = { batches, seconds: v.sum - before.sum, meanMs: ((v.sum - before.sum) / batches) * 1000 };
    }
    return { hubCores: (h1 - h0) / wall, machineCores: (m1.busy - m0.busy) / wall, stages };
  };
}
