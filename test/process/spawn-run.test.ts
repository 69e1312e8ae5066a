import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { runnerCommand } from '../../src/process/spawn-run.js';
import { FIXTURES } from '../helpers/workspace.js';

const ARGV_AGENT = join(FIXTURES, 'argv-agent.sh');
const dir = mkdtempSync(join(tmpdir(), 'orchestrate-runner-command-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// What a program started from the command file receives, as a runner shell sources it (`. file`).
function argvThroughShell(words: string[]): string[] {
  const file = join(dir, 'command');
  writeFileSync(file, runnerCommand({ kind: 'exec', argv: [ARGV_AGENT, ...words] }));
  const result = spawnSync('/bin/sh', ['-c', '. "$1"', 'runner', file], { input: '', cwd: dir });
  expect(result.status, result.stderr.toString()).toBe(0);
  return result.stdout.toString('utf8').split('\0').slice(0, -1);
}

// Characters a shell would give a meaning to, outside single quotes.
const shellish = fc.constantFrom(
  ...["'", '"', '$', '`', '\\', '\n', '\r', '\t', ' ', '*', '?', '[', ']', '(', ')', '{', '}', '!', '#'],
  ...[';', '&', '|', '<', '>', '~', '=', '-', '%', '$(', '${', "'\\''", 'é', '💥'],
);
const word = fc
  .array(fc.oneof(shellish, fc.string({ unit: 'grapheme', maxLength: 6 })), { maxLength: 12 })
  .map((parts) => parts.join(''));

describe("a runner shell's command file", () => {
  it('hands an argv agent its words exactly, whatever characters they hold', () => {
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 5 }), (words) => {
        expect(argvThroughShell(words)).toEqual(words);
      }),
      { numRuns: 150 },
    );
  });

  it('passes a prompt full of substitutions, quotes, newlines and globs byte for byte, running none of it', () => {
    const prompt = "Fix $(touch pwned) and `touch pwned2`; it's \"done\" *\n  line two: $HOME ${PATH} \\n '\\''\n";
    expect(argvThroughShell([prompt, '-p', 'a=b', 'if', '!'])).toEqual([prompt, '-p', 'a=b', 'if', '!']);
    expect(spawnSync('ls', [dir], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean)).toEqual(['command']);
  });

  it("keeps a shell task's script as it is", () => {
    expect(runnerCommand({ kind: 'shell', script: 'echo "$HOME" | wc -c\n' })).toBe('echo "$HOME" | wc -c\n');
  });

  it('refuses a word with a NUL byte, which no program can receive', () => {
    expect(() => runnerCommand({ kind: 'exec', argv: ['agent', 'a\0b'] })).toThrow(
      'argument 1 of its command line holds a NUL byte',
    );
  });
});
