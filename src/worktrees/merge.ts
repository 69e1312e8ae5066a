import type { MergeMode } from '../core/worktree-fields.js';
import { parseWorktreeList } from '../core/worktree.js';
import { commitWork } from './commit.js';
import { git, gitOk, identityArgs, serialized } from './git.js';
import { findRepo } from './repo.js';

export type MergeState = 'merged' | 'conflict' | 'manual' | 'unchanged' | 'error';

// What became of a successful task's work, for its result.
export interface WorkOutcome {
  // The branch's tip, and the files it changes since it was created.
  commit?: string;
  files: string[];
  merge: MergeState;
  note?: string;
}

export interface SettleRequest {
  root: string;
  path: string;
  branch: string;
  mode: MergeMode;
  // The task commit's paragraphs (subject, trailers); the merge commit gets the same trailers.
  paragraphs: readonly string[];
}

interface BranchState {
  tip: string;
  // The branch its work goes into (its upstream, refs/heads/...), if it was based on one.
  target: string | undefined;
  fork: string;
}

const short = (ref: string) => ref.replace(/^refs\/heads\//, '');

// A task branch's tip, its upstream and the commit it was created from (recorded in its config).
async function branchState(root: string, branch: string): Promise<BranchState> {
  const line = await gitOk(root, ['for-each-ref', '--format=%(objectname)%00%(upstream)', `refs/heads/${branch}`]);
  if (line === '') throw new Error(`the branch ${branch} is gone`);
  const [tip = '', upstream = ''] = line.split('\0');
  const recorded = await git(root, ['config', '--get', `branch.${branch}.orchestrate-base`]);
  let fork = recorded.code === 0 ? recorded.stdout.trim() : '';
  if (fork === '' && upstream !== '') fork = (await git(root, ['merge-base', upstream, tip])).stdout.trim();
  return { tip, target: upstream === '' ? undefined : upstream, fork: fork === '' ? tip : fork };
}

// Merges a branch into its target without disturbing anyone: the merge is computed with
// `git merge-tree` (no checkout involved); if the target is checked out somewhere, that checkout is
// moved forward like `git checkout` would (a person's uncommitted changes stay, and if they touch
// the same files nothing happens); the branch ref moves only if nobody moved it meanwhile.
async function mergeInto(
  root: string,
  branch: string,
  state: BranchState & { target: string },
  paragraphs: readonly string[],
): Promise<{ merge: 'merged' | 'conflict'; note?: string }> {
  const { target, tip } = state;
  const keep = `the branch is kept: merge it yourself (git merge ${branch})`;
  const old = await gitOk(root, ['rev-parse', '--verify', `${target}^{commit}`]);
  if ((await git(root, ['merge-base', '--is-ancestor', tip, old])).code === 0) return { merge: 'merged' };
  const merged = await git(root, ['merge-tree', '--write-tree', '-z', '--name-only', '--no-messages', old, tip]);
  const [tree = '', ...conflicted] = merged.stdout.split('\0').filter((part) => part !== '');
  if (merged.code === 1) {
    const files = [...new Set(conflicted)];
    const named = files.length > 5 ? `${files.slice(0, 5).join(', ')} and ${files.length - 5} more` : files.join(', ');
    return { merge: 'conflict', note: `conflicts with ${short(target)} in ${named}; ${keep}` };
  }
  if (merged.code !== 0)
    return {
      merge: 'conflict',
      note: `git merge-tree could not merge it (${merged.stderr.trim().split('\n').pop()}); ${keep}`,
    };
  const message = [`Merge ${branch} into ${short(target)}`, ...paragraphs];
  const commit = await gitOk(root, [
    ...(await identityArgs(root)),
    'commit-tree',
    tree,
    '-p',
    old,
    '-p',
    tip,
    ...message.flatMap((paragraph) => ['-m', paragraph]),
  ]);
  const checkout = parseWorktreeList(await gitOk(root, ['worktree', 'list', '--porcelain', '-z'])).find(
    (entry) => entry.branch === target && !entry.prunable,
  );
  if (checkout) {
    await git(checkout.path, ['update-index', '-q', '--refresh']);
    const moved = await git(checkout.path, ['read-tree', '-m', '-u', old, commit]);
    if (moved.code !== 0) {
      const why =
        moved.stderr
          .trim()
          .split('\n')[0]
          ?.replace(/^error: /, '') ?? 'git read-tree failed';
      return {
        merge: 'conflict',
        note: `uncommitted changes in ${checkout.path} are in the way (${why}); ${keep} once they are committed or stashed`,
      };
    }
  }
  const updated = await git(root, ['update-ref', '-m', `orchestrate: merge ${branch}`, target, commit, old]);
  if (updated.code !== 0) {
    if (checkout) await git(checkout.path, ['read-tree', '-m', '-u', commit, old]);
    return { merge: 'conflict', note: `${short(target)} moved while the merge was made; ${keep}` };
  }
  return { merge: 'merged' };
}

// After a successful attempt: commits the agent's work on its branch, lists the files the branch
// changes, and merges it when `merge: auto` and it applies cleanly. Idempotent, so a daemon that
// crashed half-way can simply do it again. Merges of one repository happen one at a time.
export async function settleWork(request: SettleRequest): Promise<WorkOutcome> {
  const { root, branch } = request;
  let files: string[] = [];
  let commit: string | undefined;
  try {
    const found = await findRepo(root);
    if (!found.ok) throw new Error(found.error);
    await commitWork(request.path, branch, request.paragraphs);
    return await serialized(found.repo.commonDir, async () => {
      const state = await branchState(root, branch);
      commit = state.tip;
      files = (await gitOk(root, ['diff', '--name-only', '--no-renames', '-z', state.fork, state.tip]))
        .split('\0')
        .filter((file) => file !== '');
      if (state.tip === state.fork) return { commit, files, merge: 'unchanged' as const };
      if (request.mode === 'manual')
        return {
          commit,
          files,
          merge: 'manual' as const,
          note: `left for you to merge: git merge ${branch}${state.target ? ` (into ${short(state.target)})` : ''}`,
        };
      if (state.target === undefined)
        return {
          commit,
          files,
          merge: 'manual' as const,
          note: `it was based on a commit, not a branch, so there is nothing to merge it into: merge ${branch} yourself`,
        };
      return {
        commit,
        files,
        ...(await mergeInto(root, branch, { ...state, target: state.target }, request.paragraphs)),
      };
    });
  } catch (error) {
    return {
      ...(commit ? { commit } : {}),
      files,
      merge: 'error',
      note: `${(error as Error).message}; the work stays in ${request.path} (branch ${branch})`,
    };
  }
}
