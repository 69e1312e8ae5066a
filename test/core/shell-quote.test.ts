import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shellCommand, shellQuote } from '../../src/core/shell-quote.js';

describe('shellQuote', () => {
  it('leaves plain words alone and single-quotes the rest', () => {
    expect(shellCommand(['mv', '-i', 'tasks/failed/x.yaml', 'tasks/pending/'])).toBe(
      'mv -i tasks/failed/x.yaml tasks/pending/',
    );
    expect(shellCommand(['cat', "it's a $HOME & *.yaml", ''])).toBe(`cat 'it'\\''s a $HOME & *.yaml' ''`);
  });

  it('gives /bin/sh back every word exactly as it was', () => {
    // Any text a file name can hold: no NUL, valid UTF-8; shell syntax of every kind among it.
    const word = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 20 }),
      fc.string({ unit: fc.constantFrom(...' \'"\\$`!*?[]{}()<>|&;#~=%\n\t'.split('')), maxLength: 10 }),
    );
    const words = fc.sample(
      word.filter((text) => !text.includes('\0') && Buffer.from(text).toString() === text),
      500,
    );
    const script = words.map((text) => `printf '%s\\0' ${shellQuote(text)}`).join('\n');
    const result = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\0').slice(0, -1)).toEqual(words);
  });
});
