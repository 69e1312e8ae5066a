import { describe, expect, it } from 'vitest';
import { controlSocketKind, unsupportedPlatform } from '../../src/core/platform.js';

describe('controlSocketKind', () => {
  it('is abstract on Linux, a file elsewhere, and a file on Linux when forced', () => {
    expect(controlSocketKind('linux', undefined)).toBe('abstract');
    expect(controlSocketKind('linux', 'file')).toBe('file');
    expect(controlSocketKind('darwin', undefined)).toBe('file');
    expect(controlSocketKind('freebsd', undefined)).toBe('file');
  });
});

describe('unsupportedPlatform', () => {
  it('sends native Windows to WSL2 in one line, and lets Linux and macOS run', () => {
    expect(unsupportedPlatform('win32')).toBe(
      'orchestrate does not run on Windows itself: run it under WSL2 (`wsl --install`, then install Node.js and orchestrate inside WSL)',
    );
    expect(unsupportedPlatform('linux')).toBeUndefined();
    expect(unsupportedPlatform('darwin')).toBeUndefined();
  });
});
