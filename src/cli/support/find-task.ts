import type { StateFolder } from '../../core/state-folders.js';
import type { Layout } from '../../queue/layout.js';
import { locateTask } from '../../queue/locate-task.js';
import { orchestrateCommand } from './command-hint.js';
import { CliError } from './errors.js';

// The state folder holding a task, or a clear error naming what to run instead.
export function findTask(layout: Layout, id: string): StateFolder {
  const state = locateTask(layout, id);
  if (state === undefined)
    throw new CliError(`no task "${id}" in tasks/ (list them with \`${orchestrateCommand(layout, 'tasks')}\`)`);
  return state;
}
