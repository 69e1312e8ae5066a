import { recordEndWithoutAttempt } from './finish.js';
import type { Layout } from './layout.js';
import { readTaskFile } from './task-file.js';
import { withTaskLock } from './task-lock.js';

// Moves a task that has not started from pending/ to failed/ as cancelled (daemon and CLI alike).
export function cancelPendingTask(layout: Layout, id: string): Promise<{ ok: boolean; message: string }> {
  return withTaskLock(layout, id, async () => {
    const read = readTaskFile(layout.taskPath('pending', id), id);
    if (read.kind === 'missing') return { ok: false, message: `${id} is no longer pending` };
    if (read.kind !== 'task')
      return { ok: false, message: `${id} is not a valid task; delete tasks/pending/${id}.yaml instead` };
    const createdAt = read.task.fields.created_at ?? new Date(read.signature.mtimeMs).toISOString();
    const recorded = await recordEndWithoutAttempt(
      layout,
      id,
      'pending',
      { text: read.text, fields: read.task.fields, signature: read.signature },
      { outcome: 'cancelled', error: 'cancelled before it started' },
      createdAt,
    );
    if (recorded.moved === 'moved') return { ok: true, message: `cancelled ${id}` };
    return {
      ok: false,
      message:
        recorded.moved === 'changed'
          ? `${id}: tasks/pending/${id}.yaml kept changing or became invalid; cancel it again once it is written`
          : `${id} was claimed meanwhile; cancel it again`,
    };
  });
}
