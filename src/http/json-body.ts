import { decodeText } from '../../adapters/formats/text-decoding.js';
import { HubError } from '../errors/hub-error.js';

/**
 * A request body (raw bytes) that a route reads as one JSON object itself, rather than handing
 * it to intake whole: decoded strictly as UTF-8, like every message, so that a Latin-1 byte is an
 * error naming where it is instead of a U+FFFD written into a record.
 */
export function jsonObjectBody(body: unknown): Record<string, unknown> {
  const decoded = decodeText(Buffer.isBuffer(body) ? body : Buffer.alloc(0));
  if (!decoded.ok) throw new HubError('MALFORMED_BODY', `the body ${decoded.error.message}`, [{ ...decoded.error, pointer: '/body' }]);
  let value: unknown;
  try {
    value = JSON.parse(decoded.text);
  } catch (err) {
    throw new HubError('MALFORMED_BODY', `the body is not JSON: ${(err as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new HubError('BAD_REQUEST', 'the body is a JSON object');
  return value as Record<string, unknown>;
}
