import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../adapters/formats/canonical-json.js';
import { adapterContext } from './adapter-context.js';

const ctx = adapterContext();
const normalise = (text: string) => canonicalJson.normalise(Buffer.from(text, 'utf8'), ctx);

describe('canonical-json format adapter', () => {
  describe('reading a JSON envelope', () => {
    it('returns the parsed object unchanged, without validating it (validation is a later stage)', () => {
      const envelope = { messageId: 'm-1', type: 'hub.notice', anything: { nested: [1, 2] } };
      expect(normalise(JSON.stringify(envelope))).toEqual({ ok: true, envelope });
    });

    it('reads UTF-8 text, including characters outside ASCII', () => {
      const outcome = normalise('{"subject":"Pistolet volé – Ärger"}');
      expect(outcome).toEqual({ ok: true, envelope: { subject: 'Pistolet volé – Ärger' } });
    });
  });

  describe('refusing what is not one JSON object', () => {
    it.each([
      ['truncated object', '{"messageId": "m-1"'],
      ['trailing comma', '{"a": 1,}'],
      ['single quotes', "{'a': 1}"],
      ['empty body', ''],
      ['XML sent to the JSON adapter', '<message/>'],
    ])('%s is json.malformed at pointer /', (_label, text) => {
      const outcome = normalise(text);
      expect(outcome.ok).toBe(false);
      if (outcome.ok) return;
      expect(outcome.errors).toHaveLength(1);
      expect(outcome.errors[0]).toMatchObject({ pointer: '/', code: 'json.malformed' });
      expect(outcome.errors[0]!.message).toMatch(/^is not valid JSON: /);
    });

    it.each([
      ['an array (a batch is not one envelope)', '[{"messageId":"m-1"}]'],
      ['null', 'null'],
      ['a string', '"hello"'],
      ['a number', '42'],
      ['a boolean', 'true'],
    ])('%s is json.not-object at pointer /', (_label, text) => {
      expect(normalise(text)).toEqual({
        ok: false,
        errors: [{ pointer: '/', code: 'json.not-object', message: 'must be a JSON object (one envelope)' }],
      });
    });
  });

  describe('writing', () => {
    it('renders the envelope as JSON that normalises back to the same envelope', () => {
      const envelope = { messageId: 'm-1', type: 'hub.notice', payload: { to: [{ country: 'DE' }], body: 'Line 1\nLine 2\n' } };
      const bytes = canonicalJson.render(envelope, ctx);
      expect(Buffer.isBuffer(bytes)).toBe(true);
      expect(JSON.parse(bytes.toString('utf8'))).toEqual(envelope);
      expect(canonicalJson.normalise(bytes, ctx)).toEqual({ ok: true, envelope });
    });

    it('announces application/json as its media type', () => {
      expect(canonicalJson.name).toBe('canonical-json');
      expect(canonicalJson.mediaTypes[0]).toBe('application/json');
    });
  });
});
