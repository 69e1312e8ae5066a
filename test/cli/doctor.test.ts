import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, FIXTURES, makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
afterEach(() => ws.cleanup());

// Only the fake claude of test/fixtures/bin (and the system's tools) are on the PATH.
const PATH = `${join(FIXTURES, 'bin')}:/usr/bin:/bin`;
// Node (which the fake claude runs on) and the system's tools, without the fake CLIs.
const SYSTEM_PATH = `${dirname(process.execPath)}:/usr/bin:/bin`;
const claudeIn = (report: { clis: { name: string }[] }) => report.clis.filter((check) => check.name === 'claude');

describe('orchestrate doctor', () => {
  it('lists installed CLIs with versions, says how to install the others, and passes a config that can run', () => {
    ws = makeWorkspace(
      'agents:\n  claude: { preset: claude }\n  shell: { preset: shell }\ndefaults: { agent: claude }\n',
    );
    const result = cli(ws.root, ['doctor'], { env: { PATH } });
    expect(result.stdout).toMatch(/ok +claude 2\.1\.330 at .*test\/fixtures\/bin\/claude/);
    expect(result.stdout).toContain('missing  codex (install: npm install -g @openai/codex)');
    expect(result.stdout).toMatch(/ok +claude: runs .*fixtures\/bin\/claude/);
    expect(result.stdout).toContain('Everything configured can run.');
    expect(result.code).toBe(0);
  });

  it('fails naming each agent that cannot start, with its fix', () => {
    ws = makeWorkspace(
      'agents:\n  codex: { preset: codex }\n  lint: { command: "no-such-linter --fix" }\n  docs: { preset: shell, cwd: nowhere }\ndefaults: { agent: codex }\n',
    );
    const result = cli(ws.root, ['doctor', '--json'], { env: { PATH } });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.agents).toEqual([
      {
        name: 'codex',
        ok: false,
        detail:
          'command not found: codex (install it with `npm install -g @openai/codex`, or give its path as agents.codex.bin in orchestrator.yaml)',
      },
      {
        name: 'lint',
        ok: false,
        detail: 'command not found: no-such-linter (install it, or fix agents.lint in orchestrator.yaml)',
      },
      { name: 'docs', ok: false, detail: 'its cwd nowhere does not exist (create it, or fix agents.docs.cwd)' },
    ]);
  });

  it('reports every problem of orchestrator.yaml with its fix', () => {
    ws = makeWorkspace('max_concurent: 2\nagents:\n  a: { preset: claud }\n');
    const result = cli(ws.root, ['doctor'], { env: { PATH } });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/problem +orchestrator\.yaml: max_concurent: .*max_concurrent/);
    expect(result.stdout).toMatch(/problem +orchestrator\.yaml: agents\.a\.preset: unknown preset "claud"/);
  });

  it('says which process table answers: linux from /proc, posix from ps when ORCHESTRATE_PROCESS_TABLE forces it', () => {
    ws = makeWorkspace('agents:\n  shell: { preset: shell }\ndefaults: { agent: shell }\n');
    const doctor = (forced: string) => cli(ws.root, ['doctor'], { env: { PATH, ORCHESTRATE_PROCESS_TABLE: forced } });
    expect(doctor('').stdout).toContain('Processes:\n  ok       linux (/proc), because /proc/self/stat can be read\n');
    const posix = doctor('posix');
    expect(posix.stdout).toContain(
      '  ok       posix (ps, with environments; lsof for files open for writing), because ORCHESTRATE_PROCESS_TABLE=posix\n',
    );
    expect(posix.code).toBe(0);
    const wrong = doctor('bsd');
    expect(wrong.stdout).toContain(
      '  problem  linux (/proc), because /proc/self/stat can be read; ORCHESTRATE_PROCESS_TABLE=bsd is not a process table (set it to linux or posix, or unset it)\n',
    );
    expect(wrong.code).toBe(1);
  });

  it('checks that worktrees can be made: a problem when they are the default, a note otherwise', () => {
    ws = makeWorkspace('agents:\n  shell: { preset: shell }\ndefaults: { agent: shell, workspace: worktree }\n');
    const failing = cli(ws.root, ['doctor'], { env: { PATH } });
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/problem +workspace: worktree needs a git repository: run git init/);
    spawnSync('git', ['init', '-q'], { cwd: ws.root });
    const fixed = cli(ws.root, ['doctor', '--json'], { env: { PATH } });
    expect(JSON.parse(fixed.stdout).worktrees).toMatchObject({ ok: true, needed: true });
    expect(fixed.code).toBe(0);
    ws.cleanup();
    ws = makeWorkspace('agents:\n  shell: { preset: shell }\n');
    const noted = cli(ws.root, ['doctor'], { env: { PATH } });
    expect(noted.stdout).toMatch(
      /note +workspace: worktree needs a git repository: run git init \(only tasks with workspace: worktree need it\)/,
    );
    expect(noted.code).toBe(0);
  });

  it('finds a CLI on no PATH through bin: (from .env) in every section, as the daemon will', () => {
    ws = makeWorkspace('agents:\n  claude: { preset: claude, bin: "${FAKE_CLIS}/claude" }\n');
    writeFileSync(join(ws.root, '.env'), `FAKE_CLIS=${join(FIXTURES, 'off-path')}\nnot a line\n`);
    const result = cli(ws.root, ['doctor', '--json'], { env: { PATH: '/usr/bin:/bin' } });
    const report = JSON.parse(result.stdout);
    const fake = join(FIXTURES, 'off-path', 'claude');
    expect(claudeIn(report)).toEqual([
      {
        name: 'claude',
        path: fake,
        version: '9.9.9',
        install: 'npm install -g @anthropic-ai/claude-code',
        agents: ['claude'],
      },
    ]);
    expect(report.agents).toEqual([{ name: 'claude', ok: true, detail: `runs ${fake}` }]);
    expect(report.warnings).toEqual([
      '.env:2: not a NAME=value line (write NAME=value; lines starting with # are comments); this line is ignored',
    ]);
    expect(result.code).toBe(0);
  });

  it.each([
    ["only on the PATH the agent's env: puts first", `${join(FIXTURES, 'bin')}:\${PATH}`, SYSTEM_PATH],
    [
      "on the daemon's PATH, which the agent's env: extends",
      '/opt/nothing-here:$PATH',
      `${join(FIXTURES, 'bin')}:${SYSTEM_PATH}`,
    ],
  ])('agrees in every section on a CLI %s', (_, agentPath, daemonPath) => {
    ws = makeWorkspace(`agents:\n  claude: { preset: claude, env: { PATH: "${agentPath}" } }\n`);
    const result = cli(ws.root, ['doctor', '--json'], { env: { PATH: daemonPath } });
    const report = JSON.parse(result.stdout);
    const fake = join(FIXTURES, 'bin', 'claude');
    expect(claudeIn(report)).toEqual([
      {
        name: 'claude',
        path: fake,
        version: '2.1.330',
        install: 'npm install -g @anthropic-ai/claude-code',
        agents: ['claude'],
      },
    ]);
    expect(report.agents).toEqual([{ name: 'claude', ok: true, detail: `runs ${fake}` }]);
    expect(result.code).toBe(0);
  });
});
