import { describe, expect, it } from 'vitest';
import { splitCommandLine } from '../../src/core/argv.js';

describe('splitCommandLine', () => {
  it.each([
    ['npm run lint', ['npm', 'run', 'lint']],
    [`agent --msg 'two words' "say \\"hi\\""`, ['agent', '--msg', 'two words', 'say "hi"']],
    ['a\\ b c', ['a b', 'c']],
    [`x '' y`, ['x', '', 'y']],
    ['my-agent {prompt}', ['my-agent', '{prompt}']],
  ])('splits %s', (line, argv) => expect(splitCommandLine(line)).toEqual({ ok: true, argv }));

  it.each(['a | b', 'a && b', 'a; b', 'a > f', 'echo $(id)', 'echo `id`'])('refuses shell syntax in %s', (line) => {
    const result = splitCommandLine(line);
    expect(result.ok).toBe(false);
  });

  it('refuses unclosed quotes and empty commands', () => {
    expect(splitCommandLine(`a 'b`)).toMatchObject({ ok: false, problem: expect.stringMatching(/unclosed/) });
    expect(splitCommandLine('   ')).toMatchObject({ ok: false });
  });
});
