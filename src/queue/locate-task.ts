import { lstatSync, type Stats } from 'node:fs';
import { STATE_FOLDERS, type StateFolder } from '../core/state-folders.js';
import type { Layout } from './layout.js';

// The state folder whose task file for `id` is a regular file, trying folders in `order`, with its lstat.
export function locateTaskFile(
  layout: Layout,
  id: string,
  order: readonly StateFolder[] = STATE_FOLDERS,
): { state: StateFolder; stats: Stats } | undefined {
  for (const state of order) {
    try {
      const stats = lstatSync(layout.taskPath(state, id));
      if (stats.isFile()) return { state, stats };
    } catch {
      // Not in this folder.
    }
  }
  return undefined;
}

// The state folder whose task file for `id` is a regular file, trying folders in `order`.
export function locateTask(
  layout: Layout,
  id: string,
  order: readonly StateFolder[] = STATE_FOLDERS,
): StateFolder | undefined {
  return locateTaskFile(layout, id, order)?.state;
}
