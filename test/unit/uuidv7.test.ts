import { beforeEach, describe, expect, it, vi } from 'vitest';
import type * as UuidV7 from '../../src/ids/uuidv7.js';

type UuidModule = typeof UuidV7;
let ids: UuidModule;

// uuidv7() keeps its last timestamp and counter in module state; each test gets a fresh module so
// that one test's timestamps cannot influence another's.
beforeEach(async () => {
  vi.resetModules();
  ids = await import('../../src/ids/uuidv7.js');
});

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('UUIDv7 ledger ids', () => {
  describe('format', () => {
    it('is a lower-case 8-4-4-4-12 UUID with version 7 and the RFC 9562 variant (10xx)', () => {
      for (let i = 0; i < 200; i++) {
        const id = ids.uuidv7();
        expect(id).toMatch(V7);
        expect(ids.isUuid(id)).toBe(true);
      }
    });

    it('starts with the 48-bit Unix millisecond timestamp, big-endian', () => {
      const at = Date.UTC(2025, 2, 1, 10, 15, 0, 123);
      const id = ids.uuidv7(at);
      expect(id.replace(/-/g, '').slice(0, 12)).toBe(at.toString(16).padStart(12, '0'));
    });
  });

  describe('creation time', () => {
    it('uuidv7Time gives back the millisecond the id was created in', () => {
      const at = Date.UTC(2025, 2, 1, 10, 15, 0, 123);
      expect(ids.uuidv7Time(ids.uuidv7(at)).getTime()).toBe(at);
    });

    it('round-trips the current time', () => {
      const before = Date.now();
      const t = ids.uuidv7Time(ids.uuidv7()).getTime();
      expect(t).toBeGreaterThanOrEqual(before);
      expect(t).toBeLessThanOrEqual(Date.now());
    });
  });

  describe('ordering', () => {
    it('sorts 10,000 ids generated as fast as possible in generation order, with no duplicates', () => {
      const generated = Array.from({ length: 10_000 }, () => ids.uuidv7());
      expect([...generated].sort()).toEqual(generated);
      expect(new Set(generated).size).toBe(generated.length);
    });

    it('stays ordered when far more than 4,096 ids (the 12-bit counter) share one millisecond', () => {
      const at = Date.UTC(2025, 0, 1);
      const generated = Array.from({ length: 10_000 }, () => ids.uuidv7(at));
      expect([...generated].sort()).toEqual(generated);
      expect(new Set(generated).size).toBe(generated.length);
      // Overflowing the counter borrows the next milliseconds rather than wrapping around.
      expect(ids.uuidv7Time(generated.at(-1)!).getTime()).toBe(at + 2);
    });

    it('stays ordered when the clock goes backwards', () => {
      const at = Date.UTC(2025, 0, 1, 12);
      const first = ids.uuidv7(at);
      const second = ids.uuidv7(at - 60_000);
      expect(second > first).toBe(true);
    });

    it('orders ids from later milliseconds after earlier ones', () => {
      const a = ids.uuidv7(Date.UTC(2025, 0, 1, 0, 0, 0, 1));
      const b = ids.uuidv7(Date.UTC(2025, 0, 1, 0, 0, 0, 2));
      expect(a < b).toBe(true);
    });
  });
});

describe('isUuid', () => {
  it('accepts any-version UUIDs in either case and refuses other strings', () => {
    expect(ids.isUuid('123E4567-E89B-12D3-A456-426614174000')).toBe(true);
    expect(ids.isUuid('123e4567e89b12d3a456426614174000')).toBe(false);
    expect(ids.isUuid('123e4567-e89b-12d3-a456-42661417400')).toBe(false);
    expect(ids.isUuid(' 123e4567-e89b-12d3-a456-426614174000')).toBe(false);
    expect(ids.isUuid('g23e4567-e89b-12d3-a456-426614174000')).toBe(false);
  });
});

describe('derived (deterministic) UUIDs', () => {
  it('gives the same id for the same parts, every time', () => {
    expect(ids.derivedUuid('outbox', 'ledger-1', 'receipt')).toBe(ids.derivedUuid('outbox', 'ledger-1', 'receipt'));
  });

  it('gives the same id across fresh module instances (no hidden state)', async () => {
    const first = ids.derivedUuid('outbox', 'ledger-1');
    vi.resetModules();
    const again = (await import('../../src/ids/uuidv7.js')) as UuidModule;
    expect(again.derivedUuid('outbox', 'ledger-1')).toBe(first);
  });

  it('gives different ids for different parts, including the same text split differently or reordered', () => {
    const variants = [
      ids.derivedUuid('outbox', 'ledger-1', 'a'),
      ids.derivedUuid('outbox', 'ledger-1', 'b'),
      ids.derivedUuid('outbox', 'ledger-2', 'a'),
      ids.derivedUuid('outboxledger-1', 'a'),
      ids.derivedUuid('ledger-1', 'outbox', 'a'),
      ids.derivedUuid('outbox', 'ledger-1a'),
    ];
    expect(new Set(variants).size).toBe(variants.length);
  });

  it('is a version 8 UUID with the RFC 9562 variant', () => {
    for (let i = 0; i < 100; i++) expect(ids.derivedUuid('x', String(i))).toMatch(V8);
  });
});
