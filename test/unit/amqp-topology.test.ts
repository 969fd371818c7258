import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectionUrl, redactedUrl } from '../../adapters/channels/amqp-connection.js';
import { chooseFormat, propertyMismatches } from '../../adapters/channels/amqp-consumer.js';
import { publishOptions } from '../../adapters/channels/amqp-deliverer.js';
import { amqpConfigProblems, amqpTopology, partnerPermissions, usesAmqp } from '../../adapters/channels/amqp-topology.js';
import type { OutboxRow } from '../../adapters/channels/channel-deliverer.js';
import { canonicalJson } from '../../adapters/formats/canonical-json.js';
import { canonicalXml } from '../../adapters/formats/canonical-xml.js';
import type { LoadedConfig } from '../../src/config/load-config.js';
import type { HubConfig, PartnerConfig } from '../../src/messages/generated-types.js';
import type { IntakeResult } from '../../src/intake/intake-service.js';
import { loadSchemaCatalog } from '../../src/messages/schema-catalog.js';

/** The AMQP channel's pure parts: topology and permissions from configuration, format choice, properties. */
const hub = JSON.parse(readFileSync(join(import.meta.dirname, '../../config/hub.json'), 'utf8')) as HubConfig;

function partner(country: string, over: Partial<PartnerConfig> = {}): PartnerConfig {
  return { country, name: country, ncb: { agency: `NCB-${country}`, name: `NCB ${country}` }, inbound: [{ channel: 'rest', format: 'canonical-json' }], replies: { channel: 'rest', format: 'canonical-json' }, ...over };
}
const config = (...partners: PartnerConfig[]): LoadedConfig => ({ hub, partners: new Map(partners.map((p) => [p.country, p])) });

const be = partner('BE', { inbound: [{ channel: 'amqp', format: 'canonical-json' }, { channel: 'amqp', format: 'canonical-xml' }, { channel: 'rest', format: 'canonical-json' }], replies: { channel: 'amqp', format: 'canonical-json' }, amqp: { agency: 'NCB-BE' } });
const lu = partner('LU', { inbound: [{ channel: 'amqp', format: 'canonical-xml' }], amqp: { inboundQueue: 'lu.in', prefetch: 7 } });
const nl = partner('NL', { replies: { channel: 'amqp', format: 'canonical-xml' }, amqp: { outboundQueue: 'nl.replies' } });

describe('the topology', () => {
  it('has an inbound queue for each country sending over AMQP and an outbound queue for each taking replies over it', () => {
    const t = amqpTopology(config(be, lu, nl, partner('FR')));
    expect(t.deadLetterExchange).toBe('tracehub.dead');
    expect(t.partners).toEqual([
      { country: 'BE', inbound: { country: 'BE', queue: 'tracehub.in.BE', formats: ['canonical-json', 'canonical-xml'], agency: 'NCB-BE', prefetch: hub.amqp!.prefetch }, outboundQueue: 'tracehub.out.BE' },
      { country: 'LU', inbound: { country: 'LU', queue: 'lu.in', formats: ['canonical-xml'], agency: null, prefetch: 7 } },
      { country: 'NL', outboundQueue: 'nl.replies' },
    ]);
    expect(usesAmqp(config(partner('FR')))).toBe(false);
    expect(usesAmqp(config(nl))).toBe(true);
  });

  it('refuses two countries sharing a queue, names reserved for dead letters, and an agency without an inbound queue', () => {
    const clash = partner('DE', { replies: { channel: 'amqp', format: 'canonical-json' }, amqp: { outboundQueue: 'tracehub.in.BE' } });
    expect(amqpConfigProblems(config(be, clash))).toEqual([{ file: 'config/partners/DE.json', pointer: '/amqp/outboundQueue', message: 'queue "tracehub.in.BE" is already used by BE (/amqp/inboundQueue); every country needs queues of its own' }]);
    const dead = partner('PT', { replies: { channel: 'amqp', format: 'canonical-json' }, amqp: { outboundQueue: 'pt.dead', agency: 'NCB-PT' } });
    expect(amqpConfigProblems(config(dead)).map((p) => p.pointer)).toEqual(['/amqp/outboundQueue', '/amqp/agency']);
    expect(amqpConfigProblems(config(be, lu, nl))).toEqual([]);
  });
});

describe('the example AMQP partner (config/examples/partners/BE.json)', () => {
  it('is a valid partner file that sends and takes replies over AMQP', () => {
    const doc = JSON.parse(readFileSync(join(import.meta.dirname, '../../config/examples/partners/BE.json'), 'utf8')) as PartnerConfig;
    expect(loadSchemaCatalog().check('urn:tracehub:schema:config:partner', doc)).toEqual([]);
    expect(amqpConfigProblems(config(doc))).toEqual([]);
    expect(amqpTopology(config(doc)).partners).toEqual([
      { country: 'BE', inbound: { country: 'BE', queue: 'tracehub.in.BE', formats: ['canonical-json', 'canonical-xml'], agency: 'NCB-BRUSSELS', prefetch: hub.amqp!.prefetch }, outboundQueue: 'tracehub.out.BE' },
    ]);
  });
});

describe("a country's broker permissions", () => {
  const t = amqpTopology(config(be, lu, nl));
  const perms = (cc: string) => partnerPermissions(t.partners.find((p) => p.country === cc)!);
  const matches = (re: string, name: string) => new RegExp(re).test(name);

  it('configure nothing, write only its inbound exchange, read only its own queues', () => {
    const p = perms('BE');
    expect(matches(p.configure, 'tracehub.in.BE')).toBe(false);
    expect(matches(p.write, 'tracehub.in.BE')).toBe(true);
    for (const other of ['lu.in', 'amq.default', '', 'tracehub.in.BEX', 'xtracehub.in.BE', 'tracehub_in_BE']) expect(matches(p.write, other), other).toBe(false);
    for (const own of ['tracehub.out.BE', 'tracehub.out.BE.dead', 'tracehub.in.BE.dead']) expect(matches(p.read, own), own).toBe(true);
    for (const other of ['tracehub.in.BE', 'nl.replies', 'tracehub.out.BEE']) expect(matches(p.read, other), other).toBe(false);
  });

  it('give a country that only sends no read, and one that only receives no write', () => {
    expect(perms('LU')).toEqual({ configure: '^$', write: '^(lu\\.in)$', read: '^(lu\\.in\\.dead)$' });
    expect(perms('NL').write).toBe('^$');
  });
});

describe('reading an inbound message', () => {
  const both = [canonicalJson, canonicalXml];
  it('uses the format its content type names, else what its first byte says, else the country\'s first format', () => {
    expect(chooseFormat(both, 'application/xml; charset=utf-8', Buffer.from('{}')).name).toBe('canonical-xml');
    expect(chooseFormat(both, 'text/plain', Buffer.from('  \n<message/>')).name).toBe('canonical-xml');
    expect(chooseFormat(both, undefined, Buffer.from('\uFEFF{"a":1}')).name).toBe('canonical-json');
    expect(chooseFormat([canonicalXml, canonicalJson], undefined, Buffer.from('garbage')).name).toBe('canonical-xml');
  });

  it('notes properties that disagree with the envelope', () => {
    const r = { ledgerId: 'L', correlationId: 'C', messageId: 'M', type: 'record.upsert' } as IntakeResult;
    expect(propertyMismatches({ messageId: 'M', type: 'record.upsert', correlationId: 'C' }, r)).toEqual([]);
    expect(propertyMismatches({ messageId: 'X', type: 'hub.notice', correlationId: 'D' }, r)).toEqual([
      'message_id "X" but the envelope says "M"',
      'type "hub.notice" but the envelope says "record.upsert"',
      'correlation_id "D" but the envelope says "C"',
    ]);
    // An envelope without a correlation id was given the hub's own id: nothing to disagree with.
    expect(propertyMismatches({ correlationId: 'D' }, { ...r, correlationId: 'L' })).toEqual([]);
  });
});

describe('an outbound message', () => {
  it('is persistent and mandatory, with the envelope\'s message id, correlation id and type', () => {
    const row = { id: 'o-1', type: 'hub.receipt', correlation_id: 'c-1', recipient_agency: 'NCB-BE', envelope: { messageId: 'o-1', inReplyTo: 'm-9' } } as unknown as OutboxRow;
    const now = new Date('2026-11-26T12:00:00Z');
    expect(publishOptions(row, 'application/json', now)).toEqual({
      persistent: true,
      mandatory: true,
      messageId: 'o-1',
      correlationId: 'c-1',
      type: 'hub.receipt',
      contentType: 'application/json',
      timestamp: now.getTime() / 1000,
      appId: 'tracehub',
      headers: { 'x-tracehub-outbox-id': 'o-1', 'x-tracehub-recipient-agency': 'NCB-BE', 'x-tracehub-in-reply-to': 'm-9' },
    });
  });
});

describe('the broker URL', () => {
  it('gets a heartbeat unless it sets one, and never shows its password in logs', () => {
    expect(connectionUrl('amqp://guest:guest@127.0.0.1:5672/vh', 30)).toBe('amqp://guest:guest@127.0.0.1:5672/vh?heartbeat=30');
    expect(connectionUrl('amqp://h/?heartbeat=5', 30)).toBe('amqp://h/?heartbeat=5');
    expect(redactedUrl('amqp://hub:s3cret@broker:5672/tracehub')).toBe('amqp://hub:***@broker:5672/tracehub');
  });
});
