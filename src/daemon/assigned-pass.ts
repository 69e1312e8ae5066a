import { existsSync } from 'node:fs';
import type { Problem } from '../core/problems.js';
import { moveTask } from '../queue/moves.js';
import type { DaemonContext } from './context.js';
import { listIds } from './pending-set.js';
import { recoverAssigned } from './recovery.js';
import type { RunLocks } from './run-locks.js';
import type { Runner } from './runner.js';

// What the pass over assigned/ asks of the rest of the daemon.
export interface AssignedHooks {
  // Bad input (an invalid file found in assigned/, moved back to pending/ first) is set aside.
  setAside(id: string, problems: Problem[]): Promise<void>;
  // A task went back to pending/ (or its interrupted move was finished): look at it again.
  lookAgain(id: string): void;
}

// Notices assigned/ files that vanished (cancel by hand) and ones no run owns (recovery: adopt the
// agent a previous daemon left, collect its end, or put the task back).
export async function reconcileAssigned(
  ctx: DaemonContext,
  runner: Runner,
  locks: RunLocks,
  hooks: AssignedHooks,
): Promise<void> {
  const { layout, log } = ctx;
  const present = listIds(layout.folder('assigned'));
  for (const run of [...runner.runs.values()]) {
    if (present.has(run.id) || run.finished || run.stopping || run.pid === undefined) continue;
    const movedTo = (['pending', 'failed', 'completed'] as const).find((state) =>
      existsSync(layout.taskPath(state, run.id)),
    );
    const error = movedTo
      ? `moved to ${movedTo}/ by hand while running`
      : 'its task file was removed from assigned/ while running';
    void runner.stop(run.id, { outcome: 'cancelled', error, requeue: movedTo === 'pending' });
  }
  for (const id of present) {
    if (runner.runs.has(id)) continue;
    try {
      const outcome = await recoverAssigned(ctx, runner, id);
      const adopted = outcome === 'adopted' ? runner.runs.get(id) : undefined;
      if (adopted) locks.takeOver(id, adopted.number, adopted.locks);
      if (typeof outcome === 'object') {
        log.warn({ task: id }, `${id} in assigned/ is not a valid task; moving it to failed/`);
        const moved = await moveTask(layout, id, 'assigned', 'pending');
        if (moved === 'moved') await hooks.setAside(id, outcome.invalid);
      } else if (outcome === 'requeued' || outcome === 'resolved') {
        hooks.lookAgain(id);
      }
    } catch (error) {
      log.error({ task: id, err: error }, `could not recover ${id}: ${(error as Error).message}`);
    }
  }
}
