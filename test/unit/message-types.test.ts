import { describe, expect, it } from 'vitest';
import { discoverMessageTypes, extractBusinessKeys, normaliseKeyValue, type MessageTypeDefinition } from '../../src/messages/message-types.js';
import { loadSchemaCatalog } from '../../src/messages/schema-catalog.js';

const types = discoverMessageTypes(loadSchemaCatalog());
const notice = types.get('hub.notice');

describe('message type registry', () => {
  describe('discovery from schemas', () => {
    it('finds hub.notice as an inbound type whose serials are business keys', () => {
      expect(notice).toEqual({
        type: 'hub.notice',
        schemaId: 'urn:tracehub:schema:hub.notice',
        direction: 'inbound',
        businessKeys: { serial: '/serials' },
      });
    });

    it('finds hub.receipt as an outbound type without business keys', () => {
      expect(types.get('hub.receipt')).toEqual({
        type: 'hub.receipt',
        schemaId: 'urn:tracehub:schema:hub.receipt',
        direction: 'outbound',
        businessKeys: {},
      });
    });

    it('does not count the envelope or configuration schemas as message types', () => {
      expect(types.has('envelope')).toBe(false);
      expect([...types.keys()].some((t) => t.startsWith('config:'))).toBe(false);
    });

    it('takes a new type from a schema alone, defaulting its direction to inbound', () => {
      const catalog = loadSchemaCatalog(undefined, [
        { $id: 'urn:tracehub:schema:example.widget', 'x-tracehub': {}, type: 'object' },
        { $id: 'urn:tracehub:schema:config:extra', 'x-tracehub': { direction: 'inbound' }, type: 'object' },
        { $id: 'urn:tracehub:schema:no-meta', type: 'object' },
      ]);
      const found = discoverMessageTypes(catalog);
      expect(found.get('example.widget')).toEqual({ type: 'example.widget', schemaId: 'urn:tracehub:schema:example.widget', direction: 'inbound', businessKeys: {} });
      expect(found.has('config:extra')).toBe(false);
      expect(found.has('no-meta')).toBe(false);
    });
  });

  describe('business keys', () => {
    it('normalises a serial to upper case without spaces, prefixed by its kind', () => {
      expect(extractBusinessKeys(notice, { serials: ['ab 123'] })).toEqual(['serial:AB123']);
    });

    it('applies NFKC, so full-width and compatibility characters match their plain forms', () => {
      expect(extractBusinessKeys(notice, { serials: ['ＡＢ１２３'] })).toEqual(['serial:AB123']);
      expect(normaliseKeyValue('ﬁ 12')).toBe('FI12'); // the "ﬁ" ligature
      expect(normaliseKeyValue('ab\u00a0123\t4')).toBe('AB1234'); // no-break space and tab
    });

    it('lists a serial written several ways once', () => {
      expect(extractBusinessKeys(notice, { serials: ['AB123', 'ab 123', 'ａｂ１２３', ' AB 12 3 '] })).toEqual(['serial:AB123']);
    });

    it('keeps distinct serials in payload order', () => {
      expect(extractBusinessKeys(notice, { serials: ['x1', 'Y2', 'x1'] })).toEqual(['serial:X1', 'serial:Y2']);
    });

    it('ignores blank and non-string values', () => {
      expect(extractBusinessKeys(notice, { serials: ['', '   ', 42, null, { s: 'A' }, 'ok'] })).toEqual(['serial:OK']);
    });

    it('accepts a single value where the pointer holds no array', () => {
      expect(extractBusinessKeys(notice, { serials: 'cd 9' })).toEqual(['serial:CD9']);
    });

    it('gives no keys for a payload without the field, a non-object payload, or an unknown type', () => {
      expect(extractBusinessKeys(notice, { to: [] })).toEqual([]);
      expect(extractBusinessKeys(notice, 'AB123')).toEqual([]);
      expect(extractBusinessKeys(notice, null)).toEqual([]);
      expect(extractBusinessKeys(undefined, { serials: ['AB123'] })).toEqual([]);
    });

    it('follows nested pointers and several kinds of key', () => {
      const def: MessageTypeDefinition = { type: 't.x', schemaId: 'urn:x', direction: 'inbound', businessKeys: { serial: '/firearm/serials', trace: '/traceId' } };
      expect(extractBusinessKeys(def, { firearm: { serials: ['s 1'] }, traceId: 'tr-9' })).toEqual(['serial:S1', 'trace:TR-9']);
    });
  });
});
