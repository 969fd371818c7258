import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HubError } from '../../src/errors/hub-error.js';
import { checkUpload, digestFromHeaders, sniffContentType } from '../../src/traces/trace-attachments.js';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46]);

function thrown(fn: () => unknown): HubError {
  try {
    fn();
  } catch (err) {
    if (err instanceof HubError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

describe('trace attachments', () => {
  it('recognises each accepted kind by its signature, and nothing else', () => {
    expect(sniffContentType(JPEG)).toBe('image/jpeg');
    expect(sniffContentType(PNG)).toBe('image/png');
    expect(sniffContentType(Buffer.from('GIF89a....'))).toBe('image/gif');
    expect(sniffContentType(Buffer.from('II*\u0000....', 'latin1'))).toBe('image/tiff');
    expect(sniffContentType(Buffer.from('MM\u0000*....', 'latin1'))).toBe('image/tiff');
    expect(sniffContentType(Buffer.from('RIFF\u0000\u0000\u0000\u0000WEBPVP8 ', 'latin1'))).toBe('image/webp');
    expect(sniffContentType(Buffer.from('%PDF-1.7\n'))).toBe('application/pdf');
    expect(sniffContentType(Buffer.from('RIFF\u0000\u0000\u0000\u0000WAVEfmt ', 'latin1'))).toBeUndefined();
    expect(sniffContentType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeUndefined();
    expect(sniffContentType(Buffer.alloc(0))).toBeUndefined();
  });

  it('accepts content that is what it is declared to be, and gives its SHA-256', () => {
    const r = checkUpload('image/png; charset=binary', PNG);
    expect(r.contentType).toBe('image/png');
    expect(r.sha256.toString('hex')).toBe(createHash('sha256').update(PNG).digest('hex'));
  });

  it('refuses an unaccepted type (415), an empty body, and content that is not what it claims (400)', () => {
    expect(thrown(() => checkUpload('image/svg+xml', Buffer.from('<svg/>'))).status).toBe(415);
    expect(thrown(() => checkUpload('', PNG)).message).toMatch(/not untyped content/);
    expect(thrown(() => checkUpload('image/png', Buffer.alloc(0))).message).toBe('the attachment is empty');
    const mismatch = thrown(() => checkUpload('image/jpeg', PNG));
    expect(mismatch.status).toBe(400);
    expect(mismatch.message).toBe('the content is image/png, not image/jpeg as declared');
  });

  it('checks a digest the sender gave, in either header form', () => {
    const hex = createHash('sha256').update(JPEG).digest('hex');
    const b64 = createHash('sha256').update(JPEG).digest('base64');
    expect(digestFromHeaders({ 'content-digest': `sha-512=:AAAA:, sha-256=:${b64}:` })).toEqual({ sha256Hex: hex });
    expect(digestFromHeaders({ 'x-content-sha256': hex.toUpperCase() })).toEqual({ sha256Hex: hex.toUpperCase() });
    expect(digestFromHeaders({})).toEqual({});
    expect(() => checkUpload('image/jpeg', JPEG, { sha256Hex: hex.toUpperCase() })).not.toThrow();
    const bad = thrown(() => checkUpload('image/jpeg', JPEG, { sha256Hex: '0'.repeat(64) }));
    expect(bad.errors[0]).toMatchObject({ pointer: '/headers/content-digest', code: 'attachment.checksum' });
    expect(thrown(() => digestFromHeaders({ 'content-digest': 'md5=:abc:' })).errors[0]!.code).toBe('attachment.digest-format');
    expect(thrown(() => digestFromHeaders({ 'x-content-sha256': 'xyz' })).errors[0]!.pointer).toBe('/headers/x-content-sha256');
  });
});
