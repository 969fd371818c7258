import { describe, expect, it } from 'vitest';
import { hashSecret, issueApiKey, parseApiKey, secretMatches } from '../../src/identity/api-keys.js';

describe('API keys', () => {
  describe('issuing', () => {
    it('issues keys of the form thk_<12 lower-case alphanumerics>_<43 base64url characters>', () => {
      for (let i = 0; i < 100; i++) {
        const issued = issueApiKey();
        expect(issued.key).toMatch(/^thk_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
        expect(issued.key.startsWith(`thk_${issued.id}_`)).toBe(true);
      }
    });

    it('issues a different id and secret each time', () => {
      const keys = Array.from({ length: 200 }, () => issueApiKey());
      expect(new Set(keys.map((k) => k.id)).size).toBe(keys.length);
      expect(new Set(keys.map((k) => k.key)).size).toBe(keys.length);
    });

    it('keeps only a SHA-256 hash of the secret, never the secret itself', () => {
      const issued = issueApiKey();
      const secret = parseApiKey(issued.key)!.secret;
      expect(issued.secretHash).toHaveLength(32);
      expect(issued.secretHash.equals(hashSecret(secret))).toBe(true);
      expect(issued.secretHash.toString('utf8')).not.toContain(secret);
      expect(issued.secretHash.toString('base64url')).not.toBe(secret);
    });
  });

  describe('parsing and checking a presented key', () => {
    it('parses an issued key into its id and secret, and the secret matches the stored hash', () => {
      const issued = issueApiKey();
      const parsed = parseApiKey(issued.key);
      expect(parsed?.id).toBe(issued.id);
      expect(parsed?.secret).toHaveLength(43);
      expect(secretMatches(parsed!.secret, issued.secretHash)).toBe(true);
    });

    it('tolerates surrounding whitespace (a pasted key with a newline)', () => {
      const issued = issueApiKey();
      expect(parseApiKey(`  ${issued.key}\n`)?.id).toBe(issued.id);
    });

    it('does not match a wrong secret', () => {
      const issued = issueApiKey();
      const secret = parseApiKey(issued.key)!.secret;
      const wrong = (secret[0] === 'A' ? 'B' : 'A') + secret.slice(1);
      expect(secretMatches(wrong, issued.secretHash)).toBe(false);
      expect(secretMatches(parseApiKey(issueApiKey().key)!.secret, issued.secretHash)).toBe(false);
      expect(secretMatches('', issued.secretHash)).toBe(false);
    });

    it('does not match (and does not throw) against a stored hash of the wrong length', () => {
      const secret = parseApiKey(issueApiKey().key)!.secret;
      expect(secretMatches(secret, Buffer.alloc(16))).toBe(false);
      expect(secretMatches(secret, Buffer.alloc(0))).toBe(false);
    });

    const id = 'abcdef012345';
    const secret = 'A'.repeat(43);
    it.each([
      ['empty', ''],
      ['wrong prefix', `thx_${id}_${secret}`],
      ['no prefix', `${id}_${secret}`],
      ['upper-case id', `thk_ABCDEF012345_${secret}`],
      ['id too short', `thk_abcdef01234_${secret}`],
      ['id too long', `thk_abcdef0123456_${secret}`],
      ['secret too short', `thk_${id}_${'A'.repeat(42)}`],
      ['secret too long', `thk_${id}_${'A'.repeat(44)}`],
      ['secret with a character outside base64url', `thk_${id}_${'A'.repeat(42)}+`],
      ['missing secret', `thk_${id}_`],
      ['a Bearer header instead of the key', `Bearer thk_${id}_${secret}`],
      ['whitespace inside the key', `thk_${id} _${secret}`],
    ])('rejects a malformed key: %s', (_label, key) => {
      expect(parseApiKey(key)).toBeUndefined();
    });

    it('accepts the well-formed key those cases were made from', () => {
      expect(parseApiKey(`thk_${id}_${secret}`)).toEqual({ id, secret });
    });
  });
});
