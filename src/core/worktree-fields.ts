import * as z from 'zod';
import { isRefName } from './git-refs.js';

const REF_MESSAGE = 'must be a branch, tag or commit such as main or v1.2 (letters, digits, ".", "_", "-", "/")';
const ref = z.string({ error: REF_MESSAGE }).refine(isRefName, { error: REF_MESSAGE });
const workspace = z.enum(['shared', 'worktree'], { error: 'must be shared or worktree' });
const merge = z.enum(['auto', 'manual'], { error: 'must be auto or manual' });

// A task's own choice of where its agent works and how the work comes back (spread into the task schema).
export const worktreeTaskFields = {
  workspace: workspace.optional(),
  base: ref.optional(),
  merge: merge.optional(),
};

// What a worktree task's result says about its work (spread into the result schema).
export const worktreeResultFields = {
  branch: z.string().optional(),
  worktree: z.string().optional(),
  commit: z.string().optional(),
  files_modified: z.array(z.string()).optional(),
  merge: z.string().optional(),
  merge_note: z.string().optional(),
};

// The defaults of those task fields in orchestrator.yaml (spread into `defaults:`).
export const worktreeDefaultFields = {
  workspace: workspace.default('shared'),
  base: ref.optional(),
  merge: merge.default('auto'),
};

// orchestrator.yaml's `worktree:` section: where worktrees live and what prepares a new one.
export const worktreeSectionSchema = z
  .strictObject({
    dir: z
      .string({ error: 'must be a folder (relative to the workspace, or absolute)' })
      .min(1)
      .default('.orchestrate/worktrees'),
    setup: z.string({ error: 'must be a shell command line, run with /bin/sh in each new worktree' }).min(1).optional(),
  })
  .default({ dir: '.orchestrate/worktrees' });

export type WorkspaceMode = z.infer<typeof workspace>;
export type MergeMode = z.infer<typeof merge>;

// Everything the daemon needs to know about worktrees from the config, in one place.
export interface WorktreeConfig {
  workspace: WorkspaceMode;
  base: string | undefined;
  merge: MergeMode;
  dir: string;
  setup: string | undefined;
}

// Gathers the worktree settings from `defaults:` and `worktree:`.
export function worktreeConfig(
  defaults: { workspace: WorkspaceMode; base?: string | undefined; merge: MergeMode },
  section: z.infer<typeof worktreeSectionSchema>,
): WorktreeConfig {
  return {
    workspace: defaults.workspace,
    base: defaults.base,
    merge: defaults.merge,
    dir: section.dir,
    setup: section.setup,
  };
}
