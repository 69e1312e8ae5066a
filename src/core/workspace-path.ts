// As text, a path from a task or config file leaves the workspace when it is absolute or climbs
// with "..". Where its symlinks lead is checked at the edges, where the files are
// (queue/contained-path.ts).
export function leavesAsText(path: string): boolean {
  return path.startsWith('/') || path.split(/[\\/]/).includes('..');
}

export const STAY_INSIDE = 'must stay inside the workspace (a relative path without "..")';

// A lock names what it guards by its path in the workspace, the way other tasks' locks name it:
// "/" or "../x" name nothing in it ("**" is the whole workspace).
export const LOCK_INSIDE =
  'must be a path or glob relative to the workspace, without ".." (for example "src/**"; "**" for the whole workspace)';
