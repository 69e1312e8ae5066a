import { cleanVerdict, parseWorktreeList, shownPath, type TaskBranchFacts } from '../core/worktree.js';
import { idOfBranch } from '../core/git-refs.js';
import { locateTask } from '../queue/locate-task.js';
import type { Layout } from '../queue/layout.js';
import { git, gitOk } from './git.js';
import { findRepo } from './repo.js';

// One task branch as clean found it and what it did with it.
export interface CleanEntry {
  id: string;
  branch: string;
  worktree: string | undefined;
  action: 'removed' | 'would remove' | 'kept';
  reason: string;
}

export type CleanReport = { repository: false } | { repository: true; entries: CleanEntry[] };

// Every orchestrate/<id> branch with what clean needs to judge it (see cleanVerdict).
async function gatherFacts(layout: Layout): Promise<(TaskBranchFacts & { path: string | undefined })[]> {
  const root = layout.root;
  const refs = await gitOk(root, [
    'for-each-ref',
    '--format=%(refname:lstrip=2)%00%(objectname)%00%(upstream)',
    'refs/heads/orchestrate/',
  ]);
  const forks = new Map<string, string>();
  const recorded = await git(root, ['config', '--get-regexp', '^branch\\.orchestrate/.*\\.orchestrate-base$']);
  for (const line of recorded.stdout.split('\n')) {
    const match = /^branch\.(.+)\.orchestrate-base (\S+)$/.exec(line);
    if (match) forks.set(match[1]!, match[2]!);
  }
  const worktrees = parseWorktreeList(await gitOk(root, ['worktree', 'list', '--porcelain', '-z']));
  const head = await git(root, ['symbolic-ref', '--quiet', 'HEAD']);
  const facts: (TaskBranchFacts & { path: string | undefined })[] = [];
  for (const line of refs.split('\n').filter((text) => text !== '')) {
    const [branch = '', tip = '', upstream = ''] = line.split('\0');
    const id = idOfBranch(branch);
    if (id === undefined) continue;
    const path = worktrees.find((entry) => entry.branch === `refs/heads/${branch}` && !entry.prunable)?.path;
    // Its upstream (the base branch it was made from), else the branch the workspace has checked out.
    const into = upstream !== '' ? upstream : head.code === 0 ? head.stdout.trim() : undefined;
    const count = into === undefined ? undefined : await git(root, ['rev-list', '--count', `${into}..${tip}`]);
    const target = count?.code === 0 ? into!.replace(/^refs\/(heads|remotes)\//, '') : undefined;
    const dirty =
      path !== undefined && (await gitOk(path, ['status', '--porcelain', '-z', '--untracked-files=all'])) !== '';
    facts.push({
      id,
      branch,
      path,
      state: locateTask(layout, id),
      worktree: path === undefined ? undefined : shownPath(root, path),
      dirty,
      unchanged: forks.get(branch) === tip,
      target,
      unmerged: Number(count?.stdout.trim() ?? 0),
    });
  }
  return facts;
}

// Removes the worktrees and branches of tasks whose work is merged or who changed nothing, and
// keeps every other one, saying why. git double-checks: `worktree remove` refuses a worktree with
// changes and `branch -d` a branch that is not merged, so a wrong judgement cannot lose work.
export async function cleanWorktrees(layout: Layout, options: { dryRun: boolean }): Promise<CleanReport> {
  const found = await findRepo(layout.root);
  if (!found.ok) return { repository: false };
  const root = layout.root;
  if (!options.dryRun) await git(root, ['worktree', 'prune']);
  const entries: CleanEntry[] = [];
  for (const facts of await gatherFacts(layout)) {
    const verdict = cleanVerdict(facts);
    const entry: CleanEntry = {
      id: facts.id,
      branch: facts.branch,
      worktree: facts.worktree,
      action: 'kept',
      reason: verdict.reason,
    };
    entries.push(entry);
    if (!verdict.remove) continue;
    if (options.dryRun) {
      entry.action = 'would remove';
      continue;
    }
    if (facts.path !== undefined) {
      const removed = await git(root, ['worktree', 'remove', facts.path]);
      if (removed.code !== 0) {
        entry.reason = `git refused to remove the worktree (${removed.stderr.trim().split('\n').pop()})`;
        continue;
      }
    }
    const deleted = await git(root, ['branch', '--delete', facts.branch]);
    if (deleted.code !== 0) {
      entry.worktree = facts.path === undefined ? undefined : `${entry.worktree} (removed)`;
      entry.reason = `git refused to delete the branch (${deleted.stderr.trim().split('\n').pop()})`;
      continue;
    }
    entry.action = 'removed';
  }
  return { repository: true, entries };
}
