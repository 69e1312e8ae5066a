import { STATE_FOLDERS, type StateFolder } from '../core/transitions.js';
import type { Layout } from '../queue/layout.js';
import { TaskIndex } from '../queue/task-index.js';
import type { TaskSummary } from '../queue/task-summary.js';
import { CliError } from './errors.js';
import { onePlace } from './one-place.js';
import { firstLine } from '../core/text.js';
import { renderTable } from './table.js';

const ALIASES: Record<string, StateFolder> = { running: 'assigned', done: 'completed' };

// Parses --status: a state folder name (or running/done), or several separated by commas.
export function parseStates(option: string | undefined): StateFolder[] {
  if (!option) return [...STATE_FOLDERS];
  return option.split(',').map((name) => {
    const state = ALIASES[name.trim()] ?? (name.trim() as StateFolder);
    if (!STATE_FOLDERS.includes(state)) throw new CliError(`--status: "${name}" is not a state (use pending, assigned, completed or failed)`, 2);
    return state;
  });
}

// Every task in the chosen folders, from the index cache (only changed files are parsed).
export async function listTasks(layout: Layout, states: StateFolder[]): Promise<TaskSummary[]> {
  const index = TaskIndex.load(layout);
  const lists = [];
  for (const state of states) lists.push(...(await index.list(state)));
  const tasks = onePlace(layout, lists);
  await index.save().catch(() => undefined);
  return tasks.sort((a, b) => STATE_FOLDERS.indexOf(a.state) - STATE_FOLDERS.indexOf(b.state) || (a.created_at ?? '').localeCompare(b.created_at ?? '') || a.id.localeCompare(b.id));
}

// The human form of `orchestrate tasks`.
export function renderTasks(tasks: TaskSummary[]): string {
  if (tasks.length === 0) return 'no tasks';
  return renderTable(
    ['ID', 'STATE', 'AGENT', 'TRIES', 'OUTCOME', 'DESCRIPTION'],
    tasks.map((task) => [firstLine(task.id, 40), task.state, task.agent ?? '-', String(task.attempts), task.outcome ?? '-', firstLine(task.error && task.state === 'failed' ? `${task.description} — ${task.error}` : task.description, 70)]),
  );
}
