import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/core/duration.js';

describe('parseDuration', () => {
  it.each([
    ['30m', 1_800_000],
    ['1h30m', 5_400_000],
    ['1h 30m', 5_400_000],
    ['45s', 45_000],
    ['250ms', 250],
    ['90', 90_000],
    [90, 90_000],
    ['1.5s', 1500],
    ['2d', 172_800_000],
  ])('reads %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 'soon', '10 minutes', '-5s', '5x', 'm5'])('refuses %j', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );
  it('refuses negative and infinite numbers', () => {
    expect(parseDuration(-1)).toBeUndefined();
    expect(parseDuration(Infinity)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [340, '340ms'],
    [1500, '1.5s'],
    [12_000, '12s'],
    [65_000, '1m 5s'],
    [3_600_000, '1h'],
    [3_900_000, '1h 5m'],
  ])('writes %d as %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});
