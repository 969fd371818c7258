import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How the hub signs a webhook and how a partner checks it. The signature is HMAC-SHA256, keyed
 * with the partner's shared secret, over the timestamp header, a dot, and the exact body bytes:
 *
 *   X-Tracehub-Timestamp: 1764115200
 *   X-Tracehub-Signature: sha256=<hex of HMAC-SHA256(secret, "1764115200." + body)>
 *
 * Binding the timestamp into the signature lets the receiver refuse replays of an old request
 * (allow a few minutes of clock skew); comparing in constant time keeps the secret from leaking
 * through response timing.
 */
export const TIMESTAMP_HEADER = 'x-tracehub-timestamp';
export const SIGNATURE_HEADER = 'x-tracehub-signature';

export function webhookSignature(secret: string, timestamp: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

export type VerifyOutcome = { ok: true } | { ok: false; reason: string };

export function verifyWebhookSignature(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: Buffer | string,
  options: { now?: Date; toleranceSeconds?: number } = {},
): VerifyOutcome {
  const { timestamp, signature } = headers;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: `missing or malformed ${TIMESTAMP_HEADER}` };
  if (!signature) return { ok: false, reason: `missing ${SIGNATURE_HEADER}` };
  const skew = Math.abs((options.now ?? new Date()).getTime() / 1000 - Number(timestamp));
  if (skew > (options.toleranceSeconds ?? 300)) return { ok: false, reason: `timestamp is ${Math.round(skew)} s away from now` };
  const expected = Buffer.from(webhookSignature(secret, timestamp, body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature does not match' };
  return { ok: true };
}
