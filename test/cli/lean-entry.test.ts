// `orchestrate add` and `status` have lean paths in the entry point (no commander, no ES module
// loader): they must need nothing but dist/bin/ to run, and whatever the command line, say and
// write exactly what the full program (dist/cli.js, commander) says and writes.
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readAddArgv, readStatusArgv } from '../../src/cli/support/lean-argv.js';
import { BIN, cli, makeWorkspace, REPO, type Workspace } from '../helpers/workspace.js';

const PROGRAM = join(REPO, 'dist/cli.js');

const made: Workspace[] = [];
afterEach(() => {
  for (const ws of made.splice(0)) ws.cleanup();
});

function workspace(): Workspace {
  const ws = makeWorkspace();
  made.push(ws);
  return ws;
}

function run(script: string, args: string[], root: string) {
  const result = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', cwd: tmpdir(), timeout: 60_000 });
  const neutral = (text: string) => text.replaceAll(root, 'ROOT');
  // Each pending file, without the moment it was written.
  const pending = Object.fromEntries(
    readdirSync(join(root, 'tasks', 'pending')).map((name) => [
      name,
      readFileSync(join(root, 'tasks', 'pending', name), 'utf8').replace(/^created_at: .*$/m, 'created_at: -'),
    ]),
  );
  return { code: result.status, stdout: neutral(result.stdout), stderr: neutral(result.stderr), pending };
}

describe('the lean add path', () => {
  it('runs with nothing but dist/bin/: no chunk, no program', () => {
    const ws = workspace();
    const alone = mkdtempSync(join(tmpdir(), 'orchestrate-entry-'));
    try {
      mkdirSync(join(alone, 'bin'));
      for (const name of ['orchestrate.js', 'status.js', 'package.json'])
        copyFileSync(join(REPO, 'dist/bin', name), join(alone, 'bin', name));
      const entry = join(alone, 'bin/orchestrate.js');
      const added = run(entry, ['-C', ws.root, 'add', '--id', 'alone', '-p', 'high', 'hi'], ws.root);
      expect(added.stderr).toBe('note: no daemon is running; start one with `orchestrate -C ROOT start`\n');
      expect(added.code).toBe(0);
      expect(added.stdout).toBe('alone\n');
      expect(added.pending['alone.yaml']).toBe('description: hi\npriority: high\ncreated_at: -\n');
      const status = run(entry, ['-C', ws.root, 'status'], ws.root);
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toContain('tasks: 1 pending · 0 running · 0 completed · 0 failed');
    } finally {
      rmSync(alone, { recursive: true, force: true });
    }
  });

  it('status says what the full program says, as text and as JSON, with or without a daemon', async () => {
    const ws = workspace();
    // Tasks that wait whatever runs: a daemon leaves them as they are between the two runs.
    for (const args of [
      ['add', '--id', 'first', '--depends-on', 'ghost', 'one'],
      ['add', '--depends-on', 'first', 'two'],
      ['add', '--after', 'two', 'three'],
    ])
      expect(cli(ws.root, args).code).toBe(0);
    const same = () => {
      for (const args of [['status'], ['status', '--json'], ['--root', ws.root, 'status', '--json']]) {
        const lean = run(BIN, ['-C', ws.root, ...args], ws.root);
        const full = run(PROGRAM, ['-C', ws.root, ...args], ws.root);
        // Elapsed times and the daemon's uptime move between the two runs.
        const still = (text: string) => text.replace(/\d+(\.\d+)?(ms|s|m|h)\b|"(elapsed_ms|until)": [^,\n]+/g, 'T');
        expect({ ...lean, stdout: still(lean.stdout) }).toEqual({ ...full, stdout: still(full.stdout) });
      }
    };
    same();
    expect(cli(ws.root, ['start']).code).toBe(0);
    try {
      same();
    } finally {
      cli(ws.root, ['stop']);
    }
  });

  it('reads only the plain forms and leaves every other command line to commander', () => {
    expect(readAddArgv(['add', 'fix', 'it'])).toEqual({ root: undefined, words: ['fix', 'it'], options: {} });
    expect(
      readAddArgv(['-C', '/w', '--root=/x', 'submit', '-a', 'claude', '--max-retries=2', 'x', '--', '-q']),
    ).toEqual({ root: '/x', words: ['x', '-q'], options: { agent: 'claude', maxRetries: '2' } });
    for (const args of [
      [],
      ['status'],
      ['add', '--help'],
      ['add', '-h'],
      ['-V', 'add', 'x'],
      ['add', 'x', '--version'],
      ['add', 'x', '-C', '/w'],
      ['add', '--agnet', 'x'],
      ['add', '- x'],
      ['add', '--id'],
      ['add', '--id', '-x', 'y'],
      ['add', '-phigh', 'x'],
      ['-C'],
      ['-C', '-x', 'add'],
      ['-Cdir', 'add', 'x'],
      ['help', 'add'],
    ])
      expect(readAddArgv(args), args.join(' ')).toBeUndefined();
    expect(readStatusArgv(['status'])).toEqual({ root: undefined, json: false });
    expect(readStatusArgv(['--root', '/w', 'status', '--json'])).toEqual({ root: '/w', json: true });
    for (const args of [
      ['status', '--help'],
      ['status', '-h'],
      ['status', '--json', '--json'],
      ['status', 'x'],
      ['-V', 'status'],
      ['status', '-C', '/w'],
    ])
      expect(readStatusArgv(args), args.join(' ')).toBeUndefined();
  });

  const OPTIONS = [
    ['--id', 'same-id'],
    ['--id', 'Bad id'],
    ['-p', 'high'],
    ['--priority=urgent'],
    ['-t', '30m'],
    ['--timeout', 'soon'],
    ['--command', 'true'],
    ['--depends-on', 'a, b'],
    ['--after=c'],
    ['--max-retries', '2'],
    ['--max-retries', 'x'],
    ['-a', 'shell'],
    ['--agent', 'nope'],
    ['-l', 'src/**'],
    ['--locks=../out'],
    ['-w', 'worktree'],
    ['--workspace', 'elsewhere'],
    ['--merge', 'auto'],
    ['--base', 'main'],
    ['-r', 'tests'],
    ['--parent', 'nobody'],
    ['--when-failed', 'a,b'],
  ];
  // Mostly lines the lean path reads; now and then something it leaves to commander, anywhere in the line.
  const line = fc.record({
    root: fc.constantFrom(
      (root: string) => ['-C', root],
      (root: string) => ['--root', root],
      (root: string) => [`--root=${root}`],
    ),
    command: fc.constantFrom('add', 'submit'),
    options: fc.subarray(OPTIONS, { maxLength: 3 }),
    words: fc.array(fc.constantFrom('fix', 'the bug', 'add', '', 'x=y'), { maxLength: 3 }),
    odd: fc.option(
      fc.constantFrom(
        ['- x'],
        ['-q'],
        ['--agnet'],
        ['--help'],
        ['-h'],
        ['-V'],
        ['--', '-q'],
        ['--id'],
        ['-C', '/elsewhere'],
      ),
      { freq: 3 },
    ),
    at: fc.nat(),
  });

  it('says and writes what the full program does, for any command line', () => {
    fc.assert(
      fc.property(line, ({ root, command, options, words, odd, at }) => {
        const parts: (readonly string[])[] = [...options, ...words.map((word) => [word])];
        if (odd) parts.splice(at % (parts.length + 1), 0, odd);
        const lean = workspace();
        const full = workspace();
        const args = (ws: Workspace) => [...root(ws.root), command, ...parts.flat()];
        expect(run(BIN, args(lean), lean.root)).toEqual(run(PROGRAM, args(full), full.root));
      }),
      { numRuns: 40 },
    );
  });
});
