import { readFileSync, statSync } from 'node:fs';
import { dependencyIds } from '../core/dependency-state.js';
import type { Task } from '../core/task-schema.js';
import { containedPath } from '../queue/contained-path.js';

// Context files larger than this are referenced by path instead of inlined.
const INLINE_LIMIT = 64 * 1024;

// A file of the workspace, inlined. One whose symlinks lead outside it (changed since its task or
// the config was checked) is not read: the prompt says so.
function section(root: string, path: string): string {
  const found = containedPath(root, path);
  if (found.kind === 'outside') return `### ${path}\n(not inlined: it leads outside the workspace through a symlink)\n`;
  const missing = `### ${path}\n(missing)\n`;
  if (found.kind === 'missing') return missing;
  try {
    const size = statSync(found.path).size;
    if (size > INLINE_LIMIT) return `### ${path}\n(${size} bytes; read it from the workspace: ${path})\n`;
    return `### ${path}\n\n${readFileSync(found.path, 'utf8').trimEnd()}\n`;
  } catch {
    return missing;
  }
}

// The prompt an agent gets: the task, the shared context files, the task's own files, what the
// tasks it waited for answered, and for a `when: { failed: ID }` task the failed task's file.
// It opens with a heading, so it never starts with a `-` that a CLI could take for an option.
export function buildPrompt(
  root: string,
  task: Task,
  sharedFiles: readonly string[],
  worktree?: { branch: string; merge: 'auto' | 'manual' },
): string {
  const parts = ['## Task', '', task.fields.description.trim(), ''];
  if (worktree) {
    const after =
      worktree.merge === 'auto'
        ? 'merged into its base when it applies cleanly'
        : 'left there for a person to review and merge';
    parts.push(
      '## Where you work',
      '',
      `You work in a git worktree of your own, on branch ${worktree.branch}: stay inside the current folder. When you finish, your changes are committed on that branch for you and ${after}.`,
      '',
    );
  }
  const files = [...sharedFiles, ...(task.fields.context_files ?? [])];
  if (files.length > 0) {
    parts.push('## Context', '');
    for (const file of files) parts.push(section(root, file));
  }
  const waitedFor = dependencyIds(task);
  if (waitedFor.length > 0) {
    parts.push('## Results of the tasks this one depends on', '');
    for (const dep of new Set(waitedFor)) parts.push(section(root, `context/agent_outputs/${dep}.md`));
  }
  if (task.whenFailed !== undefined) {
    parts.push(
      `## ${task.whenFailed} failed; this task runs because of that`,
      '',
      'Its task file, with each attempt and the error:',
      '',
    );
    parts.push(section(root, `tasks/failed/${task.whenFailed}.yaml`));
  }
  parts.push('## When you finish', '', 'End with a short summary of what you did and which files you changed.');
  return `${parts.join('\n')}\n`;
}
