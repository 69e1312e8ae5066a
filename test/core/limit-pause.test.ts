import { describe, expect, it } from 'vitest';
import { limitPauseUntil } from '../../src/core/limit-pause.js';

const now = Date.parse('2026-12-04T12:00:00Z');
const minute = 60_000;

describe('limitPauseUntil', () => {
  it('waits for a named reset the first time, however near or far', () => {
    expect(limitPauseUntil({ now, resetAtMs: now + 1000, streak: 1, backoffMs: minute })).toBe(now + 1000);
    expect(limitPauseUntil({ now, resetAtMs: now + 5 * 3600_000, streak: 1, backoffMs: minute })).toBe(
      now + 5 * 3600_000,
    );
  });

  it('without a reset time, backs off from limit_backoff, doubling with each limit in a row, up to 32 times', () => {
    expect(
      [1, 2, 3, 7, 20].map(
        (streak) => (limitPauseUntil({ now, resetAtMs: undefined, streak, backoffMs: minute }) - now) / minute,
      ),
    ).toEqual([1, 2, 4, 32, 32]);
    expect(limitPauseUntil({ now, resetAtMs: now - 5000, streak: 1, backoffMs: minute })).toBe(now + minute);
  });

  it('from the second limit in a row, a reset named seconds away no longer relaunches the agent every few seconds', () => {
    const pauses = [1, 2, 3, 4].map(
      (streak) => limitPauseUntil({ now, resetAtMs: now + 41_000, streak, backoffMs: minute }) - now,
    );
    expect(pauses).toEqual([41_000, minute, 2 * minute, 4 * minute]);
    // A named reset further away than the backoff still wins.
    expect(limitPauseUntil({ now, resetAtMs: now + 3600_000, streak: 3, backoffMs: minute })).toBe(now + 3600_000);
  });
});
