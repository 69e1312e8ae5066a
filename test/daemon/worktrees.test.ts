import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { gitIn, repoWorkspace, worktreeConfig } from '../helpers/git-repo.js';
import { ensureWorkspace, layoutOf } from '../../src/index.js';
import { agentProcesses, cliAsync } from '../helpers/faults.js';
import { daemonTest, dropTask, inProcessDaemon, makeWorkspace, waitFor } from '../helpers/workspace.js';

// No global or system git config: the daemon's commits must work on a machine without an identity.
const emptyConfig = join(tmpdir(), `orchestrate-empty-gitconfig-${process.pid}`);
writeFileSync(emptyConfig, '');
process.env.GIT_CONFIG_GLOBAL = emptyConfig;
process.env.GIT_CONFIG_NOSYSTEM = '1';

const t = daemonTest();

const task = (root: string, state: string, id: string) =>
  parse(readFileSync(join(root, 'tasks', state, `${id}.yaml`), 'utf8'));
const read = (root: string, file: string) => readFileSync(join(root, file), 'utf8');

async function runUntilIdle(root: string): Promise<void> {
  t.daemon = inProcessDaemon(root, { untilIdle: true });
  await t.daemon.done;
}

describe('workspace: worktree', () => {
  it("runs the agent in its own worktree, commits with trailers and merges into the base without touching a person's changes", async () => {
    t.ws = repoWorkspace();
    const { root } = t.ws;
    writeFileSync(join(root, 'notes.txt'), 'person\n');
    gitIn(root, 'add', 'notes.txt');
    gitIn(root, 'commit', '--quiet', '-m', 'notes');
    // A person's uncommitted work in the main checkout: a modified file and an untracked one.
    writeFileSync(join(root, 'notes.txt'), 'person, not committed yet\n');
    writeFileSync(join(root, 'scratch.txt'), 'untracked\n');
    dropTask(
      root,
      'login',
      'description: Add the login page\ncommand: echo changed > a.txt && mkdir -p src && echo page > src/login.txt && pwd > where.txt && echo "$ORCHESTRATE_ROOT" > root.txt\n',
    );
    await runUntilIdle(root);
    const done = task(root, 'completed', 'login');
    expect(done.result).toMatchObject({
      outcome: 'success',
      branch: 'orchestrate/login',
      worktree: '.orchestrate/worktrees/login',
      merge: 'merged',
    });
    expect([...done.result.files_modified].sort()).toEqual(['a.txt', 'root.txt', 'src/login.txt', 'where.txt']);
    // The agent worked in the worktree; ORCHESTRATE_ROOT is still the workspace.
    expect(read(root, 'where.txt').trim()).toBe(join(root, '.orchestrate/worktrees/login'));
    expect(read(root, 'root.txt').trim()).toBe(root);
    // Merged into main, and the main checkout moved with it.
    expect(read(root, 'a.txt')).toBe('changed\n');
    expect(read(root, 'src/login.txt')).toBe('page\n');
    expect(gitIn(root, 'rev-list', '--parents', '-n', '1', 'main').split(' ')).toHaveLength(3);
    expect(gitIn(root, 'log', '-1', '--format=%B', 'orchestrate/login')).toBe(
      'Add the login page\n\nTask-Id: login\nAgent: shell#1',
    );
    expect(gitIn(root, 'log', '-1', '--format=%(trailers:key=Task-Id,valueonly)', 'main')).toBe('login');
    expect(gitIn(root, 'rev-parse', 'orchestrate/login')).toBe(done.result.commit);
    // With no identity configured anywhere, the fallback one signs the commits.
    expect(gitIn(root, 'log', '-1', '--format=%an <%ae>', 'orchestrate/login')).toBe(
      'orchestrate <orchestrate@localhost>',
    );
    // The person's uncommitted work is untouched.
    expect(read(root, 'notes.txt')).toBe('person, not committed yet\n');
    expect(read(root, 'scratch.txt')).toBe('untracked\n');
    expect(gitIn(root, 'status', '--porcelain')).toBe('M notes.txt\n?? scratch.txt');
  });

  it('completes with merge: conflict when the base changed the same lines, keeping the branch', async () => {
    t.ws = repoWorkspace();
    const { root } = t.ws;
    // While the agent works, someone commits a different a.txt to main.
    const theirs =
      'printf "theirs\\n" > "$ORCHESTRATE_ROOT/a.txt" && git -C "$ORCHESTRATE_ROOT" -c user.name=P -c user.email=p@e commit --quiet -am theirs';
    dropTask(
      root,
      'clash',
      `description: clash\ncommand: ${JSON.stringify(`${theirs} && printf "ours\\n" > a.txt`)}\n`,
    );
    await runUntilIdle(root);
    const done = task(root, 'completed', 'clash');
    expect(done.result).toMatchObject({
      outcome: 'success',
      merge: 'conflict',
      branch: 'orchestrate/clash',
      files_modified: ['a.txt'],
    });
    expect(done.result.merge_note).toMatch(
      /conflicts with main in a\.txt; the branch is kept: merge it yourself \(git merge orchestrate\/clash\)/,
    );
    expect(read(root, 'a.txt')).toBe('theirs\n');
    expect(gitIn(root, 'status', '--porcelain')).toBe('');
    expect(gitIn(root, 'show', 'orchestrate/clash:a.txt')).toBe('ours');
  });

  it("does not merge over a person's uncommitted change to the same file", async () => {
    t.ws = repoWorkspace();
    const { root } = t.ws;
    writeFileSync(join(root, 'a.txt'), 'person is editing\n');
    dropTask(root, 'edit', 'description: edit\ncommand: echo agent > a.txt\n');
    await runUntilIdle(root);
    const done = task(root, 'completed', 'edit');
    expect(done.result).toMatchObject({ merge: 'conflict', files_modified: ['a.txt'] });
    expect(done.result.merge_note).toMatch(
      /uncommitted changes in .* are in the way .*a\.txt.*git merge orchestrate\/edit/,
    );
    expect(read(root, 'a.txt')).toBe('person is editing\n');
    expect(gitIn(root, 'log', '-1', '--format=%s', 'main')).toBe('init');
  });

  it('merge: manual leaves the work on its branch for a person', async () => {
    t.ws = repoWorkspace();
    const { root } = t.ws;
    dropTask(root, 'review-me', 'description: careful change\nmerge: manual\ncommand: echo careful > a.txt\n');
    await runUntilIdle(root);
    const done = task(root, 'completed', 'review-me');
    expect(done.result).toMatchObject({ merge: 'manual', branch: 'orchestrate/review-me', files_modified: ['a.txt'] });
    expect(done.result.merge_note).toBe('left for you to merge: git merge orchestrate/review-me (into main)');
    expect(read(root, 'a.txt')).toBe('base\n');
    expect(gitIn(root, 'show', 'orchestrate/review-me:a.txt')).toBe('careful');
  });

  it('`status` shows the worktree and branch of a running worktree task', async () => {
    t.ws = repoWorkspace();
    const { root } = t.ws;
    dropTask(
      root,
      'shown',
      'description: shown\ncommand: while [ ! -f "$ORCHESTRATE_ROOT/.orchestrate/go" ]; do sleep 0.05; done\n',
    );
    t.daemon = inProcessDaemon(root);
    await waitFor('the task to run', () => existsSync(join(root, '.orchestrate/runs/shown/1/stdout')));
    const json = JSON.parse((await cliAsync(root, ['status', '--json'])).stdout);
    expect(json.running).toEqual([
      expect.objectContaining({
        id: 'shown',
        worktree: { path: '.orchestrate/worktrees/shown', branch: 'orchestrate/shown' },
      }),
    ]);
    const text = (await cliAsync(root, ['status'])).stdout;
    expect(text).toMatch(/RUNNING +SLOT +ATTEMPT +ELAPSED +STATE +WORKTREE/);
    expect(text).toContain('.orchestrate/worktrees/shown (orchestrate/shown)');
    writeFileSync(join(root, '.orchestrate/go'), '');
    await waitFor('the task to complete', () => existsSync(join(root, 'tasks/completed/shown.yaml')), 20_000);
  });

  it('branches from base: and merges back into it, even when it is not checked out', async () => {
    t.ws = repoWorkspace();
    const { root } = t.ws;
    gitIn(root, 'branch', 'release');
    gitIn(root, 'commit', '--quiet', '--allow-empty', '-m', 'main moves on');
    dropTask(root, 'hotfix', 'description: hotfix\nbase: release\ncommand: echo fixed > fix.txt\n');
    await runUntilIdle(root);
    expect(task(root, 'completed', 'hotfix').result).toMatchObject({ merge: 'merged', files_modified: ['fix.txt'] });
    expect(gitIn(root, 'show', 'release:fix.txt')).toBe('fixed');
    expect(gitIn(root, 'log', '-1', '--format=%s', 'main')).toBe('main moves on');
    expect(existsSync(join(root, 'fix.txt'))).toBe(false);
  });

  it("retries in the same worktree, so the earlier attempt's work is not lost", async () => {
    t.ws = repoWorkspace();
    const { root } = t.ws;
    dropTask(
      root,
      'twice',
      'description: twice\nmax_retries: 1\ncommand: if [ -f step1.txt ]; then echo 2 > step2.txt; else echo 1 > step1.txt; exit 1; fi\n',
    );
    await runUntilIdle(root);
    const done = task(root, 'completed', 'twice');
    expect(done.attempts.map((attempt: { outcome: string }) => attempt.outcome)).toEqual(['failed', 'success']);
    expect([...done.result.files_modified].sort()).toEqual(['step1.txt', 'step2.txt']);
    expect(read(root, 'step1.txt')).toBe('1\n');
  });

  it("makes the worktree anew when a person removed its folder, without dropping other tasks' worktrees", async () => {
    t.ws = repoWorkspace();
    const { root } = t.ws;
    dropTask(root, 'again', 'description: again\nmerge: manual\ncommand: echo more >> notes.txt\n');
    dropTask(root, 'keep', 'description: keep\nmerge: manual\ncommand: echo kept > kept.txt\n');
    await runUntilIdle(root);
    rmSync(join(root, '.orchestrate/worktrees/again'), { recursive: true, force: true });
    // A second worktree whose folder is gone too: git lists both as prunable, and only ours is retaken.
    rmSync(join(root, '.orchestrate/worktrees/keep'), { recursive: true, force: true });
    writeFileSync(
      join(root, 'tasks/pending/again.yaml'),
      'description: again\nmerge: manual\ncommand: echo more >> notes.txt\n',
    );
    rmSync(join(root, 'tasks/completed/again.yaml'));
    await runUntilIdle(root);
    expect(task(root, 'completed', 'again').result).toMatchObject({ merge: 'manual', files_modified: ['notes.txt'] });
    // The branch kept the first run's commit, and the new worktree continued from it.
    expect(gitIn(root, 'show', 'orchestrate/again:notes.txt')).toBe('more\nmore');
    expect(gitIn(root, 'worktree', 'list', '--porcelain')).toMatch(/worktree .*\/\.orchestrate\/worktrees\/keep\n/);
  });

  it('runs worktree.setup once in a new worktree, before the agent', async () => {
    const setup =
      'worktree: { setup: \'cp "$ORCHESTRATE_ROOT/.env" .env && echo "$ORCHESTRATE_TASK_ID" >> "$ORCHESTRATE_ROOT/.orchestrate/setup-runs"\' }\n';
    t.ws = repoWorkspace(worktreeConfig(setup));
    const { root } = t.ws;
    writeFileSync(join(root, '.env'), 'SECRET=1\n');
    dropTask(
      root,
      'uses-env',
      'description: uses env\nmax_retries: 1\ncommand: cp .env seen.txt && test "$ORCHESTRATE_ATTEMPT" -ge 2\n',
    );
    await runUntilIdle(root);
    const done = task(root, 'completed', 'uses-env');
    expect(done.attempts).toHaveLength(2);
    expect(read(root, '.orchestrate/setup-runs')).toBe('uses-env\n');
    expect(read(root, 'seen.txt')).toBe('SECRET=1\n');
    // .env is git-ignored, so the copy the setup made is not part of the work.
    expect(done.result.files_modified).toEqual(['seen.txt']);
  });

  it('fails the attempt when worktree.setup fails, saying why', async () => {
    t.ws = repoWorkspace(worktreeConfig('worktree: { setup: \'echo "npm: not found" >&2; exit 3\' }\n'));
    const { root } = t.ws;
    dropTask(root, 'needs-setup', 'description: needs setup\ncommand: echo never > never.txt\n');
    await runUntilIdle(root);
    const failed = task(root, 'failed', 'needs-setup');
    expect(failed.attempts[0]).toMatchObject({ outcome: 'failed' });
    expect(failed.result.error).toMatch(
      /^worktree setup failed with exit 3: npm: not found \(see \.orchestrate\/runs\/needs-setup\/1\/setup\.log; fix worktree\.setup in orchestrator\.yaml\)$/,
    );
    expect(failed.result).toMatchObject({
      branch: 'orchestrate/needs-setup',
      worktree: '.orchestrate/worktrees/needs-setup',
    });
    expect(existsSync(join(root, '.orchestrate/worktrees/needs-setup/never.txt'))).toBe(false);
  });

  it("stops a setup that runs past the task's timeout, or whose task is cancelled, with all its processes", async () => {
    t.ws = repoWorkspace(worktreeConfig('worktree: { setup: "sleep 30 & sleep 30" }\n'));
    const { root } = t.ws;
    dropTask(root, 'slow-setup', 'description: slow\ntimeout: 300ms\ncommand: "true"\n');
    dropTask(root, 'cancelled', 'description: cancelled\ncommand: "true"\n');
    t.daemon = inProcessDaemon(root);
    await waitFor('the setup of the task to cancel to start', () =>
      existsSync(join(root, '.orchestrate/runs/cancelled/1/setup.log')),
    );
    // Not the blocking cli(): the daemon runs in this process and must answer.
    expect((await cliAsync(root, ['cancel', 'cancelled'])).code).toBe(0);
    await waitFor(
      'both tasks to fail',
      () =>
        existsSync(join(root, 'tasks/failed/slow-setup.yaml')) && existsSync(join(root, 'tasks/failed/cancelled.yaml')),
    );
    expect(task(root, 'failed', 'slow-setup').result).toMatchObject({
      outcome: 'timeout',
      error: expect.stringMatching(/^worktree setup ran past the task's timeout/),
    });
    expect(task(root, 'failed', 'cancelled').result).toMatchObject({
      outcome: 'cancelled',
      branch: 'orchestrate/cancelled',
    });
    await waitFor('no setup process to be left', () => agentProcesses(root).length === 0);
  });

  it('works from a workspace in a subfolder of the repository (a monorepo package)', async () => {
    const repo = realpathSync(mkdtempSync(join(tmpdir(), 'orchestrate-mono-')));
    const root = join(repo, 'packages/api');
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'orchestrator.yaml'), worktreeConfig());
    ensureWorkspace(layoutOf(root));
    t.ws = { root, layout: layoutOf(root), cleanup: () => rmSync(repo, { recursive: true, force: true }) };
    gitIn(repo, 'init', '--quiet', '--initial-branch=main');
    writeFileSync(join(repo, '.gitignore'), '.orchestrate/\ntasks/\ncontext/\n');
    gitIn(repo, 'add', '.');
    gitIn(repo, 'commit', '--quiet', '-m', 'init');
    dropTask(root, 'mono', 'description: mono\ncommand: pwd > where.txt\n');
    await runUntilIdle(root);
    expect(task(root, 'completed', 'mono').result).toMatchObject({
      merge: 'merged',
      files_modified: ['packages/api/where.txt'],
    });
    expect(read(root, 'where.txt').trim()).toBe(join(root, '.orchestrate/worktrees/mono/packages/api'));
  });

  it('refuses to run outside a git repository, saying how to fix it', async () => {
    t.ws = makeWorkspace(worktreeConfig());
    const { root } = t.ws;
    dropTask(root, 'no-repo', 'description: no repo\ncommand: echo x > x.txt\n');
    await runUntilIdle(root);
    const failed = task(root, 'failed', 'no-repo');
    expect(failed.result).toMatchObject({
      outcome: 'spawn_error',
      error: 'workspace: worktree needs a git repository: run git init',
    });
    expect(existsSync(join(root, 'x.txt'))).toBe(false);
  });

  it("runs two worktree tasks at once without either seeing the other's files", async () => {
    t.ws = repoWorkspace();
    const { root } = t.ws;
    // Each waits until the other has started, so they certainly run side by side.
    const agent = (me: string, other: string) =>
      `touch "$ORCHESTRATE_ROOT/.orchestrate/${me}-started"; while [ ! -f "$ORCHESTRATE_ROOT/.orchestrate/${other}-started" ]; do sleep 0.02; done; ls > seen-by-${me}.txt; echo ${me} > ${me}.txt`;
    dropTask(root, 'left', `description: left\ncommand: ${JSON.stringify(agent('left', 'right'))}\n`);
    dropTask(root, 'right', `description: right\ncommand: ${JSON.stringify(agent('right', 'left'))}\n`);
    await runUntilIdle(root);
    const left = task(root, 'completed', 'left').result;
    const right = task(root, 'completed', 'right').result;
    expect([...left.files_modified].sort()).toEqual(['left.txt', 'seen-by-left.txt']);
    expect([...right.files_modified].sort()).toEqual(['right.txt', 'seen-by-right.txt']);
    expect(read(root, 'seen-by-left.txt')).not.toContain('right.txt');
    expect(read(root, 'seen-by-right.txt')).not.toContain('left.txt');
    // Both merged, one after the other, into the checked-out main.
    expect([left.merge, right.merge]).toEqual(['merged', 'merged']);
    expect(read(root, 'left.txt')).toBe('left\n');
    expect(read(root, 'right.txt')).toBe('right\n');
    expect(gitIn(root, 'log', '--format=%s', '--merges', 'main').split('\n').sort()).toEqual([
      'Merge orchestrate/left into main',
      'Merge orchestrate/right into main',
    ]);
    expect(gitIn(root, 'status', '--porcelain')).toBe('');
  });
});
