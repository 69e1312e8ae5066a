import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/core/config-schema.js';
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

  it('takes max_output in defaults and per agent, 256 MB unless set; a bad one is a config problem', () => {
    const ok = validateConfig({ agents: { a: { preset: 'shell', max_output: '1GB' } } }, ['shell']);
    expect(ok.ok && ok.config.defaults.maxOutputBytes).toBe(256 * 1024 ** 2);
    expect(ok.ok && ok.config.agents.a!.maxOutputBytes).toBe(1024 ** 3);
    expect(validateConfig({ defaults: { max_output: 'lots' } }, ['shell'])).toMatchObject({ ok: false, problems: [{ path: 'defaults.max_output', message: 'must be a size such as 256MB, 1GB or a number of bytes (0: no limit)' }] });
  });

  it('suggests the preset meant by a misspelt one', () => {
    expect(validateConfig({ agents: { a: { preset: 'claud' } } }, ['shell', 'claude'])).toMatchObject({ ok: false, problems: [{ path: 'agents.a.preset', message: 'unknown preset "claud" (did you mean "claude"? known: shell, claude)' }] });
  });
});
