import { realpathSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';

// Where a path really leads, seen from the folder it must stay in.
export type Containment =
  // `path` is the path under the folder as given, its symlinks resolved: read or run there.
  | { kind: 'inside'; path: string }
  | { kind: 'outside'; real: string }
  // Nothing there (or it cannot be resolved): nothing can be read from it either.
  | { kind: 'missing' };

// Checks a path from a task or config file (relative to `base`, the workspace or a task's worktree)
// the way the OS will follow it: symlinks resolved at every level, ".." after them (realpath(3);
// Node's own realpathSync folds ".." first, so `link/..` would look inside when it is not).
export function containedPath(base: string, path: string): Containment {
  let realBase: string;
  let real: string;
  try {
    realBase = realpathSync.native(base);
    real = realpathSync.native(isAbsolute(path) ? path : `${base}/${path}`);
  } catch {
    return { kind: 'missing' };
  }
  const inside = relative(realBase, real);
  if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) return { kind: 'outside', real };
  return { kind: 'inside', path: join(base, inside) };
}

// The problem of a path that leads out of its folder, and what to write instead.
export function outsideMessage(
  path: string,
  real: string,
  where: 'workspace' | 'worktree',
  what: 'file' | 'folder',
): string {
  return `"${path}" leads outside the ${where} through a symlink (to ${real}); use a ${what} inside the ${where}`;
}
