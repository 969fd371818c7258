import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import SftpClient from 'ssh2-sftp-client';
import { projectRoot } from '../../src/config/project-root.js';

/**
 * A real OpenSSH sftp server for one test file: scripts/sftp-server.sh (Debian's sshd with its
 * own config, host key and authorized_keys) on a free loopback port, with its own directory.
 * The current user logs in with the generated key; paths are relative to the server's root.
 */
export interface TestSftpServer {
  host: string;
  port: number;
  user: string;
  keyFile: string;
  /** Local directory the server's relative paths start at. */
  root: string;
  hostKeySha256: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function startSftpServer(): Promise<TestSftpServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tracehub-sftp-test-'));
  const root = join(dir, 'files');
  const port = await freePort();
  const output: string[] = [];
  const child: ChildProcess = spawn('bash', [join(projectRoot(), 'scripts', 'sftp-server.sh'), 'run'], {
    env: { ...process.env, SFTP_DIR: dir, SFTP_PORT: String(port), SFTP_ROOT: root },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  let exited = false;
  child.on('exit', () => (exited = true));
  const deadline = Date.now() + 120_000; // a fresh machine installs openssh-server first
  while (!(await answers(port))) {
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the test sftp server did not start on 127.0.0.1:${port}:\n${output.join('').slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const pub = readFileSync(join(dir, 'ssh_host_ed25519_key.pub'), 'utf8').split(' ')[1]!;
  const hostKeySha256 = `SHA256:${createHash('sha256').update(Buffer.from(pub, 'base64')).digest('base64').replace(/=+$/, '')}`;
  return {
    host: '127.0.0.1',
    port,
    user: userInfo().username,
    keyFile: join(dir, 'id_ed25519'),
    root,
    hostKeySha256,
    async stop() {
      if (!exited) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The partner's side: an independent SFTP client (ssh2-sftp-client) logged in to the test server. */
export async function partnerClient(server: TestSftpServer): Promise<SftpClient> {
  const client = new SftpClient();
  await client.connect({ host: server.host, port: server.port, username: server.user, privateKey: readFileSync(server.keyFile) });
  return client;
}

/** A receipt as specs read it: as a partner's system reads JSON, field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ReceiptJson = Record<string, any>;

/** What a partner does on its drop: a file behind a done-file (GB), a file renamed when complete (IT), and reading its receipt. */
export function partnerDrops(partner: SftpClient, waitFor: (check: () => Promise<boolean>, what: string, timeoutMs: number, everyMs: number) => Promise<unknown>) {
  return {
    async dropWithDoneFile(dir: string, name: string, content: string | Buffer): Promise<void> {
      await partner.put(Buffer.from(content), `${dir}/inbox/${name}`);
      await partner.put(Buffer.alloc(0), `${dir}/inbox/${name}.done`);
    },
    async dropWithRename(dir: string, name: string, content: string | Buffer): Promise<void> {
      await partner.put(Buffer.from(content), `${dir}/inbox/${name}.part`);
      await partner.rename(`${dir}/inbox/${name}.part`, `${dir}/inbox/${name}`);
    },
    async receipt(dir: string, name: string): Promise<ReceiptJson> {
      const path = `${dir}/outbox/${name}.receipt.json`;
      await waitFor(async () => Boolean(await partner.exists(path)), `the receipt ${path}`, 30_000, 100);
      return JSON.parse(((await partner.get(path)) as Buffer).toString('utf8')) as ReceiptJson;
    },
  };
}

export interface TestSftpPartner {
  country: string;
  name: string;
  ncb: string;
  inbound: { format: string; files?: string[] }[];
  replies: { channel: string; format: string };
  dir: string;
  completion: Record<string, unknown>;
}

/**
 * A config directory for a test hub: the project's hub.json, reference data and CSV layouts,
 * FR/DE/US as they are, and the given SFTP partners pointing at the test server (polling every
 * 200 ms, key from the environment variable TRACEHUB_TEST_SFTP_KEY, which this sets).
 */
/**
 * The two drops most SFTP specs use: the United Kingdom's register in its CSV layout behind
 * done-files, and Italy's NIEM, canonical XML and JSON files renamed on completion.
 */
export const GB_AND_IT_DROPS: readonly TestSftpPartner[] = [
  { country: 'GB', name: 'United Kingdom', ncb: 'NCB-MANCHESTER', inbound: [{ format: 'csv-gb-firearms' }], replies: { channel: 'sftp', format: 'canonical-json' }, dir: 'gb', completion: { convention: 'done-file' } },
  {
    country: 'IT',
    name: 'Italy',
    ncb: 'NCB-ROMA',
    inbound: [
      { format: 'niem-2.0-firearm', files: ['*.niem.xml'] },
      { format: 'canonical-xml', files: ['*.xml'] },
      { format: 'canonical-json', files: ['*.json', '*.ndjson'] },
    ],
    replies: { channel: 'sftp', format: 'canonical-xml' },
    dir: 'it',
    completion: { convention: 'rename' },
  },
];

export function sftpTestConfig(server: TestSftpServer, partners: readonly TestSftpPartner[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'tracehub-sftp-config-'));
  const config = join(projectRoot(), 'config');
  cpSync(join(config, 'hub.json'), join(dir, 'hub.json'));
  cpSync(join(config, 'formats'), join(dir, 'formats'), { recursive: true });
  mkdirSync(join(dir, 'partners'));
  for (const cc of ['FR', 'DE', 'US']) cpSync(join(config, 'partners', `${cc}.json`), join(dir, 'partners', `${cc}.json`));
  process.env.TRACEHUB_TEST_SFTP_KEY = server.keyFile;
  for (const p of partners) {
    writeFileSync(
      join(dir, 'partners', `${p.country}.json`),
      JSON.stringify(
        {
          country: p.country,
          name: p.name,
          ncb: { agency: p.ncb, name: `${p.ncb} (test)` },
          inbound: p.inbound.map((i) => ({ channel: 'sftp', format: i.format, ...(i.files ? { files: i.files } : {}) })),
          replies: p.replies,
          sftp: {
            host: server.host,
            port: server.port,
            user: server.user,
            privateKeyEnv: 'TRACEHUB_TEST_SFTP_KEY',
            hostKeySha256: server.hostKeySha256,
            paths: { inbox: `${p.dir}/inbox`, outbox: `${p.dir}/outbox` },
            completion: p.completion,
            pollIntervalSeconds: 0.2,
          },
        },
        null,
        2,
      ),
    );
  }
  return dir;
}
