import type SftpClient from 'ssh2-sftp-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SftpSession } from '../../adapters/channels/sftp-session.js';
import { NIEM_CORE_20, NIEM_EXCHANGE_NAMESPACE } from '../../adapters/formats/niem-firearm.js';
import { GB_AND_IT_DROPS, partnerClient, partnerDrops, sftpTestConfig, startSftpServer, type TestSftpServer } from '../support/sftp-server.js';
import { cleanEnvironment, testEnvironment, waitFor } from '../support/test-environment.js';
import { notice, startTestHub, type TestHub } from '../support/test-hub.js';

/**
 * SFTP drops against a real OpenSSH server (scripts/sftp-server.sh): partners put files in their
 * inbox, the hub takes the complete ones, applies what they hold, answers each file with a
 * receipt in the partner's outbox and writes what it routes to them there as files.
 *
 * GB sends its register's CSV layout and marks complete files with a done-file; IT sends NIEM
 * XML, canonical JSON (NDJSON or arrays) and canonical XML, renaming each file when complete.
 */
let server: TestSftpServer;
let configDir: string;
let t: TestHub;
let partner: SftpClient;
let drops: ReturnType<typeof partnerDrops>;
let fr: { id: string; auth: string };

const CSV_HEADER = 'Record Ref,Status,Serial No,Make,Model,Calibre,Weapon Type,Country of Manufacture,Year of Manufacture,Date Reported,Crime Ref,Town,Circumstances,Description';

function csvRow(ref: string, overrides: Partial<Record<'status' | 'serial' | 'date' | 'make', string>> = {}): string {
  return [ref, overrides.status ?? 'Stolen', overrides.serial ?? `SN-${ref}`, overrides.make ?? 'Glock', '17', '9mm Luger', 'Pistol', 'AT', '2015', overrides.date ?? '14/02/2025', `CR/${ref}`, 'Leeds', '"Taken in a burglary, safe forced open"', ''].join(',');
}

function recordEnvelope(ref: string, serial = `SN-${ref}`) {
  return {
    messageId: `IT-MSG-${ref}`,
    type: 'record.upsert',
    sender: { country: 'IT', agency: 'NCB-ROMA' },
    sentAt: '2025-03-01T09:00:00Z',
    payload: {
      ownerReference: ref,
      status: 'STOLEN',
      firearm: { serials: [{ value: serial }], make: 'Beretta', model: '92FS', calibre: '9mm Luger', type: 'pistol' },
      event: { date: '2025-02-20', caseNumber: `PROC-${ref}` },
    },
  };
}

function canonicalXmlMessage(ref: string): string {
  return `<message xmlns="urn:tracehub:message:1">
    <messageId>IT-XML-${ref}</messageId><type>record.upsert</type>
    <sender><country>IT</country><agency>NCB-ROMA</agency></sender><sentAt>2025-03-01T09:00:00Z</sentAt>
    <payload><ownerReference>${ref}</ownerReference><status>LOST</status>
      <firearm><serials><value>SN-${ref}</value></serials><make>Beretta</make><calibre>.22 LR</calibre><type>rifle</type></firearm>
      <event><date>2025-01-05</date><caseNumber>PROC-${ref}</caseNumber></event></payload>
  </message>`;
}

function niemRecord(ref: string, serial: string): string {
  return `  <fre:FirearmRecord>
    <fre:RecordIdentification><nc:IdentificationID>${ref}</nc:IdentificationID></fre:RecordIdentification>
    <fre:RecordStatusCode>STOLEN</fre:RecordStatusCode>
    <nc:Firearm>
      <nc:ItemSerialIdentification><nc:IdentificationID>${serial}</nc:IdentificationID></nc:ItemSerialIdentification>
      <nc:ItemModelName>17</nc:ItemModelName>
      <nc:FirearmMakeCode>GLC</nc:FirearmMakeCode>
      <nc:FirearmCategoryCode>P</nc:FirearmCategoryCode>
      <nc:FirearmCategoryDescriptionCode>I</nc:FirearmCategoryDescriptionCode>
      <nc:FirearmCaliberText>9mm Luger</nc:FirearmCaliberText>
    </nc:Firearm>
    <nc:Incident>
      <nc:ActivityIdentification><nc:IdentificationID>PROC-${ref}</nc:IdentificationID></nc:ActivityIdentification>
      <nc:ActivityDate><nc:Date>2025-02-11</nc:Date></nc:ActivityDate>
    </nc:Incident>
  </fre:FirearmRecord>`;
}

function niemFile(records: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<fre:FirearmRecordExchange xmlns:fre="${NIEM_EXCHANGE_NAMESPACE}" xmlns:nc="${NIEM_CORE_20}">\n${records.join('\n')}\n</fre:FirearmRecordExchange>\n`;
}

async function recordsOf(country: string, refs: string[]) {
  return t.hub.ctx.db.selectFrom('records').select(['owner_reference', 'serial', 'make_text', 'make_id', 'type_text', 'event_date']).where('owner_country', '=', country).where('owner_reference', 'in', refs).execute();
}

async function waitForRecords(country: string, refs: string[]) {
  return waitFor(async () => {
    const rows = await recordsOf(country, refs);
    return rows.length === refs.length ? rows : undefined;
  }, `records ${refs.join(', ')} of ${country}`, 30_000, 100);
}

async function names(dir: string): Promise<string[]> {
  return (await partner.list(dir)).map((e) => e.name).sort();
}

beforeAll(async () => {
  server = await startSftpServer();
  configDir = sftpTestConfig(server, GB_AND_IT_DROPS);
  t = await startTestHub('sftp_drops', { envOverrides: { configDir } });
  fr = await t.agency('FR', 'NCB-PARIS');
  partner = await partnerClient(server);
  drops = partnerDrops(partner, waitFor);
  // The hub creates the drop's directories when it first connects.
  await waitFor(async () => (await partner.exists('gb/inbox')) && (await partner.exists('it/inbox')), 'the drop directories', 30_000, 100);
});

afterAll(async () => {
  await partner?.end();
  await t?.stop();
  await server?.stop();
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

describe('records arriving over SFTP', () => {
  it('applies every row of a CSV file in the partner layout, answers with a receipt and moves the file to processed/', async () => {
    const refs = ['GB-1001', 'GB-1002', 'GB-1003'];
    await drops.dropWithDoneFile('gb', 'register-2025-03-01.csv', `${CSV_HEADER}\n${refs.map((r) => csvRow(r)).join('\n')}\n`);
    const rows = await waitForRecords('GB', refs);
    expect(rows.map((r) => r.serial).sort()).toEqual(['SN-GB-1001', 'SN-GB-1002', 'SN-GB-1003']);
    const glock = rows[0]!;
    expect(glock.make_text).toBe('Glock');
    expect(glock.event_date.toISOString().slice(0, 10)).toBe('2025-02-14');

    const r = await drops.receipt('gb', 'register-2025-03-01.csv');
    expect(r).toMatchObject({ receipt: 'tracehub.sftp-receipt/1', file: 'register-2025-03-01.csv', outcome: 'processed', format: 'csv-gb-firearms', counts: { messages: 3, accepted: 3, rejected: 0, duplicates: 0 }, rejected: [] });
    expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
    await waitFor(async () => (await names('gb/processed')).includes('register-2025-03-01.csv'), 'the file in processed/', 15_000, 100);
    expect(await names('gb/inbox')).toEqual([]);
    expect(await names('gb/processing')).toEqual([]);
  });

  it('applies NDJSON lines and JSON arrays of canonical envelopes', async () => {
    await drops.dropWithRename('it', 'batch-1.ndjson', `${JSON.stringify(recordEnvelope('IT-2001'))}\n${JSON.stringify(recordEnvelope('IT-2002'))}\n`);
    await drops.dropWithRename('it', 'batch-2.json', JSON.stringify([recordEnvelope('IT-2003'), recordEnvelope('IT-2004')], null, 2));
    await waitForRecords('IT', ['IT-2001', 'IT-2002', 'IT-2003', 'IT-2004']);
    expect((await drops.receipt('it', 'batch-1.ndjson')).counts).toEqual({ messages: 2, accepted: 2, rejected: 0, duplicates: 0 });
    expect((await drops.receipt('it', 'batch-2.json')).counts).toEqual({ messages: 2, accepted: 2, rejected: 0, duplicates: 0 });
  });

  it('applies the repeated <message> elements of a canonical XML file', async () => {
    await drops.dropWithRename('it', 'batch-3.xml', `<?xml version="1.0" encoding="UTF-8"?>\n<messages xmlns="urn:tracehub:message:1">\n${canonicalXmlMessage('IT-3001')}\n${canonicalXmlMessage('IT-3002')}\n</messages>\n`);
    await waitForRecords('IT', ['IT-3001', 'IT-3002']);
    expect((await drops.receipt('it', 'batch-3.xml')).counts).toMatchObject({ messages: 2, accepted: 2 });
  });

  it('applies NIEM 2.0 firearm records, NCIC make codes translated through the reference data', async () => {
    await drops.dropWithRename('it', 'sdi-export.niem.xml', niemFile([niemRecord('IT-4001', 'BER4001'), niemRecord('IT-4002', 'BER4002')]));
    const rows = await waitForRecords('IT', ['IT-4001', 'IT-4002']);
    const glock = t.hub.ctx.reference.resolveMake('GLC');
    expect(glock.status).toBe('mapped');
    for (const r of rows) {
      expect(r.make_id).toBe(glock.status === 'mapped' ? glock.id : 'unmapped');
      expect(r.type_text).toBe('PI');
    }
    expect((await drops.receipt('it', 'sdi-export.niem.xml')).format).toBe('niem-2.0-firearm');
  });
});

describe('files not yet complete', () => {
  it('leaves a file without its done-file in the inbox, and takes it once the done-file appears', async () => {
    await partner.put(Buffer.from(`${CSV_HEADER}\n${csvRow('GB-5001')}\n`), 'gb/inbox/late.csv');
    const polls = t.hub.ctx.sftp.poller('GB')!.polls;
    await waitFor(() => t.hub.ctx.sftp.poller('GB')!.polls >= polls + 3, 'three more polls of GB', 15_000, 50);
    expect(await names('gb/inbox')).toEqual(['late.csv']);
    expect(await recordsOf('GB', ['GB-5001'])).toEqual([]);

    await partner.put(Buffer.alloc(0), 'gb/inbox/late.csv.done');
    await waitForRecords('GB', ['GB-5001']);
    await waitFor(async () => (await names('gb/inbox')).length === 0, 'an empty inbox', 15_000, 100);
  });

  it('leaves a file still under its temporary name alone', async () => {
    await partner.put(Buffer.from(`${JSON.stringify(recordEnvelope('IT-5002'))}\n`), 'it/inbox/upload.ndjson.part');
    const polls = t.hub.ctx.sftp.poller('IT')!.polls;
    await waitFor(() => t.hub.ctx.sftp.poller('IT')!.polls >= polls + 3, 'three more polls of IT', 15_000, 50);
    expect(await names('it/inbox')).toEqual(['upload.ndjson.part']);
    await partner.rename('it/inbox/upload.ndjson.part', 'it/inbox/upload.ndjson');
    await waitForRecords('IT', ['IT-5002']);
  });
});

describe('bad rows and repeated files', () => {
  it('rejects a malformed row with its own errors in the receipt, naming line and column, and applies the good rows', async () => {
    const content = [CSV_HEADER, csvRow('GB-6001'), csvRow('GB-6002', { date: '31/02/2025', status: 'Borrowed' }), csvRow('GB-6003'), 'GB-6004,Stolen,too,few,fields'].join('\r\n');
    await drops.dropWithDoneFile('gb', 'mixed.csv', `${content}\r\n`);
    await waitForRecords('GB', ['GB-6001', 'GB-6003']);
    const r = await drops.receipt('gb', 'mixed.csv');
    expect(r.outcome).toBe('processed');
    expect(r.counts).toEqual({ messages: 4, accepted: 2, rejected: 2, duplicates: 0 });
    expect(r.rejected).toHaveLength(2);
    const [bad, short] = r.rejected;
    expect(bad).toMatchObject({ index: 1, line: 3 });
    expect(bad.ledgerId).toMatch(/^[0-9a-f-]{36}$/);
    expect(bad.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'Date Reported', code: 'csv.not-a-date', pointer: '/payload/event/date' }),
        expect.objectContaining({ field: 'Status', code: 'csv.unknown-code', pointer: '/payload/status' }),
      ]),
    );
    expect(short).toMatchObject({ index: 3, line: 5, errors: [expect.objectContaining({ code: 'csv.field-count', field: 'row' })] });
    expect(await recordsOf('GB', ['GB-6002', 'GB-6004'])).toEqual([]);
    // The rejected rows are in the ledger too, stored raw with their errors, pointing at the file.
    const ledger = await t.hub.ctx.db.selectFrom('ledger_messages').select(['status', 'file_index', 'raw']).where('ledger_messages.id', '=', bad.ledgerId).executeTakeFirstOrThrow();
    expect(ledger).toMatchObject({ status: 'rejected', file_index: 1 });
    expect(ledger.raw.toString()).toBe(`${CSV_HEADER}\n${csvRow('GB-6002', { date: '31/02/2025', status: 'Borrowed' })}`);
    // Reported once, in the file's receipt: no receipt of their own besides.
    const own = await t.hub.ctx.db.selectFrom('outbox').select('id').where('source_ledger_id', 'in', [bad.ledgerId, short.ledgerId].filter(Boolean)).where('type', '=', 'hub.receipt').execute();
    expect(own).toEqual([]);
  });

  it('recognises the same file sent again, under another name, and applies nothing twice', async () => {
    const content = `${CSV_HEADER}\n${csvRow('GB-7001')}\n${csvRow('GB-7002')}\n`;
    await drops.dropWithDoneFile('gb', 'first.csv', content);
    await drops.receipt('gb', 'first.csv');
    const before = await t.hub.ctx.db.selectFrom('ledger_messages').select((eb) => eb.fn.countAll<string>().as('n')).where('sender_country', '=', 'GB').executeTakeFirstOrThrow();

    await drops.dropWithDoneFile('gb', 'resent.csv', content);
    const r = await drops.receipt('gb', 'resent.csv');
    expect(r.outcome).toBe('duplicate');
    expect(r.duplicateOf).toMatchObject({ file: 'first.csv', outcome: 'processed' });
    expect(r.counts).toEqual({ messages: 0, accepted: 0, rejected: 0, duplicates: 0 });
    const after = await t.hub.ctx.db.selectFrom('ledger_messages').select((eb) => eb.fn.countAll<string>().as('n')).where('sender_country', '=', 'GB').executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    await waitFor(async () => (await names('gb/processed')).includes('resent.csv'), 'the repeat in processed/', 15_000, 100);
  });

  it('moves a file that is not well-formed to failed/, with the fault and its line in the receipt', async () => {
    await drops.dropWithRename('it', 'broken.xml', `<messages xmlns="urn:tracehub:message:1">\n${canonicalXmlMessage('IT-8001')}\n<message><messageId>x</message>\n</messages>`);
    const r = await drops.receipt('it', 'broken.xml');
    expect(r.outcome).toBe('failed');
    expect(r.error).toMatchObject({ code: 'xml.malformed', line: expect.any(Number) });
    expect(r.counts).toMatchObject({ messages: 1, accepted: 1 });
    await waitForRecords('IT', ['IT-8001']);
    await waitFor(async () => (await names('it/failed')).includes('broken.xml'), 'the file in failed/', 15_000, 100);
  });
  it('leaves a file whose name is not UTF-8 in the inbox, names it for the operators, and goes on with the others', async () => {
    // SFTP file names are UTF-8; this one is Latin-1 ("Liège.ndjson"), so it reaches the hub as "Li\ufffdge.ndjson".
    const inbox = join(server.root, 'it', 'inbox');
    writeFileSync(Buffer.concat([Buffer.from(`${inbox}/Li`), Buffer.from([0xe8]), Buffer.from('ge.ndjson')]), `${JSON.stringify(recordEnvelope('IT-8101'))}\n`);
    await drops.dropWithRename('it', 'after-latin1-name.ndjson', `${JSON.stringify(recordEnvelope('IT-8102'))}\n`);
    await waitForRecords('IT', ['IT-8102']);
    // Both arrived within the same second, so either may be looked at first.
    await waitFor(() => t.hub.ctx.sftp.poller('IT')!.unaddressable.size > 0, 'the name reported', 15_000, 50);
    expect(t.hub.ctx.sftp.poller('IT')!.unaddressable).toEqual(new Set(['Li\ufffdge.ndjson']));
    expect(readdirSync(inbox, { encoding: 'buffer' }).some((n) => n.includes(0xe8))).toBe(true);
    rmSync(Buffer.concat([Buffer.from(`${inbox}/Li`), Buffer.from([0xe8]), Buffer.from('ge.ndjson')]));
  });

  it('moves a file that no configured format reads to failed/, saying which names are read', async () => {
    await drops.dropWithRename('it', 'notes.txt', 'not a record');
    const r = await drops.receipt('it', 'notes.txt');
    expect(r).toMatchObject({ outcome: 'failed', format: null, error: { code: 'file.no-format' }, counts: { messages: 0 } });
    expect(r.error.message).toContain('notes.txt');
    await waitFor(async () => (await names('it/failed')).includes('notes.txt'), 'the file in failed/', 15_000, 100);
  });
});

describe('the server\'s identity', () => {
  it('refuses a server whose host key is not the pinned one', async () => {
    const settings = { host: server.host, port: server.port, username: server.user, privateKey: readFileSync(server.keyFile) };
    const ok = await SftpSession.open({ ...settings, hostKeySha256: server.hostKeySha256 });
    ok.close();
    await expect(SftpSession.open({ ...settings, hostKeySha256: `SHA256:${'A'.repeat(43)}` })).rejects.toThrow(/presented host key SHA256:\S+, not the configured SHA256:A+; refusing to connect/);
  });
});

describe('replies over SFTP', () => {
  it('writes messages routed to a country as complete files in its outbox, in the format it asked for', async () => {
    const res = await t.hub.app!.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { authorization: fr.auth, 'content-type': 'application/json' },
      payload: JSON.stringify(notice({ country: 'FR', agency: 'NCB-PARIS' }, ['GB', 'IT'], { messageId: 'FR-NOTICE-SFTP-1' }, { subject: 'Pistols stolen in transit' })),
    });
    expect(res.statusCode).toBe(202);

    const gbNotices = await waitFor(async () => {
      for (const name of (await names('gb/outbox')).filter((n) => /^tracehub-.*\.ndjson$/.test(n))) {
        const lines = ((await partner.get(`gb/outbox/${name}`)) as Buffer).toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
        const found = lines.filter((m) => m.type === 'hub.notice' && m.payload.subject === 'Pistols stolen in transit');
        if (found.length) return found;
      }
      return undefined;
    }, 'the notice in a reply file for GB', 30_000, 100);
    expect(gbNotices).toHaveLength(1);
    expect(gbNotices[0].sender).toEqual({ country: 'FR', agency: 'NCB-PARIS' });

    const xml = await waitFor(async () => {
      for (const name of (await names('it/outbox')).filter((n) => /^tracehub-.*\.xml$/.test(n))) {
        const text = ((await partner.get(`it/outbox/${name}`)) as Buffer).toString('utf8');
        if (text.includes('<subject>Pistols stolen in transit</subject>')) return text;
      }
      return undefined;
    }, 'the notice in a reply file for IT', 30_000, 100);
    expect(xml).toMatch(/^<\?xml[^>]*>\s*<messages xmlns="urn:tracehub:message:1">/);
    expect(xml.match(/<message /g)).toHaveLength(1);
    // Nothing half-written is left behind.
    expect([...(await names('gb/outbox')), ...(await names('it/outbox'))].filter((n) => n.endsWith('.part'))).toEqual([]);
  });
});

describe('several hub instances', () => {
  it('lets only one instance poll an endpoint, so a file is taken once', async () => {
    const second = await startTestHub('sftp_drops', { env: t.env });
    try {
      const first = t.hub.ctx.sftp.poller('GB')!;
      const other = second.hub.ctx.sftp.poller('GB')!;
      await waitFor(() => other.polls === 0 && first.lease.held, 'the first instance holding the lease', 5_000, 50);
      const holder = await first.lease.holder();
      expect(holder).toBe(first.lease.owner);

      await drops.dropWithDoneFile('gb', 'two-instances.csv', `${CSV_HEADER}\n${csvRow('GB-9001')}\n`);
      await drops.receipt('gb', 'two-instances.csv');
      await waitForRecords('GB', ['GB-9001']);
      expect(other.lease.held).toBe(false);
      expect(other.polls).toBe(0);
      expect(other.filesDone).toBe(0);
      const files = await t.hub.ctx.db.selectFrom('sftp_files').select('id').where('name', '=', 'two-instances.csv').execute();
      expect(files).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });
});


describe('stopping in the middle of a file', () => {
  it('resumes where the split stopped, in the instance that polls next, applying every row once', async () => {
    const dir = sftpTestConfig(server, [
      { country: 'GB', name: 'United Kingdom', ncb: 'NCB-MANCHESTER', inbound: [{ format: 'csv-gb-firearms' }], replies: { channel: 'rest', format: 'canonical-json' }, dir: 'gb-resume', completion: { convention: 'done-file' } },
    ]);
    const env = testEnvironment('sftp_resume', { configDir: dir });
    const n = 12_000;
    const refs = Array.from({ length: n }, (_, i) => `GB-R-${i}`);
    let second: TestHub | undefined;
    try {
      const first = await startTestHub('sftp_resume', { env });
      await waitFor(() => partner.exists('gb-resume/inbox'), 'the drop directories', 30_000, 100);
      await drops.dropWithDoneFile('gb-resume', 'big.csv', `${CSV_HEADER}\n${refs.map((r) => csvRow(r)).join('\n')}\n`);
      const file = () => first.hub.ctx.db.selectFrom('sftp_files').select(['id', 'status', 'next_index']).where('name', '=', 'big.csv').executeTakeFirst();
      await waitFor(async () => ((await file())?.next_index ?? 0) >= 500, 'the split under way', 30_000, 20);
      await first.stop();
      second = await startTestHub('sftp_resume', { env, start: false });
      const db = second.hub.ctx.db;
      const stopped = await db.selectFrom('sftp_files').select(['id', 'status', 'next_index']).where('name', '=', 'big.csv').executeTakeFirstOrThrow();
      await second.hub.start();
      // Stopped part-way: the file is still being split, and the second instance takes it from there.
      expect(stopped.status).toBe('splitting');
      expect(stopped.next_index).toBeGreaterThan(0);
      expect(stopped.next_index).toBeLessThan(n);

      const r = await drops.receipt('gb-resume', 'big.csv');
      expect(r.counts).toEqual({ messages: n, accepted: n, rejected: 0, duplicates: 0 });
      const count = async () => Number((await db.selectFrom('records').select((eb) => eb.fn.countAll<string>().as('n')).where('owner_reference', 'like', 'GB-R-%').executeTakeFirstOrThrow()).n);
      await waitFor(async () => (await count()) === n, `all ${n} rows applied`, 120_000, 250);
      const ledger = await db.selectFrom('ledger_messages').select((eb) => eb.fn.countAll<string>().as('n')).where('file_id', '=', stopped.id).executeTakeFirstOrThrow();
      expect(Number(ledger.n)).toBe(n);
    } finally {
      await second?.stop();
      await cleanEnvironment(env);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
