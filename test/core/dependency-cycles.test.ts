import { describe, expect, it } from 'vitest';
import { findCycles } from '../../src/core/dependency-cycles.js';

describe('findCycles', () => {
  it('finds two-task cycles and self-dependencies, and nothing else', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['a']],
      ['self', ['self']],
      ['chain', ['a']],
      ['free', ['done-elsewhere']],
    ]);
    const cycles = findCycles(graph);
    expect([...cycles.keys()].sort()).toEqual(['a', 'b', 'self']);
    expect(cycles.get('a')).toBe('a -> b -> a');
    expect(cycles.get('self')).toBe('self -> self');
  });

  it('handles long chains without cycles', () => {
    const graph = new Map(Array.from({ length: 5000 }, (_, i) => [`t${i}`, i === 0 ? [] : [`t${i - 1}`]]));
    expect(findCycles(graph).size).toBe(0);
  });
});
