import { STATE_FOLDERS } from '../../core/state-folders.js';
import type { Layout } from '../../queue/layout.js';
import type { TaskSummary } from '../../queue/task-summary.js';
import { compareByAge, indexedTasks } from '../tasks.js';

// The tasks that name `id` as their parent (submitted with `add --parent`), oldest first. Found
// through the index cache, so a parent's record needs no rewrite when a child is added; cached
// entries are trusted as they are (a parent never changes), so `show` stays quick over 10,000 tasks.
export async function childrenOf(layout: Layout, id: string): Promise<TaskSummary[]> {
  // Summaries are JSON text: the field matches byte for byte, and text inside a string is escaped.
  const needle = Buffer.from(`"parent":${JSON.stringify(id)}`);
  return (await indexedTasks(layout, STATE_FOLDERS, true))
    .filter((task) => task.json.includes(needle))
    .sort(compareByAge)
    .map((task) => JSON.parse(task.json.toString()) as TaskSummary);
}
