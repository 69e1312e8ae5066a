import { STATE_FOLDERS } from '../core/transitions.js';
import type { Layout } from '../queue/layout.js';
import { TaskIndex } from '../queue/task-index.js';
import type { TaskSummary } from '../queue/task-summary.js';
import { onePlace } from './one-place.js';

// The tasks that name `id` as their parent (submitted with `add --parent`), oldest first. Found
// through the index cache, so a parent's record needs no rewrite when a child is added; cached
// entries are trusted as they are (a parent never changes), so `show` stays quick over 10,000 tasks.
export async function childrenOf(layout: Layout, id: string): Promise<TaskSummary[]> {
  const index = TaskIndex.load(layout);
  // Summaries are JSON text: the field matches byte for byte, and text inside a string is escaped.
  const needle = Buffer.from(`"parent":${JSON.stringify(id)}`);
  const found = [];
  for (const state of STATE_FOLDERS) for (const task of await index.list(state, true)) if (task.json.includes(needle)) found.push(task);
  await index.save().catch(() => undefined);
  return onePlace(layout, found)
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1))
    .map((task) => JSON.parse(task.json.toString()) as TaskSummary);
}
