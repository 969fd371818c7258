/**
 * `npm run demo`: the quickest way to see the hub work, against the local services.
 *
 * Three partner countries, each on the channel and in the format it already has:
 *   FR  REST, canonical JSON          replies in its REST inbox
 *   DE  AMQP, canonical XML           replies on its RabbitMQ queue (tracehub.out.DE, here demo-prefixed)
 *   GB  SFTP drop, its register's CSV replies as files in its SFTP outbox
 * The demo starts a private OpenSSH SFTP server (scripts/sftp-server.sh), runs the hub in this
 * process on a schema, queue prefix and AMQP queue names of its own, pushes one record from each
 * country over its channel, then German customs report a seizure of two firearms: one that France
 * recorded as stolen (with a misread serial) and one that the United Kingdom recorded. It prints
 * each hit, and where each notification was delivered: FR's inbox, DE's queue, GB's outbox file.
 * Everything it made is removed at the end (`--keep` leaves it).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import SftpClient from 'ssh2-sftp-client';
import { deleteQueueKeys } from '../queues/queue-prefix-keys.js';
import { projectRoot } from '../src/config/project-root.js';
import { readEnvironment } from '../src/config/environment.js';
import { Hub } from '../src/hub.js';
import { createAgency, createApiKey } from '../src/identity/agency-repository.js';
import type { AccessScope } from '../src/identity/agency-access.js';
import { checkServices } from '../src/service-check.js';

const ROOT = projectRoot();
const KEEP = process.argv.includes('--keep');
const id = `demo_${Date.now().toString(36)}`;

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`the demo waited ${timeoutMs / 1000} s for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Starts the private SFTP server and returns the settings it prints (`export NAME=value` lines). */
function startSftp(dir: string, port: number): Record<string, string> {
  const out = execFileSync(join(ROOT, 'scripts', 'sftp-server.sh'), ['start'], { env: { ...process.env, SFTP_DIR: dir, SFTP_PORT: String(port) }, encoding: 'utf8' });
  const settings: Record<string, string> = {};
  for (const line of out.split('\n')) {
    if (!line.startsWith('export ')) continue;
    for (const m of line.slice(7).matchAll(/([A-Z0-9_]+)=(\S*)/g)) settings[m[1]!] = m[2]!.replace(/^'(.*)'$/, '$1');
  }
  return settings;
}

/** A copy of config/ with the three demo partners on their channels. */
function demoConfig(dir: string, amqpQueues: { in: string; out: string }): string {
  const config = join(dir, 'config');
  cpSync(join(ROOT, 'config'), config, { recursive: true });
  for (const cc of ['IT', 'US']) rmSync(join(config, 'partners', `${cc}.json`), { force: true });
  const de = JSON.parse(readFileSync(join(config, 'partners', 'DE.json'), 'utf8')) as Record<string, unknown>;
  de.inbound = [
    { channel: 'rest', format: 'canonical-json' },
    { channel: 'amqp', format: 'canonical-xml' },
  ];
  de.replies = { channel: 'amqp', format: 'canonical-xml' };
  de.amqp = { inboundQueue: amqpQueues.in, outboundQueue: amqpQueues.out };
  writeFileSync(join(config, 'partners', 'DE.json'), JSON.stringify(de, null, 2));
  const gb = JSON.parse(readFileSync(join(config, 'partners', 'GB.json'), 'utf8')) as { sftp: { pollIntervalSeconds: number } };
  gb.sftp.pollIntervalSeconds = 1;
  writeFileSync(join(config, 'partners', 'GB.json'), JSON.stringify(gb, null, 2));
  return config;
}

function recordXml(messageId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<message xmlns="urn:tracehub:xml:1">
  <messageId>${messageId}</messageId>
  <type>record.upsert</type>
  <sender><country>DE</country><agency>NCB-WIESBADEN</agency></sender>
  <sentAt>${new Date().toISOString()}</sentAt>
  <payload>
    <ownerReference>BKA-2026-00417</ownerReference>
    <status>STOLEN</status>
    <firearm>
      <serials><value>WAL 210 447</value><location>frame</location></serials>
      <make>Carl Walther GmbH</make><model>PPQ</model><calibre>9mm Para</calibre><type>Selbstladepistole</type><countryOfManufacture>DE</countryOfManufacture>
    </firearm>
    <event><date>2026-10-03</date><caseNumber>ST-0815-26</caseNumber><place><country>DE</country><locality>Köln</locality></place></event>
  </payload>
</message>`;
}

async function main(): Promise<void> {
  const port = await freePort();
  const env = readEnvironment({ ...process.env, DATABASE_SCHEMA: id, QUEUE_PREFIX: id, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const missing = await checkServices(env, { amqp: true });
  if (missing.length) throw new Error(`the demo needs the local services:\n${missing.join('\n')}`);

  const work = mkdtempSync(join(tmpdir(), 'tracehub-demo-'));
  const sftpDir = join(work, 'sftp');
  const sftp = startSftp(sftpDir, await freePort());
  for (const [k, v] of Object.entries(sftp)) process.env[k] = v;
  const queues = { in: `${id}.in.DE`, out: `${id}.out.DE` };
  const hub = await Hub.create({ env: { ...env, configDir: demoConfig(work, queues) } });
  const base = `http://127.0.0.1:${port}`;
  const broker = await amqp.connect(env.amqpUrl);
  const ch = await broker.createChannel();
  try {
    await hub.start();
    say(`Tracehub demo: hub on ${base}, schema ${id}; FR on REST, DE on AMQP (${queues.in}), GB on SFTP (${sftp.SFTP_HOST}:${sftp.SFTP_PORT})`);
    const key = async (country: string, code: string) => {
      const a = await createAgency(hub.ctx.db, { country, code, name: `${code} (demo)`, role: 'ncb' }, 'demo');
      return `Bearer ${(await createApiKey(hub.ctx.db, a.id, 'demo', 'demo')).key}`;
    };
    const fr = await key('FR', 'NCB-PARIS');
    const de = await key('DE', 'NCB-WIESBADEN');
    await key('GB', 'NCB-MANCHESTER');
    // German customs is a national entity: its NCB creates it, issues its key and approves it on a
    // signed user agreement before the hub lets it in.
    const zoll = await approvedEntity(base, de, { code: 'ZOLL-FRA', name: 'Zollamt Frankfurt (demo)' }, { seizures: 'write', records: 'read' });

    say('\n1. Records arrive, one per country, each over its own channel');
    const rest = await fetch(`${base}/v1/records`, {
      method: 'POST',
      headers: { authorization: fr, 'content-type': 'application/json' },
      body: JSON.stringify({
        ownerReference: 'FR-PJ-2026-1187',
        status: 'STOLEN',
        firearm: { serials: [{ value: 'BER 0051 77Z', location: 'frame' }], make: 'Beretta', model: '92FS', calibre: '9x19mm', type: 'pistolet semi-automatique', countryOfManufacture: 'IT' },
        event: { date: '2026-09-14', caseNumber: 'PJ-2026-1187', place: { country: 'FR', locality: 'Lyon' }, circumstances: 'Cambriolage d\u2019une armurerie' },
      }),
    });
    say(`   FR  REST  POST /v1/records -> ${rest.status}`);
    ch.publish(queues.in, '', Buffer.from(recordXml('de-demo-1')), { persistent: true, messageId: 'de-demo-1', type: 'record.upsert', contentType: 'application/xml' });
    say(`   DE  AMQP  canonical XML published to exchange ${queues.in}`);
    const client = new SftpClient();
    await client.connect({ host: sftp.SFTP_HOST, port: Number(sftp.SFTP_PORT), username: sftp.SFTP_USER, privateKey: readFileSync(sftp.SFTP_KEY_FILE!) });
    const csv = [
      'Record Ref,Status,Serial No,Make,Description,Model,Calibre,Weapon Type,Country of Manufacture,Year of Manufacture,Date Reported,Crime Ref,Town,Circumstances',
      'GB-NFR-55120,Stolen,GLK-771-UK,Glock Ges.m.b.H.,,G19,9mm,Pistol,AT,2019,02/11/2026,GMP-26-4410,Manchester,Stolen from a registered collection',
      '',
    ].join('\r\n');
    await client.put(Buffer.from(csv), 'gb/inbox/register-demo.csv');
    await client.put(Buffer.from(''), 'gb/inbox/register-demo.csv.done');
    say('   GB  SFTP  register-demo.csv (+ .done) dropped in gb/inbox');
    const owners = await waitFor('the three records', async () => {
      const rows = await hub.ctx.db.selectFrom('records').select(['owner_country', 'owner_reference', 'serial']).orderBy('owner_country').execute();
      return rows.length >= 3 ? rows : undefined;
    });
    for (const r of owners) say(`   stored: ${r.owner_country} ${r.owner_reference} serial "${r.serial}"`);

    say('\n2. German customs report a seizure of two firearms at Frankfurt airport');
    const seizure = await fetch(`${base}/v1/seizures`, {
      method: 'POST',
      headers: { authorization: zoll, 'content-type': 'application/json' },
      body: JSON.stringify({
        seizureReference: `ZOLL-FRA-${id}`,
        date: new Date().toISOString().slice(0, 10),
        place: { type: 'airport', locality: 'Frankfurt am Main' },
        direction: 'import',
        legalBasis: 'WaffG § 52',
        criminalContext: 'concealed in checked baggage',
        firearms: [
          { itemReference: 'A1', description: { serials: [{ value: 'BER0O5177Z' }], make: 'Beretta S.p.A.', calibre: '9mm Luger', type: 'pistol', model: '92 FS' } },
          { itemReference: 'A2', description: { serials: [{ value: 'GLK 771 UK' }], make: 'Glock Ges.m.b.H.', calibre: '9x19', type: 'Pistole', model: '19' } },
        ],
      }),
    });
    const result = (await seizure.json()) as { items: { index: number; hits: { hitId: string; tier: string; score: number; serialTier: string; explanation: string[]; record?: { ownerCountry: string } }[] }[] };
    for (const item of result.items) {
      for (const h of item.hits) {
        say(`   firearm ${item.index + 1}: ${h.tier} hit (score ${h.score}, serial ${h.serialTier}) on a record of ${h.record?.ownerCountry ?? 'a restricted owner'}`);
        for (const e of h.explanation) say(`      - ${e}`);
      }
    }

    say('\n3. Where each notification went');
    const delivered = await waitFor('all notifications to be delivered', async () => {
      const rows = await hub.ctx.db.selectFrom('outbox').select(['recipient_country', 'recipient_agency', 'channel', 'type', 'status']).where('type', 'like', 'hit.%').execute();
      return rows.length >= 4 && rows.every((r) => r.status === 'delivered') ? rows : undefined;
    });
    for (const r of delivered) say(`   ${r.type} -> ${r.recipient_country}/${r.recipient_agency ?? '*'} over ${r.channel}: ${r.status}`);
    const inbox = (await (await fetch(`${base}/v1/inbox`, { headers: { authorization: fr } })).json()) as { items: { type: string }[] };
    say(`   FR inbox (GET /v1/inbox): ${inbox.items.map((i) => i.type).join(', ')}`);
    const deMessages: string[] = [];
    for (;;) {
      const m = await ch.get(queues.out, { noAck: true });
      if (!m) break;
      deMessages.push(`${m.properties.type} (${m.properties.contentType}, message_id ${m.properties.messageId})`);
    }
    say(`   DE queue ${queues.out}: ${deMessages.join('; ') || 'nothing yet'}`);
    const files = await waitFor('a file in GB\'s outbox', async () => {
      const list = (await client.list('gb/outbox')).map((f) => f.name).filter((n) => !n.endsWith('.receipt.json'));
      return list.length ? list : undefined;
    });
    say(`   GB outbox over SFTP: ${files.join(', ')} (and the receipt of the register file)`);
    await client.end();

    say('\n4. What the statistics say');
    const table = async (auth: string, url: string) => (await (await fetch(`${base}${url}`, { headers: { authorization: auth } })).json()) as { total: Record<string, number> | null; cells: { key: Record<string, string | null>; [m: string]: unknown }[] };
    const cellText = (c: { key: Record<string, string | null>; [m: string]: unknown }, m: string) => `${Object.values(c.key).map((v) => v ?? 'unknown').join('/')} ${String(c[m])}`;
    const seized = await table(de, '/v1/seizures/statistics?groupBy=placeType&groupBy=typeClass');
    say(`   DE seized firearms by place and type (GET /v1/seizures/statistics): ${seized.cells.map((c) => cellText(c, 'firearms')).join(', ')}; hits ${seized.total?.hits ?? 0}`);
    const hits = await table(fr, '/v1/hits/statistics?groupBy=seizingCountry&groupBy=tier');
    say(`   FR hits on its records by seizing country and tier (GET /v1/hits/statistics): ${hits.cells.map((c) => cellText(c, 'hits')).join(', ')}`);
    const byOwner = (await table(fr, '/v1/records/statistics?scope=global&groupBy=ownerCountry')) as Awaited<ReturnType<typeof table>> & { suppression: { suppressedCells: number } };
    say(
      `   records of the other countries by owner, as FR sees them (scope=global: cells under 5 not listed, counts rounded to 5): ${byOwner.cells.map((c) => cellText(c, 'records')).join(', ') || 'none listed'}; ${byOwner.suppression.suppressedCells} withheld; total ${byOwner.total?.records ?? 'withheld'}`,
    );
  } finally {
    await hub.stop();
    if (!KEEP) {
      await ch.deleteQueue(queues.in).catch(() => undefined);
      await ch.deleteQueue(queues.out).catch(() => undefined);
      await ch.deleteExchange(queues.in).catch(() => undefined);
      for (const q of [`${queues.in}.dead`, `${queues.out}.dead`]) await ch.deleteQueue(q).catch(() => undefined);
    }
    await broker.close().catch(() => undefined);
    execFileSync(join(ROOT, 'scripts', 'sftp-server.sh'), ['stop'], { env: { ...process.env, SFTP_DIR: sftpDir } });
    if (!KEEP) {
      const { Client } = (await import('pg')).default;
      const pg = new Client({ connectionString: env.databaseUrl });
      await pg.connect();
      await pg.query(`drop schema if exists "${id}" cascade`);
      await pg.end();
      // The queues' keys in Redis (jobs, repeatable sweeps, metrics) live under the demo's own prefix.
      const { Redis } = await import('ioredis');
      const redis = new Redis(env.redisUrl);
      await deleteQueueKeys(redis, env.queuePrefix).finally(() => redis.disconnect());
      rmSync(work, { recursive: true, force: true });
    } else say(`\nkept: schema ${id}, queues ${queues.in}/${queues.out}, Redis keys ${id}:*, files in ${work}`);
  }
}

await main();

/** An NCB creates one of its country's agencies, issues its key and approves it; returns its Authorization header. */
async function approvedEntity(base: string, ncb: string, agency: { code: string; name: string }, scope: AccessScope): Promise<string> {
  const post = async (path: string, body: unknown) => {
    const r = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: ncb, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!r.ok) throw new Error(`POST ${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as Record<string, unknown>;
  };
  const { id } = (await post('/v1/agencies', agency)) as { id: string };
  const { apiKey, access } = (await post(`/v1/agencies/${id}/keys`, { label: 'demo' })) as { apiKey: string; access: string };
  say(`   ${agency.code}: created by its NCB, key issued, access ${access}`);
  await post(`/v1/agencies/${id}/approval`, { reference: `UA-${agency.code}-2026`, signedOn: new Date().toISOString().slice(0, 10), signedBy: 'Head of unit', scope });
  say(`   ${agency.code}: approved by its NCB on user agreement UA-${agency.code}-2026 for ${Object.entries(scope).map(([m, l]) => `${m} (${l})`).join(', ')}`);
  return `Bearer ${apiKey}`;
}
