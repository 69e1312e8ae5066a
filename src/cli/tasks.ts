import { STATE_FOLDERS, type StateFolder } from '../core/state-folders.js';
import type { Layout } from '../queue/layout.js';
import { TaskIndex, type IndexedTask } from '../queue/task-index.js';
import type { TaskSummary } from '../queue/task-summary.js';
import { CliError } from './support/errors.js';
import { onePlace } from './support/one-place.js';
import { closest } from '../core/suggest.js';
import { firstLine } from '../core/text.js';
import { latestRun } from './support/runs.js';
import { renderTable } from './support/table.js';

// Other words for the folders: `active` is the seed spec's word for running tasks.
const ALIASES: Record<string, StateFolder> = { running: 'assigned', active: 'assigned', done: 'completed' };
const VALID = 'pending, assigned (or running, active), completed (or done), failed; several separated by commas';

// Parses --status: a state folder name (or one of its ALIASES), or several separated by commas.
export function parseStates(option: string | undefined): StateFolder[] {
  if (!option) return [...STATE_FOLDERS];
  return option.split(',').map((typed) => {
    const name = typed.trim();
    const state = ALIASES[name] ?? (name as StateFolder);
    if (STATE_FOLDERS.includes(state)) return state;
    const hint = closest(name, [...STATE_FOLDERS, ...Object.keys(ALIASES)]);
    throw new CliError(`--status: "${name}" is not a state (${hint ? `did you mean "${hint}"? ` : ''}use ${VALID})`, 2);
  });
}

// Oldest first, then by id.
export function compareByAge(a: IndexedTask, b: IndexedTask): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

// Every task in the chosen folders, each id once, from the index cache (only changed files are
// parsed; with `trustCached`, see TaskIndex.list, files the cache knows are not even looked at).
export async function indexedTasks(
  layout: Layout,
  states: readonly StateFolder[],
  trustCached = false,
): Promise<IndexedTask[]> {
  const index = TaskIndex.load(layout);
  const lists = [];
  for (const state of states) lists.push(...(await index.list(state, trustCached)));
  const tasks = onePlace(layout, lists);
  await index.save().catch(() => undefined);
  return tasks;
}

// Every task in the chosen folders, by state, then oldest first.
export async function listTasks(layout: Layout, states: StateFolder[]): Promise<IndexedTask[]> {
  return (await indexedTasks(layout, states)).sort(
    (a, b) => STATE_FOLDERS.indexOf(a.state) - STATE_FOLDERS.indexOf(b.state) || compareByAge(a, b),
  );
}

const COMMA = Buffer.from(',');

// The JSON form: the cached summaries' bytes joined as they are, on one line.
export function tasksJson(tasks: IndexedTask[]): Buffer {
  const parts: Buffer[] = [Buffer.from('[')];
  for (const task of tasks) parts.push(task.json, COMMA);
  if (tasks.length > 0) parts.pop();
  parts.push(Buffer.from(']\n'));
  return Buffer.concat(parts);
}

// The human form of `orchestrate tasks`. A running task shows the attempt that runs and its agent
// (its file records only the attempts that ended).
export function renderTasks(layout: Layout, indexed: IndexedTask[]): string {
  if (indexed.length === 0) return 'no tasks';
  const tasks = indexed.map((task) => JSON.parse(task.json.toString()) as TaskSummary);
  const rows = tasks.map((task) => {
    const run = task.state === 'assigned' ? latestRun(layout, task.id) : undefined;
    const agent = run?.record?.agent ?? task.agent ?? '-';
    const tries = run && run.number > task.attempts ? run.number : task.attempts;
    return [
      firstLine(task.id, 40),
      task.state,
      agent,
      String(tries),
      task.outcome ?? '-',
      firstLine(task.error && task.state === 'failed' ? `${task.description} — ${task.error}` : task.description, 70),
    ];
  });
  return renderTable(['ID', 'STATE', 'AGENT', 'TRIES', 'OUTCOME', 'DESCRIPTION'], rows);
}
