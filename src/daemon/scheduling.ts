import { viewOf } from '../core/decision-view.js';
import { LockVerdicts, schedule, type Schedule, type SchedulerInput } from '../core/scheduler.js';
import type { PendingView } from '../core/wait-reason.js';
import type { AgentPauses } from './agent-pauses.js';
import type { DaemonContext } from './context.js';
import type { PendingSet } from './pending-set.js';
import type { PendingTransitions } from './pending-transitions.js';
import type { RunLocks } from './run-locks.js';
import type { Runner } from './runner.js';
import { WaitReports } from './wait-reports.js';

// What the scheduler is given of the daemon's state.
export interface SchedulingDeps {
  ctx: DaemonContext;
  pending: PendingSet;
  runner: Runner;
  transitions: PendingTransitions;
  locks: RunLocks;
  pauses: AgentPauses;
  // The ids in completed/ and failed/, as the daemon knows them.
  completed: ReadonlySet<string>;
  failed: ReadonlySet<string>;
}

// Asks the scheduler what to do with the ready tasks and has it carried out; says why each waits.
export class Scheduling {
  // The last pass's schedule: how many ready tasks waited for what.
  private lastSchedule: Schedule | undefined;
  private readonly lockVerdicts = new LockVerdicts();
  private readonly waitReports: WaitReports;

  constructor(private readonly deps: SchedulingDeps) {
    this.waitReports = new WaitReports(deps.ctx);
  }

  get last(): Schedule | undefined {
    return this.lastSchedule;
  }

  // A pending task left the ready set: its wait is reported afresh if it comes back.
  forget(id: string): void {
    this.waitReports.forget(id);
  }

  // Starts, ends or sets aside the ready tasks the scheduler picks; returns when to look again (a
  // retry's backoff, a paused agent), if any task waits for a time.
  startReady(): number | undefined {
    const { ready } = this.deps.pending;
    if (ready.size === 0) return undefined;
    const result = schedule(this.input(Date.now(), false));
    this.lastSchedule = result;
    this.waitReports.note(result, (id) => ready.get(id)?.task);
    for (const decision of result.decisions) {
      const entry = ready.get(decision.id);
      if (entry) this.deps.transitions.carryOut(decision, entry);
    }
    return result.nextWakeMs;
  }

  // Why each pending task waits, worked out now for every one of them (for `orchestrate status`).
  explainWaiting(): { waiting: Record<string, PendingView> } {
    const { pending } = this.deps;
    const waiting = pending.settlingViews();
    if (pending.ready.size > 0) {
      const result = schedule(this.input(Date.now(), true));
      for (const [id, reason] of result.reasons()) waiting[id] = reason;
      for (const decision of result.decisions) waiting[decision.id] = viewOf(decision);
    }
    return { waiting };
  }

  // Ids that exist but are not ready and not ended: a dependency on one of them is not unknown.
  private readonly present = {
    has: (id: string) => this.deps.pending.has(id) || this.deps.transitions.isBusy(id) || this.deps.runner.runs.has(id),
  };

  private input(now: number, explain: boolean): SchedulerInput {
    const { ctx, pending, runner } = this.deps;
    const config = ctx.config();
    return {
      now,
      config,
      ...pending.order.ordered(now, config.defaults),
      running: runner.runningTasks(),
      completed: this.deps.completed,
      failed: this.deps.failed,
      blocked: runner.stoppingIds(),
      paused: this.deps.pauses.until,
      present: this.present,
      cycles: pending.order.cycles,
      held: this.deps.locks.foreign,
      explain,
      lockVerdicts: this.lockVerdicts,
    };
  }
}
