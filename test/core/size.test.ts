import { describe, expect, it } from 'vitest';
import { formatSize, parseSize } from '../../src/core/size.js';

describe('sizes', () => {
  it('reads bytes, KB, MB and GB (powers of 1024), and refuses anything else', () => {
    expect(parseSize('256MB')).toBe(256 * 1024 ** 2);
    expect(parseSize('1.5 gb')).toBe(1.5 * 1024 ** 3);
    expect(parseSize('64k')).toBe(65_536);
    expect(parseSize(1000)).toBe(1000);
    expect(parseSize('0')).toBe(0);
    for (const bad of ['lots', '-1MB', '1TB', '', 'MB']) expect(parseSize(bad), bad).toBeUndefined();
    expect(parseSize(-5)).toBeUndefined();
  });

  it('says a size in the largest unit that keeps it readable', () => {
    expect(formatSize(256 * 1024 ** 2)).toBe('256 MB');
    expect(formatSize(1.5 * 1024 ** 3)).toBe('1.5 GB');
    expect(formatSize(65_536)).toBe('64 KB');
    expect(formatSize(512)).toBe('512 B');
  });
});
