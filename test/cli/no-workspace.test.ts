import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/workspace.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

// The built CLI run in `cwd` as a newcomer would: no -C, no $ORCHESTRATE_ROOT.
function cliIn(
  cwd: string,
  args: string[],
  extra: NodeJS.ProcessEnv = {},
): { code: number | null; stdout: string; stderr: string } {
  const env = { ...process.env, ...extra };
  delete env.ORCHESTRATE_ROOT;
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, env, encoding: 'utf8', timeout: 30_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const COMMANDS = [
  ['start'],
  ['run', '--until-idle'],
  ['add', 'do something'],
  ['plan', 'plan.yaml'],
  ['status'],
  ['tasks'],
  ['show', 'x'],
  ['logs', 'x'],
  ['cancel', 'x'],
  ['retry', 'x'],
  ['wait', 'x'],
  ['agents'],
  ['clean'],
];

describe('a folder where `orchestrate init` never ran', () => {
  it.each(COMMANDS.map((args) => ({ args })))(
    '`$args.0` refuses, creates nothing and says to run init first',
    ({ args }) => {
      dir = mkdtempSync(join(tmpdir(), 'orchestrate-bare-'));
      const result = cliIn(dir, args);
      expect(result.stderr).toBe(
        `orchestrate: no orchestrator.yaml in ${dir} or any folder above it; run \`orchestrate init\` first\n`,
      );
      expect(result.code).toBe(1);
      expect(readdirSync(dir)).toEqual([]);
    },
  );

  it('-C names the folder and the fix names it too', () => {
    dir = mkdtempSync(join(tmpdir(), 'orchestrate-bare-'));
    const target = join(dir, 'my project');
    const result = cliIn(dir, ['-C', target, 'start']);
    expect(result.stderr).toBe(
      `orchestrate: no orchestrator.yaml in ${target}; run \`orchestrate -C '${target}' init\` first\n`,
    );
    expect(result.code).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('stop says no daemon runs, and doctor still checks the CLIs and names the missing config', () => {
    dir = mkdtempSync(join(tmpdir(), 'orchestrate-bare-'));
    expect(cliIn(dir, ['stop'])).toMatchObject({ code: 0, stdout: 'no daemon is running\n' });
    const doctor = cliIn(dir, ['doctor'], { PATH: '/usr/bin:/bin' });
    expect(doctor.stdout).toContain('Agent CLIs:');
    expect(doctor.stdout).toMatch(/problem +orchestrator\.yaml: not found; run `orchestrate init` first/);
    expect(doctor.code).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
    expect(cliIn(dir, ['init']).code).toBe(0);
    expect(cliIn(dir, ['status']).code).toBe(0);
  });
});
