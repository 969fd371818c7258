import { describe, expect, it } from 'vitest';
import type { LoadedConfig } from '../../src/config/load-config.js';
import { isUuid, uuidv7 } from '../../src/ids/uuidv7.js';
import type { HubConfig, PartnerConfig } from '../../src/messages/generated-types.js';
import { loadSchemaCatalog } from '../../src/messages/schema-catalog.js';
import { buildOutbound, rejectionReceipt } from '../../src/pipeline/outbound-envelope.js';

const catalog = loadSchemaCatalog();

function partner(country: string, replies: PartnerConfig['replies']): PartnerConfig {
  return { country, name: country, ncb: { agency: `NCB-${country}`, name: `NCB ${country}` }, inbound: [{ channel: 'rest', format: 'canonical-json' }], replies };
}

/** Partners that want replies in different ways, so the test can see which one was used. */
const config: LoadedConfig = {
  hub: { identity: { country: 'ZZ', agency: 'TRACEHUB' } } as HubConfig,
  partners: new Map([
    ['DE', partner('DE', { channel: 'amqp', format: 'canonical-xml' })],
    ['FR', partner('FR', { channel: 'rest', format: 'canonical-json' })],
    ['US', partner('US', { channel: 'webhook', format: 'canonical-json' })],
  ]),
};

const now = new Date('2025-03-01T10:15:00.000Z');
const sourceLedgerId = uuidv7();
const payload = { to: [{ country: 'DE' }], subject: 'Stolen pistol', body: 'A Glock 17', serials: ['AB123'] };

function args(overrides: Partial<Parameters<typeof buildOutbound>[1]> = {}): Parameters<typeof buildOutbound>[1] {
  return { sourceLedgerId, key: 'notice:DE', to: { country: 'DE' }, type: 'hub.notice', payload, correlationId: null, now, ...overrides };
}

describe('outbound messages', () => {
  describe('buildOutbound', () => {
    it('sends over the channel and in the format the recipient partner asks replies on', () => {
      expect(buildOutbound(config, args({ to: { country: 'DE' } }))).toMatchObject({ recipientCountry: 'DE', channel: 'amqp', format: 'canonical-xml' });
      expect(buildOutbound(config, args({ to: { country: 'US' } }))).toMatchObject({ recipientCountry: 'US', channel: 'webhook', format: 'canonical-json' });
    });

    it('gives nothing for a recipient that is not a configured partner', () => {
      expect(buildOutbound(config, args({ to: { country: 'JP' } }))).toBeUndefined();
      expect(buildOutbound(config, args({ to: { country: 'ZZ' } }))).toBeUndefined();
    });

    it('addresses a country, or one agency of it', () => {
      expect(buildOutbound(config, args({ to: { country: 'DE' } }))?.recipientAgency).toBeNull();
      expect(buildOutbound(config, args({ to: { country: 'DE', agency: 'BKA' } }))?.recipientAgency).toBe('BKA');
    });

    it('wraps the payload in an envelope from the hub itself, whose messageId is the record id', () => {
      const record = buildOutbound(config, args())!;
      expect(record.envelope).toStrictEqual({
        messageId: record.id,
        type: 'hub.notice',
        sender: { country: 'ZZ', agency: 'TRACEHUB' },
        sentAt: '2025-03-01T10:15:00.000Z',
        payload,
      });
      expect(record).toMatchObject({ sourceLedgerId, type: 'hub.notice', correlationId: null });
    });

    it('sends in the name of another sender when told to (a forwarded notice)', () => {
      const sender = { country: 'FR', agency: 'NCB-PARIS' };
      expect(buildOutbound(config, args({ sender }))?.envelope.sender).toStrictEqual(sender);
    });

    it('carries the correlation id and the message answered when given', () => {
      const record = buildOutbound(config, args({ correlationId: 'corr-1', inReplyTo: 'FR-2025-000123' }))!;
      expect(record.correlationId).toBe('corr-1');
      expect(record.envelope).toMatchObject({ correlationId: 'corr-1', inReplyTo: 'FR-2025-000123' });
    });

    it('produces an envelope the envelope schema accepts', () => {
      const record = buildOutbound(config, args({ correlationId: 'corr-1', inReplyTo: 'FR-2025-000123' }))!;
      expect(catalog.check('urn:tracehub:schema:envelope', record.envelope)).toEqual([]);
    });

    describe('the outbox id', () => {
      it('is a UUID derived from the source message and key: the same on every retry', () => {
        const first = buildOutbound(config, args())!;
        const retry = buildOutbound(config, args({ now: new Date(now.getTime() + 60_000) }))!;
        expect(isUuid(first.id)).toBe(true);
        expect(retry.id).toBe(first.id);
      });

      it('differs for another key or another source message', () => {
        const base = buildOutbound(config, args())!.id;
        expect(buildOutbound(config, args({ key: 'notice:US', to: { country: 'US' } }))!.id).not.toBe(base);
        expect(buildOutbound(config, args({ sourceLedgerId: uuidv7() }))!.id).not.toBe(base);
      });
    });
  });

  describe('rejectionReceipt', () => {
    const ledgerId = uuidv7();
    const errors = [
      { pointer: '/payload/to/0/country', code: 'recipient.unknown', message: 'JP is not a partner country of the hub' },
      { pointer: '/sentAt', code: 'schema.format', message: 'must match format "date-time"' },
    ];

    function receipt(overrides: Partial<Parameters<typeof rejectionReceipt>[1]> = {}) {
      return rejectionReceipt(config, {
        ledgerId,
        sender: { country: 'FR', agency: 'NCB-PARIS' },
        messageId: 'FR-2025-000123',
        correlationId: 'corr-1',
        errors,
        now,
        ...overrides,
      });
    }

    it('is a hub.receipt to the sending agency, saying rejected with every error', () => {
      const record = receipt()!;
      expect(record).toMatchObject({ type: 'hub.receipt', recipientCountry: 'FR', recipientAgency: 'NCB-PARIS', sourceLedgerId: ledgerId, correlationId: 'corr-1' });
      expect(record.envelope).toStrictEqual({
        messageId: record.id,
        type: 'hub.receipt',
        sender: { country: 'ZZ', agency: 'TRACEHUB' },
        sentAt: '2025-03-01T10:15:00.000Z',
        correlationId: 'corr-1',
        inReplyTo: 'FR-2025-000123',
        payload: { ledgerId, originalMessageId: 'FR-2025-000123', outcome: 'rejected', errors },
      });
    });

    it('is valid against the envelope and hub.receipt schemas', () => {
      const envelope = receipt()!.envelope;
      expect(catalog.check('urn:tracehub:schema:envelope', envelope)).toEqual([]);
      expect(catalog.check('urn:tracehub:schema:hub.receipt', envelope.payload, '/payload')).toEqual([]);
    });

    it('goes on the sender country\'s replies channel and format', () => {
      expect(receipt({ sender: { country: 'DE', agency: 'BKA' } })).toMatchObject({ channel: 'amqp', format: 'canonical-xml', recipientAgency: 'BKA' });
    });

    it('addresses the country when the sending agency is unknown', () => {
      expect(receipt({ sender: { country: 'FR', agency: null } })?.recipientAgency).toBeNull();
    });

    it('leaves out originalMessageId and inReplyTo when the message had no readable id', () => {
      const envelope = receipt({ messageId: undefined })!.envelope as Record<string, unknown>;
      expect(envelope.inReplyTo).toBeUndefined();
      expect(envelope.payload).toStrictEqual({ ledgerId, outcome: 'rejected', errors });
    });

    it('has the same id however often it is built for the same ledger entry', () => {
      expect(receipt()!.id).toBe(receipt({ now: new Date() })!.id);
      expect(receipt()!.id).not.toBe(receipt({ ledgerId: uuidv7() })!.id);
    });

    it('gives nothing when the sender\'s country is unknown or not a partner', () => {
      expect(receipt({ sender: { country: null, agency: null } })).toBeUndefined();
      expect(receipt({ sender: { country: 'JP', agency: 'NPA' } })).toBeUndefined();
    });
  });
});
