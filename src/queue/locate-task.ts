import { lstatSync } from 'node:fs';
import { STATE_FOLDERS, type StateFolder } from '../core/transitions.js';
import type { Layout } from './layout.js';

// The state folder whose task file for `id` is a regular file, trying folders in `order`.
export function locateTask(layout: Layout, id: string, order: readonly StateFolder[] = STATE_FOLDERS): StateFolder | undefined {
  return order.find((state) => {
    try {
      return lstatSync(layout.taskPath(state, id)).isFile();
    } catch {
      return false;
    }
  });
}
