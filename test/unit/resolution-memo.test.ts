import { describe, expect, it } from 'vitest';
import type { Resolution } from '../../src/reference/reference-catalogue.js';
import { memoiseResolution } from '../../src/reference/resolution-memo.js';

describe('memoised reference resolution', () => {
  const counting = () => {
    const calls: string[] = [];
    const resolve = (text: string): Resolution => {
      calls.push(text);
      return text === 'Colt' ? { input: text, status: 'ambiguous', candidates: ['colt-us', 'colt-canada'] } : { input: text, status: 'mapped', id: text.toLowerCase(), via: 'name' };
    };
    return { calls, resolve };
  };

  it('resolves each text once and gives the same answer after', () => {
    const { calls, resolve } = counting();
    const memo = memoiseResolution(resolve);
    const first = memo('Glock');
    expect(memo('Glock')).toBe(first);
    expect(memo('glock')).toEqual({ input: 'glock', status: 'mapped', id: 'glock', via: 'name' });
    expect(calls).toEqual(['Glock', 'glock']);
  });

  it('hands out frozen answers, so one caller cannot change another\'s', () => {
    const memo = memoiseResolution(counting().resolve);
    const colt = memo('Colt');
    expect(Object.isFrozen(colt)).toBe(true);
    expect(() => (colt as { candidates: string[] }).candidates.push('another')).toThrow(TypeError);
    expect(memo('Colt')).toEqual({ input: 'Colt', status: 'ambiguous', candidates: ['colt-us', 'colt-canada'] });
  });

  it('stays bounded: when full it starts again rather than grow', () => {
    const { calls, resolve } = counting();
    const memo = memoiseResolution(resolve, 2);
    memo('A');
    memo('B');
    memo('C'); // full: emptied, then C kept
    memo('A');
    expect(calls).toEqual(['A', 'B', 'C', 'A']);
  });
});
