import { unlink } from 'node:fs/promises';
import type { Layout } from '../queue/layout.js';
import { moveTask } from '../queue/moves.js';
import { withTaskLock } from '../queue/task-lock.js';
import { CliError } from './support/errors.js';
import { findTask } from './support/find-task.js';

// `orchestrate retry`: failed/ back to pending/; the daemon starts a fresh round of attempts.
export async function retryTask(layout: Layout, id: string): Promise<void> {
  const state = findTask(layout, id);
  if (state !== 'failed') throw new CliError(`${id} is in ${state}/, not failed/; only failed tasks can be retried`);
  const moved = await withTaskLock(layout, id, () => moveTask(layout, id, 'failed', 'pending'));
  if (moved === 'taken') throw new CliError(`tasks/pending/${id}.yaml already exists; remove one of the two copies`);
  if (moved === 'gone') throw new CliError(`${id} left failed/ meanwhile`);
  await unlink(layout.errorPath(id)).catch(() => undefined);
}
