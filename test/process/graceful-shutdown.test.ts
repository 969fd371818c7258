import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnvironment, testEnvironment, waitFor } from '../support/test-environment.js';
import { notice } from '../support/test-hub.js';

/**
 * The real process, as operators run it: `tracehub start`, then SIGTERM in the middle of work.
 * Intake stops, in-flight jobs finish, connections close, the process exits 0, and whatever was
 * acknowledged is in the ledger; started again, the hub finishes what was left.
 */
const root = join(import.meta.dirname, '../..');
const env = testEnvironment('sigterm');
const childEnv = {
  ...process.env,
  DATABASE_URL: env.databaseUrl,
  DATABASE_SCHEMA: env.databaseSchema,
  QUEUE_PREFIX: env.queuePrefix,
  REDIS_URL: env.redisUrl,
  HOST: '127.0.0.1',
  PORT: '0',
  LOG_LEVEL: 'info',
};

function cli(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
}

async function output(child: ChildProcess): Promise<{ code: number | null; out: string }> {
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, out };
}

/** Starts the hub and resolves with its address once it logs that it is listening. */
async function startHub(): Promise<{ child: ChildProcess; url: string; log: () => string }> {
  const child = cli(['start']);
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const url = await waitFor(() => /"msg":"tracehub started"/.test(log) ? /"address":"([^"]+)"/.exec(log)?.[1] : undefined, 'the hub to start', 30_000);
  return { child, url, log: () => log };
}

afterAll(() => cleanEnvironment(env));

describe('the tracehub process', () => {
  it('shuts down gracefully on SIGTERM without losing acknowledged messages, and finishes the rest on restart', async () => {
    const created = await output(cli(['agencies', 'add', '--country', 'FR', '--code', 'NCB-PARIS', '--name', 'NCB Paris', '--role', 'ncb']));
    expect(created.code).toBe(0);
    const key = /shown once\): (\S+)/.exec(created.out)![1]!;

    const first = await startHub();
    const acknowledged: string[] = [];
    const sends = Array.from({ length: 20 }, async (_, batch) => {
      const body = Array.from({ length: 50 }, (_, i) => JSON.stringify(notice({ country: 'FR', agency: 'NCB-PARIS' }, ['DE'], { messageId: `sig-${batch}-${i}` }))).join('\n');
      try {
        const res = await fetch(`${first.url}/v1/message-batches`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' }, body });
        if (res.ok) acknowledged.push(...((await res.json()) as { items: { messageId: string }[] }).items.map((i) => i.messageId));
      } catch {
        // Refused or cut off by the shutdown: not acknowledged, so the sender would retry.
      }
    });
    await new Promise((r) => setTimeout(r, 30));
    first.child.kill('SIGTERM');
    await Promise.all(sends);
    const [code] = (await once(first.child, 'exit')) as [number | null];
    if (code !== 0) console.log(first.log().split("\n").filter((l) => !l.includes('"msg":"applied"')).slice(-15).join("\n"));
    expect(code).toBe(0);
    expect(first.log()).toContain('"msg":"tracehub stopped"');

    const db = new pg.Client({ connectionString: env.databaseUrl });
    await db.connect();
    try {
      const q = (text: string) => db.query(text.replaceAll('$schema', `"${env.databaseSchema}"`));
      const stored = (await q(`select message_id from $schema.ledger_messages`)).rows.map((r: { message_id: string }) => r.message_id);
      for (const id of acknowledged) expect(stored).toContain(id);

      const second = await startHub();
      try {
        await waitFor(async () => Number((await q(`select count(*) from $schema.ledger_messages where status <> 'applied'`)).rows[0].count) === 0, 'every stored message to be applied after restart', 30_000);
        const applied = (await q(`select count(*) as n, count(distinct ledger_id) as d from $schema.notices`)).rows[0];
        expect(Number(applied.n)).toBe(stored.length);
        expect(Number(applied.d)).toBe(stored.length);
      } finally {
        second.child.kill('SIGTERM');
        await once(second.child, 'exit');
      }
    } finally {
      await db.end();
    }
  });
});
