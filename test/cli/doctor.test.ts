import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, FIXTURES, makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
afterEach(() => ws.cleanup());

// Only the fake claude of test/fixtures/bin (and the system's tools) are on the PATH.
const PATH = `${join(FIXTURES, 'bin')}:/usr/bin:/bin`;

describe('orchestrate doctor', () => {
  it('lists installed CLIs with versions, says how to install the others, and passes a config that can run', () => {
    ws = makeWorkspace('agents:\n  claude: { preset: claude }\n  shell: { preset: shell }\ndefaults: { agent: claude }\n');
    const result = cli(ws.root, ['doctor'], { env: { PATH } });
    expect(result.stdout).toMatch(/ok +claude 2\.1\.330 at .*test\/fixtures\/bin\/claude/);
    expect(result.stdout).toContain('missing  codex (install: npm install -g @openai/codex)');
    expect(result.stdout).toMatch(/ok +claude: runs .*fixtures\/bin\/claude/);
    expect(result.stdout).toContain('Everything configured can run.');
    expect(result.code).toBe(0);
  });

  it('fails naming each agent that cannot start, with its fix', () => {
    ws = makeWorkspace('agents:\n  codex: { preset: codex }\n  lint: { command: "no-such-linter --fix" }\n  docs: { preset: shell, cwd: nowhere }\ndefaults: { agent: codex }\n');
    const result = cli(ws.root, ['doctor', '--json'], { env: { PATH } });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.agents).toEqual([
      { name: 'codex', ok: false, detail: 'command not found: codex (install it with `npm install -g @openai/codex`, or fix agents.codex in orchestrator.yaml)' },
      { name: 'lint', ok: false, detail: 'command not found: no-such-linter (install it, or fix agents.lint in orchestrator.yaml)' },
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
    expect(noted.stdout).toMatch(/note +workspace: worktree needs a git repository: run git init \(only tasks with workspace: worktree need it\)/);
    expect(noted.code).toBe(0);
  });
});
