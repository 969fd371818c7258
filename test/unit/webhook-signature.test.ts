import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyWebhookSignature, webhookSignature } from '../../adapters/channels/webhook-signature.js';

/** The webhook signature: HMAC-SHA256 over "<timestamp>.<body>", checked with a clock-skew window. */
const secret = 'whsec-test';
const body = Buffer.from('{"messageId":"m-1","type":"hub.notice"}');
const now = new Date('2026-11-26T12:00:00Z');
const ts = String(now.getTime() / 1000);

describe('a webhook signature', () => {
  it('is the hex HMAC-SHA256 of timestamp, dot and body, prefixed with sha256=', () => {
    const expected = createHmac('sha256', secret).update(`${ts}.${body.toString()}`).digest('hex');
    expect(webhookSignature(secret, ts, body)).toBe(`sha256=${expected}`);
  });

  it('verifies for the same secret, timestamp and bytes', () => {
    expect(verifyWebhookSignature(secret, { timestamp: ts, signature: webhookSignature(secret, ts, body) }, body, { now })).toEqual({ ok: true });
  });

  it('fails for another secret, a changed body or a changed timestamp', () => {
    const sig = webhookSignature(secret, ts, body);
    expect(verifyWebhookSignature('other', { timestamp: ts, signature: sig }, body, { now }).ok).toBe(false);
    expect(verifyWebhookSignature(secret, { timestamp: ts, signature: sig }, Buffer.from(`${body.toString()} `), { now }).ok).toBe(false);
    expect(verifyWebhookSignature(secret, { timestamp: String(Number(ts) + 1), signature: sig }, body, { now }).ok).toBe(false);
  });

  it('refuses a timestamp outside the tolerance (a replayed request) and missing headers', () => {
    const old = String(Number(ts) - 301);
    expect(verifyWebhookSignature(secret, { timestamp: old, signature: webhookSignature(secret, old, body) }, body, { now })).toEqual({ ok: false, reason: 'timestamp is 301 s away from now' });
    expect(verifyWebhookSignature(secret, { timestamp: undefined, signature: 'x' }, body, { now }).ok).toBe(false);
    expect(verifyWebhookSignature(secret, { timestamp: ts, signature: undefined }, body, { now }).ok).toBe(false);
    expect(verifyWebhookSignature(secret, { timestamp: 'yesterday', signature: 'x' }, body, { now }).ok).toBe(false);
  });
});
