// The commands the CLI suggests in its messages work when pasted into /bin/sh, where the person is:
// paths with spaces and quotes are quoted, and `-C <workspace>` is added when they are elsewhere.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, idsIn } from '../helpers/workspace.js';

let base: string | undefined;
afterEach(() => {
  if (base) rmSync(base, { recursive: true, force: true });
  base = undefined;
});

// A temp folder with a space and a quote in its path, and an `orchestrate` on PATH running the built CLI.
function setUp(): { dir: string; env: NodeJS.ProcessEnv } {
  base = mkdtempSync(join(tmpdir(), "orchestrate hints' "));
  const bin = join(base, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'orchestrate'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`);
  chmodSync(join(bin, 'orchestrate'), 0o755);
  return { dir: base, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, ORCHESTRATE_ROOT: '' } };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

// The CLI run directly (argv, no shell), as the person first ran it.
function orchestrate(args: string[], cwd: string, env: NodeJS.ProcessEnv): Run {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, env, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

// A suggested command pasted into /bin/sh.
function paste(command: string, cwd: string, env: NodeJS.ProcessEnv): Run {
  const result = spawnSync('/bin/sh', ['-c', command], {
    cwd,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

// The command a message suggests, between backticks.
function suggested(message: string): string {
  const match = /`(orchestrate [^`]*)`/.exec(message);
  expect(match, message).not.toBeNull();
  return match![1]!;
}

describe('commands suggested by the CLI', () => {
  it('init and show, from another folder, for a workspace whose path has a space', () => {
    const { dir, env } = setUp();
    const workspace = join(dir, 'my workspace');
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    const refused = orchestrate(['-C', workspace, 'add', 'do something'], elsewhere, env);
    expect(refused.code).toBe(1);
    expect(suggested(refused.stderr)).toBe(`orchestrate -C '${workspace.replaceAll("'", "'\\''")}' init`);
    expect(paste(suggested(refused.stderr), elsewhere, env).code).toBe(0);
    expect(existsSync(join(workspace, 'tasks/pending'))).toBe(true);
    expect(existsSync(join(elsewhere, 'tasks'))).toBe(false);

    const added = orchestrate(['-C', workspace, 'add', '--id', 'once', 'the first'], elsewhere, env);
    expect(added.code).toBe(0);
    // The note that no daemon runs names the start command for that workspace, from here.
    expect(suggested(added.stderr)).toBe(`orchestrate -C '${workspace.replaceAll("'", "'\\''")}' start`);
    expect(paste(suggested(added.stderr), elsewhere, env)).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('daemon started'),
    });
    expect(orchestrate(['-C', workspace, 'stop'], elsewhere, env).code).toBe(0);
    const taken = orchestrate(['-C', workspace, 'add', '--id', 'once', 'the second'], elsewhere, env);
    expect(taken.code).toBe(1);
    expect(paste(suggested(taken.stderr), elsewhere, env)).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('the first'),
    });
  });

  it('plan for a file given to add --file, and add --file for a file given to plan', () => {
    const { dir, env } = setUp();
    const workspace = join(dir, 'ws');
    mkdirSync(workspace);
    expect(orchestrate(['init'], workspace, env).code).toBe(0);
    writeFileSync(join(dir, "the $plan's file.yaml"), 'name: night\ntasks:\n  - name: one\n    description: first\n');
    writeFileSync(join(dir, 'a task & more.yaml'), 'description: just one\n');

    const notATask = orchestrate(['-C', 'ws', 'add', '--file', "the $plan's file.yaml"], dir, env);
    expect(notATask.code).toBe(1);
    expect(suggested(notATask.stderr)).toBe(
      `orchestrate -C '${workspace.replaceAll("'", "'\\''")}' plan 'the $plan'\\''s file.yaml'`,
    );
    expect(paste(suggested(notATask.stderr), dir, env)).toMatchObject({ code: 0, stdout: 'night.one\n' });

    const notAPlan = orchestrate(['plan', '../a task & more.yaml'], workspace, env);
    expect(notAPlan.code).toBe(1);
    expect(suggested(notAPlan.stderr)).toBe(`orchestrate add --file '../a task & more.yaml'`);
    expect(paste(suggested(notAPlan.stderr), workspace, env).code).toBe(0);
    expect(idsIn(workspace, 'pending')).toEqual(['a-task-more', 'night.one']);
  });
});
