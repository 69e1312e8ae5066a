import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/core/config-schema.js';
import { validateTask } from '../../src/core/task-schema.js';
import {
  cleanVerdict,
  commitParagraphs,
  parseWorktreeList,
  worktreePlan,
  type TaskBranchFacts,
} from '../../src/core/worktree.js';
import { branchProblem, isRefName } from '../../src/core/git-refs.js';

const config = (data: unknown) => {
  const result = validateConfig(data, ['shell']);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
};

describe('worktree names', () => {
  it.each(['main', 'release/1.2', 'feature_x', 'v1.0', 'a-b'])('accepts the ref %s', (ref) =>
    expect(isRefName(ref)).toBe(true),
  );

  it.each([
    '-x',
    '--upload-pack=evil',
    'a..b',
    'a b',
    'HEAD~1',
    'x.lock',
    'a/.hidden',
    'a//b',
    'a/',
    'end.',
    '@{-1}',
    'a:b',
    '',
  ])('refuses the ref %j', (ref) => expect(isRefName(ref)).toBe(false));

  it('says which task ids cannot be branch names', () => {
    expect(branchProblem('fix-login.2')).toBeUndefined();
    expect(branchProblem('a..b')).toMatch(/cannot be a git branch name \(orchestrate\/a\.\.b/);
    expect(branchProblem('x.lock')).toMatch(/rename the task file/);
  });

  it('writes the commit subject and the trailers', () => {
    expect(commitParagraphs('Add login\nwith details', 'login', 'claude#2')).toEqual([
      'Add login',
      'Task-Id: login\nAgent: claude#2',
    ]);
  });
});

describe('worktreePlan', () => {
  it('follows the task, then the defaults', () => {
    expect(worktreePlan({}, config({}).worktree)).toBeUndefined();
    expect(worktreePlan({ workspace: 'worktree' }, config({}).worktree)).toEqual({ base: undefined, merge: 'auto' });
    const defaults = config({ defaults: { workspace: 'worktree', base: 'develop', merge: 'manual' } }).worktree;
    expect(worktreePlan({}, defaults)).toEqual({ base: 'develop', merge: 'manual' });
    expect(worktreePlan({ base: 'main', merge: 'auto' }, defaults)).toEqual({ base: 'main', merge: 'auto' });
    expect(worktreePlan({ workspace: 'shared' }, defaults)).toBeUndefined();
  });

  it('reads the worktree section with its defaults', () => {
    expect(config({}).worktree).toEqual({
      workspace: 'shared',
      base: undefined,
      merge: 'auto',
      dir: '.orchestrate/worktrees',
      setup: undefined,
    });
    expect(config({ worktree: { dir: '../wt', setup: 'npm ci' } }).worktree).toMatchObject({
      dir: '../wt',
      setup: 'npm ci',
    });
  });

  it.each([
    [{ defaults: { workspace: 'tree' } }, 'defaults.workspace', /shared or worktree/],
    [{ defaults: { merge: 'yes' } }, 'defaults.merge', /auto or manual/],
    [{ defaults: { base: '--evil' } }, 'defaults.base', /branch, tag or commit/],
    [{ worktree: { setpu: 'x' } }, 'worktree.setpu', /did you mean "setup"/],
  ])('refuses the config %j at %s', (data, path, message) => {
    const result = validateConfig(data, ['shell']);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it.each([
    [{ workspace: 'tree' }, 'workspace', /shared or worktree/],
    [{ merge: 'later' }, 'merge', /auto or manual/],
    [{ base: 'a..b' }, 'base', /branch, tag or commit/],
  ])('refuses the task fields %j at %s', (fields, path, message) => {
    const result = validateTask('t', { description: 'x', ...fields });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems).toContainEqual({ path, message: expect.stringMatching(message) });
  });
});

describe('parseWorktreeList', () => {
  it('reads branches, detached and prunable worktrees', () => {
    const output =
      'worktree /repo\0HEAD aaa\0branch refs/heads/main\0\0worktree /repo/.wt/x\0HEAD bbb\0detached\0prunable gitdir file points to non-existent location\0\0worktree /repo/.wt/y\0HEAD ccc\0branch refs/heads/orchestrate/y\0\0';
    expect(parseWorktreeList(output)).toEqual([
      { path: '/repo', branch: 'refs/heads/main', prunable: false },
      { path: '/repo/.wt/x', branch: undefined, prunable: true },
      { path: '/repo/.wt/y', branch: 'refs/heads/orchestrate/y', prunable: false },
    ]);
  });
});

describe('cleanVerdict', () => {
  const facts = (overrides: Partial<TaskBranchFacts>): TaskBranchFacts => ({
    id: 'x',
    branch: 'orchestrate/x',
    state: 'completed',
    worktree: '.orchestrate/worktrees/x',
    dirty: false,
    unchanged: false,
    target: 'main',
    unmerged: 0,
    ...overrides,
  });

  it('removes merged and unchanged work', () => {
    expect(cleanVerdict(facts({}))).toEqual({ remove: true, reason: 'merged into main' });
    expect(cleanVerdict(facts({ unchanged: true, state: 'failed' }))).toEqual({ remove: true, reason: 'no changes' });
    expect(cleanVerdict(facts({ state: undefined }))).toMatchObject({ remove: true });
  });

  it('never removes work that is running, pending, uncommitted or unmerged', () => {
    expect(cleanVerdict(facts({ state: 'assigned' }))).toMatchObject({ remove: false, reason: 'its task is running' });
    expect(cleanVerdict(facts({ state: 'pending', unchanged: true }))).toMatchObject({ remove: false });
    expect(cleanVerdict(facts({ dirty: true, unchanged: true }))).toMatchObject({
      remove: false,
      reason: expect.stringMatching(/^uncommitted changes/),
    });
    expect(cleanVerdict(facts({ unmerged: 2 }))).toMatchObject({
      remove: false,
      reason: expect.stringMatching(/^2 commits not merged into main \(merge: git merge orchestrate\/x/),
    });
    expect(cleanVerdict(facts({ target: undefined }))).toMatchObject({
      remove: false,
      reason: expect.stringMatching(/^not merged into any branch/),
    });
  });
});
