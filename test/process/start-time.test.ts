// Recorded start times of either table: each reads both kinds, so a switch of table keeps a live
// process alive and a recycled pid recycled.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseStartRecord, sameStartSeconds, secondsRecord, startSeconds } from '../../src/process/start-time.js';

describe('start records', () => {
  it('reads clock ticks (linux) and @seconds (posix), and nothing else', () => {
    expect(parseStartRecord('123456')).toEqual({ kind: 'ticks', ticks: 123456 });
    expect(parseStartRecord(secondsRecord(1796697475))).toEqual({ kind: 'seconds', seconds: 1796697475 });
    for (const text of ['', '@', '@-1', '12a', 'Tue Dec  8 02:37:53 2026'])
      expect(parseStartRecord(text)).toBeUndefined();
  });

  it('converts ticks to seconds the way ps computes lstart (boot + ticks / 100), and only with a boot time', () => {
    expect(startSeconds({ kind: 'ticks', ticks: 1_131_887 }, 1_796_686_156)).toBe(1_796_686_156 + 11_318);
    expect(startSeconds({ kind: 'ticks', ticks: 5 }, undefined)).toBeUndefined();
    expect(startSeconds({ kind: 'seconds', seconds: 7 }, undefined)).toBe(7);
  });

  it('takes starts a second apart for one, and further apart for two processes', () => {
    fc.assert(fc.property(fc.nat(), fc.integer({ min: -1, max: 1 }), (a, d) => sameStartSeconds(a, a + d)));
    fc.assert(
      fc.property(
        fc.nat(),
        fc.integer({ min: 2, max: 1_000_000 }),
        (a, d) => !sameStartSeconds(a, a + d) && !sameStartSeconds(a + d, a),
      ),
    );
  });
});
