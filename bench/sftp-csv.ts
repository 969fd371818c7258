/**
 * One large CSV file over SFTP: time until every row is a record in PostgreSQL, and the peak
 * resident memory of the hub process while it reads, splits and applies the file.
 *
 *   npm run bench:sftp -- [--n 1000000] [--runtime compiled|tsx] [--no-build] [--ref GIT_REF]
 *                         [--timeout 3600] [--keep] [--json]
 *
 * A private OpenSSH server (scripts/sftp-server.sh) serves the partner's drop on a free loopback
 * port; the hub (`tracehub start`, a child process, fresh schema and queue prefix) polls it as the
 * example partner GB (config/partners/GB.json, its CSV layout config/formats/csv-gb-firearms.json),
 * with its endpoint settings in the environment as production would have them. The file is
 * written straight into the server's directory (the upload is not what is measured) and marked
 * complete with its done-file; the clock starts then. See bench/README.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import {
  benchEnv,
  buildHub,
  cleanup,
  freePort,
  hubSource,
  intFlag,
  log,
  parseFlags,
  processCpuSeconds,
  schemaPool,
  sleep,
  startHub,
  useRef,
  type HubProcess,
  type Runtime,
} from './support/harness.js';

const flags = parseFlags(process.argv.slice(2));
const N = intFlag(flags, 'n', 1_000_000);
const TIMEOUT_S = intFlag(flags, 'timeout', 3600);
const RUNTIME: Runtime = flags.get('runtime') === 'tsx' ? 'tsx' : 'compiled';
const JSON_OUT = flags.has('json');
const KEEP = flags.has('keep');

const HEADER = 'Record Ref,Status,Serial No,Make,Model,Calibre,Weapon Type,Country of Manufacture,Year of Manufacture,Date Reported,Crime Ref,Town,Circumstances,Description';
const MAKES = ['Glock', 'Smith & Wesson', 'Beretta', 'Sturm, Ruger & Co.', 'Walther', 'CZ'];
const CALIBRES = ['9mm Luger', '.22 LR', '.38 Special', '12 gauge', '.45 ACP', '7.62x39mm'];
const TYPES = ['Pistol', 'Revolver', 'Rifle', 'Shotgun', 'Pistol', 'Rifle'];
const TOWNS = ['Leeds', 'Manchester', 'Bristol', 'Glasgow', 'Cardiff', 'Belfast'];

function row(i: number): string {
  const k = i % 6;
  const day = String((i % 28) + 1).padStart(2, '0');
  const month = String((i % 12) + 1).padStart(2, '0');
  return `GB-B-${i},${i % 5 === 0 ? 'Lost' : 'Stolen'},SN${(i * 7919).toString(36).toUpperCase()}-${i},"${MAKES[k]}",M${k},${CALIBRES[k]},${TYPES[k]},GB,${1990 + (i % 30)},${day}/${month}/2024,CR/${i},${TOWNS[k]},"Reported missing at audit, case ${i}",`;
}

async function writeCsv(path: string, n: number): Promise<number> {
  const out = createWriteStream(path);
  out.write(`${HEADER}\n`);
  let buf = '';
  for (let i = 0; i < n; i++) {
    buf += `${row(i)}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
  return statSync(path).size;
}

function memoryKiB(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

async function startSftp(dir: string, port: number): Promise<{ child: ChildProcess; hostKey: string }> {
  const child = spawn('bash', [join(hubSource().root, 'scripts', 'sftp-server.sh'), 'run'], {
    env: { ...process.env, SFTP_DIR: dir, SFTP_PORT: String(port), SFTP_ROOT: join(dir, 'files') },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const pub = readFileSync(join(dir, 'ssh_host_ed25519_key.pub'), 'utf8').split(' ')[1]!;
      if (err.includes('Server listening')) {
        return { child, hostKey: `SHA256:${createHash('sha256').update(Buffer.from(pub, 'base64')).digest('base64').replace(/=+$/, '')}` };
      }
    } catch {
      // keys not generated yet
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`sftp server did not start:\n${err.slice(-2000)}`);
    await sleep(100);
  }
}

async function main(): Promise<void> {
  if (flags.has('ref')) useRef(String(flags.get('ref')));
  const src = hubSource();
  log(`hub: ${src.label}, runtime ${RUNTIME}; N = ${N}`);
  if (RUNTIME === 'compiled' && !flags.has('no-build')) {
    const b = await buildHub();
    log(`built in ${b.seconds.toFixed(1)} s${b.typeErrors ? ' (with type errors)' : ''}`);
  }

  const work = mkdtempSync(join(tmpdir(), 'tracehub-bench-sftp-'));
  const sftpDir = join(work, 'sftp');
  const configDir = join(work, 'config');
  mkdirSync(sftpDir);
  const env = await benchEnv('sftp');
  const pool = schemaPool(env);
  let hub: HubProcess | undefined;
  let sftp: ChildProcess | undefined;
  let exitCode = 1;
  try {
    const port = await freePort();
    const server = await startSftp(sftpDir, port);
    sftp = server.child;
    log(`sftp server on 127.0.0.1:${port}`);

    // The project's configuration, with GB polled every second instead of every ten.
    cpSync(join(src.root, 'config'), configDir, { recursive: true });
    const gbFile = join(configDir, 'partners', 'GB.json');
    const gb = JSON.parse(readFileSync(gbFile, 'utf8'));
    gb.sftp.pollIntervalSeconds = 1;
    writeFileSync(gbFile, JSON.stringify(gb, null, 2));
    const inbox = join(sftpDir, 'files', 'gb', 'inbox');
    mkdirSync(inbox, { recursive: true });

    const t0gen = performance.now();
    const csvPath = join(inbox, 'register-bench.csv');
    const bytes = await writeCsv(csvPath, N);
    log(`wrote ${N} rows, ${(bytes / 1e6).toFixed(1)} MB, in ${((performance.now() - t0gen) / 1000).toFixed(1)} s`);

    const hubEnv = {
      ...env,
      CONFIG_DIR: configDir,
      TRACEHUB_SFTP_GB_HOST: '127.0.0.1',
      TRACEHUB_SFTP_GB_PORT: String(port),
      TRACEHUB_SFTP_GB_USER: userInfo().username,
      TRACEHUB_SFTP_GB_KEY: join(sftpDir, 'id_ed25519'),
      TRACEHUB_SFTP_GB_HOST_KEY: server.hostKey,
    };
    hub = await startHub(RUNTIME, hubEnv, 'hub');
    const pid = hub.child.pid;
    const rssIdle = memoryKiB(pid, 'VmRSS');
    log(`hub ready (pid ${pid}, RSS ${(rssIdle / 1024).toFixed(0)} MiB)`);

    const cpu0 = processCpuSeconds(pid);
    writeFileSync(`${csvPath}.done`, '');
    const t0 = performance.now();
    const at = () => (performance.now() - t0) / 1000;
    let peakSampled = rssIdle;
    const sampler = setInterval(() => (peakSampled = Math.max(peakSampled, memoryKiB(pid, 'VmRSS') || 0)), 200);
    let storedAt: number | undefined;
    let splitAt: number | undefined;
    let appliedAt: number | undefined;
    let records = 0;
    let lastLog = 0;
    try {
      while (at() < TIMEOUT_S) {
        const f = (await pool.query<{ status: string; next_index: number; accepted: number; rejected: number }>(`select status, next_index, accepted, rejected from sftp_files where name = 'register-bench.csv'`)).rows[0];
        if (f && storedAt === undefined && f.status !== 'receiving') storedAt = at();
        if (f && splitAt === undefined && (f.status === 'processed' || f.status === 'failed')) splitAt = at();
        if (splitAt !== undefined || at() - lastLog > 10) {
          records = Number((await pool.query<{ n: string }>(`select count(*) as n from records where owner_country = 'GB'`)).rows[0]!.n);
        }
        if (at() - lastLog > 10) {
          lastLog = at();
          log(`${at().toFixed(0)} s: file ${f?.status ?? 'not yet claimed'}, ${f?.next_index ?? 0} rows split, ${records} records applied, hub RSS ${(memoryKiB(pid, 'VmRSS') / 1024).toFixed(0)} MiB`);
        }
        if (records >= N) {
          appliedAt = at();
          break;
        }
        if (hub.child.exitCode !== null) throw new Error(`hub exited:\n${hub.tail.join('\n')}`);
        await sleep(splitAt === undefined ? 250 : 500);
      }
    } finally {
      clearInterval(sampler);
    }
    const cpu = processCpuSeconds(pid) - cpu0;
    const peakKiB = Math.max(memoryKiB(pid, 'VmHWM') || 0, peakSampled);
    const file = (await pool.query(`select status, size_bytes, messages, accepted, rejected, duplicates from sftp_files where name = 'register-bench.csv'`)).rows[0];
    const receipt = await (async () => {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        try {
          return JSON.parse(readFileSync(join(sftpDir, 'files', 'gb', 'outbox', 'register-bench.csv.receipt.json'), 'utf8')) as { counts: unknown };
        } catch {
          await sleep(250);
        }
      }
      return undefined;
    })();
    const result = {
      rows: N,
      fileBytes: bytes,
      storedSeconds: storedAt,
      splitSeconds: splitAt,
      appliedSeconds: appliedAt,
      appliedRowsPerSecond: appliedAt ? Math.round(N / appliedAt) : undefined,
      recordsApplied: records,
      hubPeakRssMiB: Math.round(peakKiB / 1024),
      hubIdleRssMiB: Math.round(rssIdle / 1024),
      hubCpuSeconds: Number(cpu.toFixed(1)),
      file,
      receiptCounts: receipt?.counts,
      complete: appliedAt !== undefined,
    };
    if (JSON_OUT) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else {
      const s = (v: number | undefined) => (v === undefined ? 'n/a' : `${v.toFixed(1)} s`);
      process.stdout.write(
        [
          '',
          `SFTP CSV file -> applied records (${src.label}, ${RUNTIME})`,
          `  rows                ${N}  (${(bytes / 1e6).toFixed(1)} MB)`,
          `  stored in database  ${s(storedAt)}   (file read over SFTP, kept raw with sha256)`,
          `  split + intake      ${s(splitAt)}   (every row in the ledger, validated or rejected)`,
          `  applied             ${s(appliedAt)}   (all ${N} rows in the records table)  ${result.appliedRowsPerSecond ?? '-'} rows/s`,
          `  hub peak RSS        ${result.hubPeakRssMiB} MiB  (idle before the file: ${result.hubIdleRssMiB} MiB)`,
          `  hub CPU             ${result.hubCpuSeconds} s`,
          `  receipt             ${JSON.stringify(receipt?.counts ?? 'missing')}`,
          '',
        ].join('\n'),
      );
    }
    exitCode = result.complete ? 0 : 1;
  } finally {
    await hub?.stop().catch(() => undefined);
    await pool.end().catch(() => undefined);
    if (sftp && sftp.exitCode === null) sftp.kill('SIGTERM');
    if (!KEEP) {
      await cleanup(env, [env.DATABASE_SCHEMA]).catch((err: unknown) => log(`cleanup failed: ${(err as Error).message}`));
      rmSync(work, { recursive: true, force: true });
    } else log(`kept schema ${env.DATABASE_SCHEMA} and ${work}`);
  }
  process.exit(exitCode);
}

main().catch((err: unknown) => {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
