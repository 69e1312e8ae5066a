import { isAbsolute, relative } from 'node:path';
import type { StateFolder } from './state-folders.js';
import type { WorktreeConfig, MergeMode } from './worktree-fields.js';
import { firstLine } from './text.js';

// How a worktree task runs: from which base, and whether its work is merged back by itself.
export interface WorktreePlan {
  base: string | undefined;
  merge: MergeMode;
}

// Whether a task gets a worktree of its own (its fields first, then the config's defaults).
export function worktreePlan(
  fields: { workspace?: string | undefined; base?: string | undefined; merge?: MergeMode | undefined },
  config: WorktreeConfig,
): WorktreePlan | undefined {
  if ((fields.workspace ?? config.workspace) !== 'worktree') return undefined;
  return { base: fields.base ?? config.base, merge: fields.merge ?? config.merge };
}

// The paragraphs of a task's commit: its description's first line, then trailers naming the task
// and the agent slot (`git log --grep 'Task-Id: x'` finds them).
export function commitParagraphs(subject: string, id: string, slot: string): string[] {
  return [firstLine(subject, 72) || `orchestrate task ${id}`, `Task-Id: ${id}\nAgent: ${slot}`];
}

// One entry of `git worktree list --porcelain -z`.
export interface WorktreeEntry {
  path: string;
  // The full ref checked out (refs/heads/...), undefined when detached or bare.
  branch: string | undefined;
  // Its folder is gone: git would prune it.
  prunable: boolean;
}

// Parses `git worktree list --porcelain -z`: NUL-ended lines, an empty one between worktrees.
export function parseWorktreeList(output: string): WorktreeEntry[] {
  const entries: WorktreeEntry[] = [];
  let current: WorktreeEntry | undefined;
  for (const line of output.split('\0')) {
    if (line.startsWith('worktree ')) {
      current = { path: line.slice('worktree '.length), branch: undefined, prunable: false };
      entries.push(current);
    } else if (current && line.startsWith('branch ')) current.branch = line.slice('branch '.length);
    else if (current && (line === 'prunable' || line.startsWith('prunable '))) current.prunable = true;
  }
  return entries;
}

// What `orchestrate clean` knows about one task's branch and worktree.
export interface TaskBranchFacts {
  id: string;
  branch: string;
  // Where its task file is, if anywhere.
  state: StateFolder | undefined;
  // Its worktree as shown to people, if it has one.
  worktree: string | undefined;
  // The worktree holds changes not committed (untracked files included, ignored ones not).
  dirty: boolean;
  // The branch has no commit beyond the one it was created from.
  unchanged: boolean;
  // The branch its work goes into, and how many of its commits are not in it yet.
  target: string | undefined;
  unmerged: number;
}

// Removed (nothing can be lost) or kept, and why, in words a person acts on.
export type CleanVerdict = { remove: true; reason: string } | { remove: false; reason: string };

// Whether clean may remove a task's worktree and branch: only when no work can be lost.
export function cleanVerdict(facts: TaskBranchFacts): CleanVerdict {
  if (facts.state === 'pending') return { remove: false, reason: 'its task is pending (it will work there again)' };
  if (facts.state === 'assigned') return { remove: false, reason: 'its task is running' };
  if (facts.dirty)
    return {
      remove: false,
      reason: `uncommitted changes in ${facts.worktree} (commit or discard them, then clean again)`,
    };
  if (facts.unchanged) return { remove: true, reason: 'no changes' };
  if (facts.target === undefined)
    return {
      remove: false,
      reason: `not merged into any branch (merge it yourself: git merge ${facts.branch}; discard it: git branch -D ${facts.branch})`,
    };
  if (facts.unmerged === 0) return { remove: true, reason: `merged into ${facts.target}` };
  const commits = facts.unmerged === 1 ? '1 commit' : `${facts.unmerged} commits`;
  return {
    remove: false,
    reason: `${commits} not merged into ${facts.target} (merge: git merge ${facts.branch}; discard: git branch -D ${facts.branch})`,
  };
}

// Where a run's worktree is, as its run record and the daemon keep it.
export interface RunWorktree {
  path: string;
  branch: string;
  merge: MergeMode;
}

// What a worktree task's result says about its work (see worktreeResultFields).
export interface WorktreeResult {
  branch: string;
  worktree: string;
  commit?: string;
  files_modified?: string[];
  merge?: string;
  merge_note?: string;
}

// A path as people read it in a task file or a message: relative to the workspace when inside it.
export function shownPath(root: string, path: string): string {
  const inside = relative(root, path);
  return inside === '' || inside.startsWith('..') || isAbsolute(inside) ? path : inside;
}
