import { describe, expect, it } from 'vitest';
import { FULL_REPORT_MAX_VALUES, loadSchemaCatalog, MAX_LISTED_ERRORS } from '../../src/messages/schema-catalog.js';

const catalog = loadSchemaCatalog();
const ENVELOPE = 'urn:tracehub:schema:envelope';
const NOTICE = 'urn:tracehub:schema:hub.notice';

function validEnvelope(): Record<string, unknown> {
  return {
    messageId: 'FR-2025-000123',
    type: 'hub.notice',
    sender: { country: 'FR', agency: 'NCB-PARIS' },
    sentAt: '2025-03-01T10:15:00Z',
    payload: {},
  };
}

function validNotice(): Record<string, unknown> {
  return { to: [{ country: 'DE' }, { country: 'US', agency: 'ATF' }], subject: 'Stolen pistol', body: 'A Glock 17', serials: ['AB123'] };
}

describe('schema catalog', () => {
  describe('loading', () => {
    it('holds every schema in schemas/ by $id', () => {
      expect([...catalog.schemas.keys()].sort()).toEqual(
        expect.arrayContaining([ENVELOPE, NOTICE, 'urn:tracehub:schema:hub.receipt', 'urn:tracehub:schema:config:hub', 'urn:tracehub:schema:config:partner']),
      );
    });

    it('refuses to give a validator for an unknown $id, naming it', () => {
      expect(() => catalog.check('urn:tracehub:schema:nope', {})).toThrow(/urn:tracehub:schema:nope/);
    });

    it('adds extra schemas given at load time', () => {
      const withExtra = loadSchemaCatalog(undefined, [{ $id: 'urn:test:schema:thing', type: 'object', properties: { x: {} }, required: ['x'] }]);
      expect(withExtra.check('urn:test:schema:thing', { x: 1 })).toEqual([]);
      expect(withExtra.check('urn:test:schema:thing', {})).toEqual([{ pointer: '/x', code: 'schema.required', message: 'is required' }]);
    });
  });

  describe('envelope validation', () => {
    it('accepts a well-formed envelope with no errors', () => {
      expect(catalog.check(ENVELOPE, validEnvelope())).toEqual([]);
    });

    it('names each missing required property by its own pointer', () => {
      const errors = catalog.check(ENVELOPE, { payload: {} });
      expect(errors).toEqual(
        expect.arrayContaining([
          { pointer: '/messageId', code: 'schema.required', message: 'is required' },
          { pointer: '/type', code: 'schema.required', message: 'is required' },
          { pointer: '/sender', code: 'schema.required', message: 'is required' },
          { pointer: '/sentAt', code: 'schema.required', message: 'is required' },
        ]),
      );
      expect(errors).toHaveLength(4);
    });

    it('names a missing nested property by its full pointer', () => {
      const errors = catalog.check(ENVELOPE, { ...validEnvelope(), sender: { country: 'FR' } });
      expect(errors).toEqual([{ pointer: '/sender/agency', code: 'schema.required', message: 'is required' }]);
    });

    it('names an extra property by the pointer of that property', () => {
      expect(catalog.check(ENVELOPE, { ...validEnvelope(), priority: 'high' })).toEqual([
        { pointer: '/priority', code: 'schema.additionalProperties', message: 'is not an allowed property' },
      ]);
      expect(catalog.check(ENVELOPE, { ...validEnvelope(), sender: { country: 'FR', agency: 'X', phone: '1' } })).toEqual([
        { pointer: '/sender/phone', code: 'schema.additionalProperties', message: 'is not an allowed property' },
      ]);
    });

    // Documents a bug: toFieldErrors appends ajv's missingProperty / additionalProperty unescaped,
    // so a property name containing "/" or "~" gives a pointer to a different (nested) field.
    // RFC 6901 requires "~" -> "~0" and "/" -> "~1".
    it('escapes "/" and "~" in a property name as RFC 6901 requires', () => {
      expect(catalog.check(ENVELOPE, { ...validEnvelope(), 'a/b~c': 1 })).toEqual([
        { pointer: '/a~1b~0c', code: 'schema.additionalProperties', message: 'is not an allowed property' },
      ]);
    });

    it('reports a wrong pattern, format and type at the field\'s pointer', () => {
      const errors = catalog.check(ENVELOPE, { ...validEnvelope(), sender: { country: 'fr', agency: 'X' }, sentAt: 'yesterday', messageId: 12 });
      expect(errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ pointer: '/sender/country', code: 'schema.pattern' }),
          expect.objectContaining({ pointer: '/sentAt', code: 'schema.format' }),
          expect.objectContaining({ pointer: '/messageId', code: 'schema.type' }),
        ]),
      );
    });

    it('reports every error at once, not only the first', () => {
      const errors = catalog.check(ENVELOPE, { messageId: '', type: 'Not A Type', sender: {}, sentAt: 'x', payload: [] });
      expect(new Set(errors.map((e) => e.pointer))).toEqual(new Set(['/messageId', '/type', '/sender/country', '/sender/agency', '/sentAt', '/payload']));
    });

    it('uses "/" as the pointer when the whole document is at fault', () => {
      expect(catalog.check(ENVELOPE, 'not an object')).toEqual([{ pointer: '/', code: 'schema.type', message: 'must be object' }]);
    });
  });

  describe('hub.notice payload validation', () => {
    it('accepts a valid notice', () => {
      expect(catalog.check(NOTICE, validNotice(), '/payload')).toEqual([]);
    });

    it('prefixes every pointer, so errors point into the whole envelope', () => {
      const errors = catalog.check(NOTICE, { to: [{ country: 'DE' }, { agency: 'X' }], subject: '', body: 'b' }, '/payload');
      expect(errors).toEqual(
        expect.arrayContaining([
          { pointer: '/payload/to/1/country', code: 'schema.required', message: 'is required' },
          expect.objectContaining({ pointer: '/payload/subject', code: 'schema.minLength' }),
        ]),
      );
      expect(errors).toHaveLength(2);
    });

    it('lists the allowed values in an enum error', () => {
      expect(catalog.check(NOTICE, { ...validNotice(), priority: 'high' }, '/payload')).toEqual([
        { pointer: '/payload/priority', code: 'schema.enum', message: 'must be one of: routine, urgent' },
      ]);
    });

    it('requires at least one recipient', () => {
      expect(catalog.check(NOTICE, { ...validNotice(), to: [] }, '/payload')).toEqual([
        expect.objectContaining({ pointer: '/payload/to', code: 'schema.minItems' }),
      ]);
    });

    it('checks recipients against the envelope schema\'s recipient definition', () => {
      expect(catalog.check(NOTICE, { ...validNotice(), to: [{ country: 'Germany', fax: '1' }] }, '/payload')).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ pointer: '/payload/to/0/country', code: 'schema.pattern' }),
          { pointer: '/payload/to/0/fax', code: 'schema.additionalProperties', message: 'is not an allowed property' },
        ]),
      );
    });

    it('names the missing required payload fields', () => {
      expect(catalog.check(NOTICE, {}, '/payload').map((e) => e.pointer).sort()).toEqual(['/payload/body', '/payload/subject', '/payload/to']);
    });

    it('fills in the default priority of a valid notice', () => {
      const notice = validNotice();
      expect(catalog.check(NOTICE, notice)).toEqual([]);
      expect(notice.priority).toBe('routine');
    });
  });

  describe('a message with very many errors', () => {
    const badRecipients = (n: number) => ({ ...validNotice(), to: Array.from({ length: n }, (_, i) => ({ country: i % 2 ? 'de' : 'DE', x: i })) });

    it('lists the first errors and counts the rest in a last entry', () => {
      const errors = catalog.check(NOTICE, badRecipients(150), '/payload');
      expect(errors).toHaveLength(MAX_LISTED_ERRORS);
      expect(errors[0]).toEqual({ pointer: '/payload/to/0/x', code: 'schema.additionalProperties', message: 'is not an allowed property' });
      // 150 items, each with an unknown member and every second with a bad country: 225 errors.
      expect(errors.at(-1)).toEqual({ pointer: '/payload', code: 'schema.errors-not-listed', message: `and ${225 - (MAX_LISTED_ERRORS - 1)} more errors, not listed` });
    });

    it('is reported by its first error only when it holds too many values for all to be gathered', () => {
      const errors = catalog.check(NOTICE, badRecipients(FULL_REPORT_MAX_VALUES), '/payload');
      expect(errors).toEqual([
        { pointer: '/payload/to', code: 'schema.maxItems', message: 'must NOT have more than 200 items' },
        { pointer: '/payload', code: 'schema.errors-not-listed', message: `holds more than ${FULL_REPORT_MAX_VALUES} values, so only its first error is listed` },
      ]);
    });

    it('is still valid when it is large and valid', () => {
      const big = { ...validNotice(), body: 'x'.repeat(20_000), serials: Array.from({ length: 50 }, (_, i) => `SN${i}`) };
      expect(catalog.check(NOTICE, big)).toEqual([]);
    });
  });
});
