import { fieldNaming } from '../core/dependency-state.js';
import { formatProblem, type Problem } from '../core/problems.js';
import type { Schedule } from '../core/scheduler.js';
import type { Task } from '../core/task-schema.js';
import type { WaitReason } from '../core/wait-reason.js';
import type { DaemonContext } from './context.js';

// The problem a cycle or an unknown id is, pointing at the field of the task that names it.
function problemsOf(task: Task, reason: WaitReason): Problem[] {
  if (reason.kind === 'cycle') {
    const ids = reason.cycle.split(' -> ');
    const next = ids[ids.indexOf(task.id) + 1] ?? task.id;
    return [
      {
        path: fieldNaming(task, next),
        message: `dependency cycle ${reason.cycle}; it waits in pending/ (remove one of these dependencies)`,
      },
    ];
  }
  if (reason.kind !== 'unknown') return [];
  return reason.ids.map((id) => ({
    path: fieldNaming(task, id),
    message: `unknown task "${id}"; it waits in pending/ until a task with that id is submitted (fix the id if it is a typo)`,
  }));
}

// Reports each pending task's dependency cycle or unknown dependency once (again only when it
// changes), so bad dependencies are named in the log without a line per pass.
export class WaitReports {
  private readonly reported = new Map<string, string>();

  constructor(private readonly ctx: DaemonContext) {}

  note(schedule: Schedule, taskOf: (id: string) => Task | undefined): void {
    // Most passes have nothing to report and nothing reported to clear: skip the walk.
    if (schedule.problems === 0 && this.reported.size === 0) return;
    for (const [id, reason] of schedule.reasons()) {
      const task = taskOf(id);
      const problems = task ? problemsOf(task, reason) : [];
      if (problems.length === 0) {
        this.reported.delete(id);
        continue;
      }
      const lines = problems.map((problem) => formatProblem(`tasks/pending/${id}.yaml`, problem));
      const text = lines.join('\n');
      if (this.reported.get(id) === text) continue;
      this.reported.set(id, text);
      for (const line of lines) this.ctx.log.warn({ task: id }, line);
      this.ctx.event('waiting', { id, reason });
    }
  }

  forget(id: string): void {
    this.reported.delete(id);
  }
}
