import type { FormatAdapter } from './format-adapter.js';
import { decodeText } from './text-decoding.js';

/** The hub's own JSON form: the envelope exactly as schemas/envelope.schema.json describes it. */
export const canonicalJson: FormatAdapter = {
  name: 'canonical-json',
  mediaTypes: ['application/json'],
  normalise(raw) {
    const decoded = decodeText(raw);
    if (!decoded.ok) return { ok: false, errors: [decoded.error] };
    let value: unknown;
    try {
      value = JSON.parse(decoded.text);
    } catch (err) {
      return { ok: false, errors: [{ pointer: '/', code: 'json.malformed', message: `is not valid JSON: ${(err as Error).message}` }] };
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { ok: false, errors: [{ pointer: '/', code: 'json.not-object', message: 'must be a JSON object (one envelope)' }] };
    }
    return { ok: true, envelope: value };
  },
  render(envelope) {
    return Buffer.from(JSON.stringify(envelope));
  },
};
