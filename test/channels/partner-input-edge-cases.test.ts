import { rmSync } from 'node:fs';
import { connect, type ChannelModel, type ConfirmChannel, type GetMessage } from 'amqplib';
import type SftpClient from 'ssh2-sftp-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NIEM_CORE_20, NIEM_EXCHANGE_NAMESPACE } from '../../adapters/formats/niem-firearm.js';
import { ConfigError } from '../../src/config/config-error.js';
import type { PartnerConfig } from '../../src/messages/generated-types.js';
import { configWithPartners } from '../support/partner-config.js';
import { createVhost, type TestVhost } from '../support/rabbitmq.js';
import { GB_AND_IT_DROPS, partnerClient, partnerDrops, sftpTestConfig, startSftpServer, type TestSftpServer } from '../support/sftp-server.js';
import { waitFor } from '../support/test-environment.js';
import { startTestHub, type TestHub } from '../support/test-hub.js';

/**
 * What partners really send, at the edges: an inch mark in a CSV description, a file resent
 * under a better name, a start tag spread over lines, a row its handler refuses, an AMQP message
 * whose body cannot say what it is, and a partner file naming a reply format that cannot reply.
 */

describe('SFTP drops at the edges', () => {
  let server: TestSftpServer;
  let configDir: string;
  let t: TestHub;
  let partner: SftpClient;
  let drops: ReturnType<typeof partnerDrops>;

  const CSV_HEADER = 'Record Ref,Status,Serial No,Make,Model,Calibre,Weapon Type,Country of Manufacture,Year of Manufacture,Date Reported,Crime Ref,Town,Circumstances,Description';
  const csvRow = (ref: string, o: { town?: string; description?: string } = {}) =>
    [ref, 'Stolen', `SN-${ref}`, 'Glock', '17', '9mm Luger', 'Pistol', 'AT', '2015', '14/02/2025', `CR/${ref}`, o.town ?? 'Leeds', 'burglary', o.description ?? ''].join(',');

  const recordEnvelope = (ref: string) => ({
    messageId: `IT-EDGE-${ref}`,
    type: 'record.upsert',
    sender: { country: 'IT', agency: 'NCB-ROMA' },
    sentAt: '2025-03-01T09:00:00Z',
    payload: { ownerReference: ref, status: 'STOLEN', firearm: { serials: [{ value: `SN-${ref}` }], make: 'Beretta', calibre: '9mm Luger', type: 'pistol' }, event: { date: '2025-02-20', caseNumber: `PROC-${ref}` } },
  });

  function recordsOf(country: string, refs: string[]) {
    return t.hub.ctx.db.selectFrom('records').select(['owner_reference', 'status']).where('owner_country', '=', country).where('owner_reference', 'in', refs).execute();
  }

  beforeAll(async () => {
    server = await startSftpServer();
    configDir = sftpTestConfig(server, GB_AND_IT_DROPS);
    t = await startTestHub('partner_edges_sftp', { envOverrides: { configDir } });
    partner = await partnerClient(server);
    drops = partnerDrops(partner, waitFor);
    await waitFor(async () => (await partner.exists('gb/inbox')) && (await partner.exists('it/inbox')), 'the drop directories', 30_000, 100);
  });

  afterAll(async () => {
    await partner?.end();
    await t?.stop();
    await server?.stop();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  it('reads an inch mark (12") in an unquoted CSV field as text, and every row after it', async () => {
    const refs = ['GB-E-101', 'GB-E-102', 'GB-E-103'];
    const content = [CSV_HEADER, csvRow(refs[0]!, { description: 'Barrel sawn off to 12" length' }), csvRow(refs[1]!), csvRow(refs[2]!)].join('\r\n');
    await drops.dropWithDoneFile('gb', 'inch-mark.csv', `${content}\r\n`);
    const r = await drops.receipt('gb', 'inch-mark.csv');
    expect(r).toMatchObject({ outcome: 'processed', counts: { messages: 3, accepted: 3, rejected: 0 } });
    await waitFor(async () => (await recordsOf('GB', refs)).length === 3, 'all three rows applied', 15_000, 100);
  });

  it('applies a row that changes a record back to what an earlier file said, though its bytes are those of the earlier row', async () => {
    const town = async () => {
      const r = await t.hub.ctx.db.selectFrom('records').select(['event', 'version']).where('owner_country', '=', 'GB').where('owner_reference', '=', 'GB-E-401').executeTakeFirst();
      return r && { town: (r.event as { place?: { locality?: string } }).place?.locality, version: r.version };
    };
    // Each day's file holds other rows too: a file whose bytes all repeat an earlier one is that file again.
    const days = [
      [csvRow('GB-E-401', { town: 'Leeds' })],
      [csvRow('GB-E-401', { town: 'York' })],
      [csvRow('GB-E-401', { town: 'Leeds' }), csvRow('GB-E-402')],
    ];
    for (const [i, rows] of days.entries()) {
      await drops.dropWithDoneFile('gb', `revert-${i}.csv`, `${CSV_HEADER}\n${rows.join('\n')}\n`);
      expect(await drops.receipt('gb', `revert-${i}.csv`)).toMatchObject({ counts: { accepted: rows.length, duplicates: 0 } });
      await waitFor(async () => (await town())?.version === i + 1, `version ${i + 1} of the record`, 15_000, 100);
    }
    expect(await town()).toEqual({ town: 'Leeds', version: 3 });
  });

  it('takes a file resent under a name its format matches, after the same bytes failed for their name', async () => {
    const content = `${JSON.stringify(recordEnvelope('IT-E-201'))}\n`;
    await drops.dropWithRename('it', 'export-201.txt', content);
    expect(await drops.receipt('it', 'export-201.txt')).toMatchObject({ outcome: 'failed', error: { code: 'file.no-format' } });

    await drops.dropWithRename('it', 'export-201.ndjson', content);
    const second = await drops.receipt('it', 'export-201.ndjson');
    expect(second).toMatchObject({ outcome: 'processed', counts: { messages: 1, accepted: 1 } });
    expect(second.duplicateOf).toBeUndefined();
    await waitFor(async () => (await recordsOf('IT', ['IT-E-201'])).length === 1, 'the record applied', 15_000, 100);
  });

  it('still recognises a file taken in before when the same bytes come again', async () => {
    const content = `${JSON.stringify(recordEnvelope('IT-E-202'))}\n`;
    await drops.dropWithRename('it', 'export-202.ndjson', content);
    expect(await drops.receipt('it', 'export-202.ndjson')).toMatchObject({ outcome: 'processed', counts: { accepted: 1 } });
    await drops.dropWithRename('it', 'export-202-again.ndjson', content);
    expect(await drops.receipt('it', 'export-202-again.ndjson')).toMatchObject({ outcome: 'duplicate', duplicateOf: { file: 'export-202.ndjson' } });
  });

  it('gives a rejected XML element the line of its "<" when its start tag runs over two lines', async () => {
    const xml = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<messages xmlns="urn:tracehub:message:1">',
      '<message',
      '    xmlns:x="urn:example:ext">',
      '  <messageId>IT-E-LINE-1</messageId><type>record.upsert</type>',
      '</message>',
      '</messages>',
      '',
    ].join('\n');
    await drops.dropWithRename('it', 'lines.xml', xml);
    const r = await drops.receipt('it', 'lines.xml');
    expect(r.counts).toMatchObject({ messages: 1, rejected: 1 });
    expect(r.rejected[0]).toMatchObject({ index: 0, line: 3 });
  });

  it('lists a row its handler refuses in the file receipt, with its line, and sends no receipt of its own for it', async () => {
    await drops.dropWithDoneFile('gb', 'cleared-1.csv', `${CSV_HEADER}\n${csvRow('GB-E-301')}\n`);
    await drops.receipt('gb', 'cleared-1.csv');
    await waitFor(async () => (await recordsOf('GB', ['GB-E-301'])).length === 1, 'the record', 15_000, 100);
    // Cleared records take no more changes: the row below is valid, but its handler refuses it.
    await t.hub.ctx.db.updateTable('records').set({ status: 'CLEARED' }).where('owner_country', '=', 'GB').where('owner_reference', '=', 'GB-E-301').execute();

    await drops.dropWithDoneFile('gb', 'cleared-2.csv', `${CSV_HEADER}\n${csvRow('GB-E-302')}\n${csvRow('GB-E-301', { town: 'York' })}\n`);
    const r = await drops.receipt('gb', 'cleared-2.csv');
    expect(r.counts).toMatchObject({ messages: 2, accepted: 1, rejected: 1 });
    expect(r.rejected).toEqual([expect.objectContaining({ index: 1, line: 3, errors: [expect.objectContaining({ code: expect.any(String) })] })]);
    expect((await recordsOf('GB', ['GB-E-301']))[0]!.status).toBe('CLEARED');
    const refusedRow = await t.hub.ctx.db.selectFrom('ledger_messages').select(['id', 'status']).where('file_id', '=', r.fileId).where('file_index', '=', 1).executeTakeFirstOrThrow();
    expect(refusedRow.status).toBe('rejected');
    const ownReceipts = await t.hub.ctx.db.selectFrom('outbox').select('id').where('source_ledger_id', '=', refusedRow.id).where('type', '=', 'hub.receipt').execute();
    expect(ownReceipts).toEqual([]);
  });

  it('names the NIEM element the partner wrote (nc:FirearmCaliberText) in a receipt error about the calibre', async () => {
    const doc = `<?xml version="1.0" encoding="UTF-8"?>
<fre:FirearmRecord xmlns:fre="${NIEM_EXCHANGE_NAMESPACE}" xmlns:nc="${NIEM_CORE_20}">
  <fre:RecordIdentification><nc:IdentificationID>IT-E-601</nc:IdentificationID></fre:RecordIdentification>
  <fre:RecordStatusCode>STOLEN</fre:RecordStatusCode>
  <nc:Firearm>
    <nc:ItemSerialIdentification><nc:IdentificationID>BER601</nc:IdentificationID></nc:ItemSerialIdentification>
    <nc:FirearmMakeText>Beretta</nc:FirearmMakeText>
    <nc:FirearmCategoryCode>P</nc:FirearmCategoryCode>
    <nc:FirearmCaliberText>9mm Luger ${'x'.repeat(70)}</nc:FirearmCaliberText>
  </nc:Firearm>
  <nc:Incident>
    <nc:ActivityIdentification><nc:IdentificationID>PROC-601</nc:IdentificationID></nc:ActivityIdentification>
    <nc:ActivityDate><nc:Date>2025-02-11</nc:Date></nc:ActivityDate>
  </nc:Incident>
</fre:FirearmRecord>
`;
    await drops.dropWithRename('it', 'calibre.niem.xml', doc);
    const r = await drops.receipt('it', 'calibre.niem.xml');
    expect(r.counts).toMatchObject({ messages: 1, rejected: 1 });
    const error = r.rejected[0].errors.find((e: { pointer?: string }) => e.pointer === '/payload/firearm/calibre');
    expect(error).toMatchObject({ field: 'fre:FirearmRecord/nc:Firearm/nc:FirearmCaliberText' });
  });
});

describe('AMQP message properties where the body cannot speak for itself', () => {
  const partners: PartnerConfig[] = [
    {
      country: 'BE',
      name: 'Belgium',
      ncb: { agency: 'NCB-BRUSSELS', name: 'INTERPOL NCB Brussels' },
      inbound: [{ channel: 'amqp', format: 'canonical-json' }],
      replies: { channel: 'amqp', format: 'canonical-json' },
      amqp: { agency: 'NCB-BRUSSELS' },
    },
  ];
  let vhost: TestVhost;
  let config: { dir: string; remove(): Promise<void> };
  let t: TestHub;
  let conn: ChannelModel;
  let ch: ConfirmChannel;

  async function take(queue: string, match: (m: GetMessage) => boolean): Promise<GetMessage> {
    let found: GetMessage | undefined;
    await waitFor(
      async () => {
        for (;;) {
          const m = await ch.get(queue, { noAck: true });
          if (!m) break;
          if (match(m)) found = m;
        }
        return found !== undefined;
      },
      `a message on ${queue}`,
      30_000,
      100,
    );
    return found!;
  }

  beforeAll(async () => {
    vhost = await createVhost('partner_edges_amqp');
    config = await configWithPartners(partners);
    t = await startTestHub('partner_edges_amqp', { envOverrides: { amqpUrl: vhost.url(), configDir: config.dir } });
    conn = await connect(vhost.url());
    conn.on('error', () => undefined);
    ch = await conn.createConfirmChannel();
  });

  afterAll(async () => {
    await conn?.close().catch(() => undefined);
    await t?.stop();
    await vhost?.delete();
    await config?.remove();
  });

  it('answers a message with no body under the message_id and correlation_id it was published with', async () => {
    ch.publish('tracehub.in.BE', '', Buffer.alloc(0), { persistent: true, contentType: 'application/json', messageId: 'BE-EMPTY-1', correlationId: 'BE-CORR-EMPTY-1', type: 'record.upsert' });
    await ch.waitForConfirms();
    const receipt = await take('tracehub.out.BE', (m) => m.properties.type === 'hub.receipt');
    expect(JSON.parse(receipt.content.toString('utf8')).payload.originalMessageId).toBe('BE-EMPTY-1');
    expect(receipt.properties.correlationId).toBe('BE-CORR-EMPTY-1');
  });

  it('keeps the correlation_id property as the conversation of a message whose envelope names none', async () => {
    const invalid = { messageId: 'BE-NOCORR-1', type: 'record.upsert', sender: { country: 'BE', agency: 'NCB-BRUSSELS' }, sentAt: new Date().toISOString(), payload: { ownerReference: 'BE-NOCORR-1', status: 'MISPLACED' } };
    ch.publish('tracehub.in.BE', '', Buffer.from(JSON.stringify(invalid)), { persistent: true, contentType: 'application/json', messageId: invalid.messageId, correlationId: 'BE-CORR-42' });
    await ch.waitForConfirms();
    const receipt = await take('tracehub.out.BE', (m) => m.properties.type === 'hub.receipt' && JSON.parse(m.content.toString('utf8')).payload.originalMessageId === invalid.messageId);
    expect(receipt.properties.correlationId).toBe('BE-CORR-42');
  });
});

describe('a reply format that cannot carry replies', () => {
  it('stops the hub at start, naming the partner file and its replies.format', async () => {
    const partner: PartnerConfig = {
      country: 'NL',
      name: 'Netherlands',
      ncb: { agency: 'NCB-DEN-HAAG', name: 'INTERPOL NCB The Hague' },
      inbound: [{ channel: 'amqp', format: 'niem-2.0-firearm' }],
      replies: { channel: 'amqp', format: 'niem-2.0-firearm' },
    };
    const config = await configWithPartners([partner]);
    let hub: TestHub | undefined;
    try {
      const failure = await startTestHub('partner_edges_replies', { envOverrides: { configDir: config.dir }, start: false }).then(
        (started) => {
          hub = started;
          return undefined;
        },
        (err: unknown) => err,
      );
      expect(failure).toBeInstanceOf(ConfigError);
      expect((failure as ConfigError).file).toBe('config/partners/NL.json');
      expect((failure as ConfigError).problems).toEqual([{ pointer: '/replies/format', message: expect.stringContaining('"niem-2.0-firearm" renders record.upsert only') }]);
    } finally {
      await hub?.stop();
      await config.remove();
    }
  });
});
