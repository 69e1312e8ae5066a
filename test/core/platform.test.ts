import { describe, expect, it } from 'vitest';
import { controlSocketKind } from '../../src/core/platform.js';

describe('controlSocketKind', () => {
  it('is abstract on Linux, a file elsewhere, and a file on Linux when forced', () => {
    expect(controlSocketKind('linux', undefined)).toBe('abstract');
    expect(controlSocketKind('linux', 'file')).toBe('file');
    expect(controlSocketKind('darwin', undefined)).toBe('file');
    expect(controlSocketKind('freebsd', undefined)).toBe('file');
  });
});
