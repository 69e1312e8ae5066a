import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseWorktreeList, type WorktreePlan } from '../core/worktree.js';
import { branchFor, branchProblem } from '../core/git-refs.js';
import { git, gitOk, serialized } from './git.js';
import { findRepo, type Repo } from './repo.js';

// A task's worktree, ready for its agent.
export interface PreparedWorktree {
  // The worktree's top folder, its branch, and where the workspace sits inside it.
  path: string;
  branch: string;
  workdir: string;
  // Created just now (from the base, or from the branch an earlier worktree left).
  created: boolean;
  // Written once worktree.setup has succeeded here; it lives in the worktree's own git folder,
  // so it goes away with the worktree.
  setupMarker: string;
  // Said once, when the worktrees' folder is inside the checkout without being git-ignored.
  warning?: string;
}

export type Preparation = { ok: true; worktree: PreparedWorktree } | { ok: false; error: string };

type Base = { commit: string; target: string | undefined } | { error: string };

function real(path: string): string {
  try {
    return realpathSync.native(path);
  } catch {
    return resolve(path);
  }
}

// What a new branch starts from: the base named (a branch is also where its work merges back),
// else the workspace's current branch, or its commit when HEAD is detached.
async function resolveBase(root: string, base: string | undefined): Promise<Base> {
  if (base === undefined) {
    const head = await git(root, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
    if (head.code !== 0)
      return { error: 'workspace: worktree needs a commit to branch from: make a first commit (git commit)' };
    const symbolic = await git(root, ['symbolic-ref', '--quiet', 'HEAD']);
    return { commit: head.stdout.trim(), target: symbolic.code === 0 ? symbolic.stdout.trim() : undefined };
  }
  const branch = await git(root, ['rev-parse', '--verify', '--quiet', `refs/heads/${base}^{commit}`]);
  if (branch.code === 0) return { commit: branch.stdout.trim(), target: `refs/heads/${base}` };
  const other = await git(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${base}^{commit}`]);
  if (other.code === 0) return { commit: other.stdout.trim(), target: undefined };
  return {
    error: `base: no branch, tag or commit named "${base}" in this repository (fix base: in the task file, or defaults.base in orchestrator.yaml)`,
  };
}

// Finds the branch's worktree, or makes one: from the branch if it exists (a retry after clean, or
// a folder removed by hand), else as a new branch from the base. Never touches existing work.
async function checkOut(
  root: string,
  repo: Repo,
  branch: string,
  wanted: string,
  plan: WorktreePlan,
): Promise<{ path: string; created: boolean } | { error: string }> {
  const entries = parseWorktreeList(await gitOk(root, ['worktree', 'list', '--porcelain', '-z']));
  const ref = `refs/heads/${branch}`;
  const own = entries.find((entry) => entry.branch === ref);
  if (own && !own.prunable) {
    if (own === entries[0] || real(own.path) === real(repo.top))
      return {
        error: `${branch} is checked out in ${own.path}; switch that checkout to another branch so the task can have its own worktree`,
      };
    return { path: own.path, created: false };
  }
  const squatter = entries.find((entry) => !entry.prunable && real(entry.path) === real(wanted));
  if (squatter)
    return {
      error: `${wanted} is already a worktree of ${squatter.branch ?? 'a detached HEAD'}; remove it (git worktree remove) or move it away`,
    };
  // Our worktree's folder was removed by hand: --force takes its place. (A `git worktree prune`
  // here would also drop the worktrees other tasks are creating at this very moment.)
  const stale = entries.some((entry) => entry.prunable && (entry.branch === ref || real(entry.path) === real(wanted)));
  const force = stale ? ['--force'] : [];
  if ((await git(root, ['rev-parse', '--verify', '--quiet', ref])).code === 0) {
    await gitOk(root, ['worktree', 'add', ...force, wanted, branch]);
    return { path: wanted, created: true };
  }
  const base = await resolveBase(root, plan.base);
  if ('error' in base) return base;
  await gitOk(root, [
    'worktree',
    'add',
    ...force,
    base.target ? '--track' : '--no-track',
    '-b',
    branch,
    wanted,
    base.target ?? base.commit,
  ]);
  // Where the branch started: what clean and the result compare its tip with.
  await gitOk(root, ['config', `branch.${branch}.orchestrate-base`, await gitOk(root, ['rev-parse', '--verify', ref])]);
  return { path: wanted, created: true };
}

// The worktree's own git folder, named by the `.git` file git writes into every linked worktree.
function gitDirOf(path: string): string {
  const text = readFileSync(join(path, '.git'), 'utf8');
  return resolve(path, text.replace(/^gitdir: /, '').trim());
}

// Makes sure a task has its worktree on branch orchestrate/<id> (see checkOut).
export async function prepareWorktree(root: string, id: string, plan: WorktreePlan, dir: string): Promise<Preparation> {
  const problem = branchProblem(id);
  if (problem) return { ok: false, error: problem };
  const found = await findRepo(root);
  if (!found.ok) return found;
  const { repo } = found;
  const branch = branchFor(id);
  const wanted = resolve(root, dir, id);
  try {
    // One at a time per repository, like merges: concurrent `worktree add --track` collide on
    // .git/config.lock half-way, and a retried add then meets the branch the first one created.
    const checkedOut = await serialized(repo.commonDir, () => checkOut(root, repo, branch, wanted, plan));
    if ('error' in checkedOut) return { ok: false, error: checkedOut.error };
    const worktree: PreparedWorktree = {
      path: checkedOut.path,
      branch,
      workdir: join(checkedOut.path, repo.prefix),
      created: checkedOut.created,
      setupMarker: join(gitDirOf(checkedOut.path), 'orchestrate-setup-done'),
    };
    const folder = dirname(checkedOut.path);
    if (
      checkedOut.created &&
      real(folder).startsWith(`${real(repo.top)}/`) &&
      (await git(root, ['check-ignore', '--quiet', folder])).code !== 0
    ) {
      worktree.warning = `${folder} is not git-ignored, so the main checkout sees the worktrees in it: add it (or .orchestrate/) to .gitignore`;
    }
    return { ok: true, worktree };
  } catch (error) {
    return { ok: false, error: `could not make the worktree of ${branch}: ${(error as Error).message}` };
  }
}
