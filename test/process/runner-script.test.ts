import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { quoteWord } from '../../src/core/shell-quote.js';
import { RUNNER_SCRIPT, runnerCommand, type SpawnRequest } from '../../src/process/runner-script.js';
import { FIXTURES } from '../helpers/workspace.js';

const ARGV_AGENT = join(FIXTURES, 'argv-agent.sh');
const dir = mkdtempSync(join(tmpdir(), 'orchestrate-runner-script-'));
const runs = join(dir, 'runs');
const cwd = join(dir, 'cwd');
mkdirSync(cwd, { recursive: true });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let attempt = 0;

// One run on a real runner shell, as the daemon asks for it: what it wrote to the run's stdout,
// the exit status it recorded, and what it said.
function runOnRunner(launch: SpawnRequest['launch']): { stdout: Buffer; exit: string; replies: string } {
  const number = ++attempt;
  const runDir = join(runs, 'task', String(number));
  mkdirSync(runDir, { recursive: true });
  const result = spawnSync('/bin/sh', ['-c', RUNNER_SCRIPT], {
    input: `task ${number} ${runnerCommand(launch)}\n`,
    env: { ...process.env, ORCHESTRATE_RUNNER: runs },
    cwd,
  });
  return {
    stdout: readFileSync(join(runDir, 'stdout')),
    exit: readFileSync(join(runDir, 'exit'), 'utf8'),
    replies: result.stdout.toString(),
  };
}

const argvOf = (stdout: Buffer) => stdout.toString('utf8').split('\0').slice(0, -1);

// Characters a shell would give a meaning to, outside single quotes.
const shellish = fc.constantFrom(
  ...["'", '"', '$', '`', '\\', '\n', '\r', '\t', ' ', '*', '?', '[', ']', '(', ')', '{', '}', '!', '#'],
  ...[';', '&', '|', '<', '>', '~', '=', '-', '%', '$(', '${', "'\\''", '\'"$nl"\'', 'é', '💥'],
);
const text = fc
  .array(fc.oneof(shellish, fc.string({ unit: 'grapheme', maxLength: 6 })), { maxLength: 12 })
  .map((parts) => parts.join(''));

describe('a runner shell', () => {
  it('hands an argv agent its words exactly, whatever characters they hold', () => {
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 5 }), (words) => {
        const run = runOnRunner({ kind: 'exec', argv: [ARGV_AGENT, ...words] });
        expect(argvOf(run.stdout)).toEqual(words);
        expect(run).toMatchObject({ exit: '0\n', replies: 'started\nexit 0\n' });
      }),
      { numRuns: 100 },
    );
  });

  it('passes a prompt full of substitutions, quotes, newlines and globs byte for byte, running none of it', () => {
    const prompt = "Fix $(touch pwned) and `touch pwned2`; it's \"done\" *\n  line two: $HOME ${PATH} \\n '\\''\n";
    const words = [prompt, '-p', 'a=b', 'if', '!', ''];
    expect(argvOf(runOnRunner({ kind: 'exec', argv: [ARGV_AGENT, ...words] }).stdout)).toEqual(words);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("runs a shell task's script as written, over several lines, with its exit status", () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 0, max: 255 }), (value, status) => {
        const script = `printf '%s' ${quoteWord(value)}\nprintf '|%s' "$ORCHESTRATE_ATTEMPT"\nexit ${status}\n`;
        const run = runOnRunner({ kind: 'shell', script });
        expect(run.stdout.toString('utf8')).toBe(`${value}|${attempt}`);
        expect(run).toMatchObject({ exit: `${status}\n`, replies: `started\nexit ${status}\n` });
      }),
      { numRuns: 50 },
    );
  });

  it('refuses a word or a script with a NUL byte, which no program can receive', () => {
    expect(() => runnerCommand({ kind: 'exec', argv: ['agent', 'a\0b'] })).toThrow(
      'argument 1 of its command line holds a NUL byte',
    );
    expect(() => runnerCommand({ kind: 'shell', script: 'echo a\0b' })).toThrow('its script holds a NUL byte');
  });
});
