import { existsSync } from 'node:fs';
import type { Problem } from '../core/problems.js';
import type { Decision } from '../core/scheduler.js';
import type { TaskResult } from '../core/task-schema.js';
import { nextAttemptNumber } from '../core/transitions.js';
import { cancelPendingTask } from '../queue/cancel-pending.js';
import { recordEndWithoutAttempt } from '../queue/finish.js';
import { claimTask } from '../queue/moves.js';
import { setAside } from '../queue/set-aside.js';
import type { DaemonContext } from './context.js';
import type { ContextWriter } from './context-writer.js';
import type { ReadyTask } from './inspect-pending.js';
import type { PendingSet } from './pending-set.js';
import type { RunLocks } from './run-locks.js';
import { WorkUnderWay } from './work-under-way.js';
import type { Runner } from './runner.js';

// What carrying out the scheduler's decisions needs of the daemon.
export interface TransitionDeps {
  ctx: DaemonContext;
  runner: Runner;
  locks: RunLocks;
  pending: PendingSet;
  // The ids in completed/ and failed/, as the daemon knows them.
  completed: Set<string>;
  failed: Set<string>;
  context: ContextWriter;
  // A task to look at again in the next pass (its claim lost a race, or its file changed).
  lookAgain(id: string): void;
  ring(): void;
}

// The task's created_at: as written, else when its file appeared.
function createdAtOf(entry: ReadyTask): string {
  return entry.task.fields.created_at ?? new Date(entry.createdAtMs).toISOString();
}

// Carries out what the scheduler decided for pending tasks (claim and start, end without a run, set
// aside) and a cancel of a pending one, keeping each id busy meanwhile, and counts the work in flight.
export class PendingTransitions {
  // Ids with a transition under way: never evaluated or scheduled meanwhile.
  private readonly busy = new Set<string>();
  // The transitions under way (the daemon is not idle, nor done flushing, meanwhile).
  private readonly work = new WorkUnderWay();

  constructor(private readonly deps: TransitionDeps) {}

  isBusy(id: string): boolean {
    return this.busy.has(id);
  }

  get inFlight(): number {
    return this.work.size;
  }

  // Settles once every transition under way now has ended.
  whenDone(): Promise<unknown> {
    return this.work.whenDone();
  }

  carryOut(decision: Decision, entry: ReadyTask): void {
    this.run(decision.id, () => {
      switch (decision.kind) {
        case 'start':
          return this.claimAndStart(entry, decision.agent);
        case 'fail':
          return this.endWithoutRun(entry, { outcome: 'failed', error: decision.error }, 'failed');
        case 'skip':
          return this.endWithoutRun(entry, { outcome: 'skipped', summary: decision.summary }, 'completed');
        case 'reject':
          return this.setAside(decision.id, [{ path: decision.field, message: decision.message }]);
      }
    });
  }

  // Runs one transition of a pending task: the id leaves the ready set and stays busy (never
  // evaluated or scheduled again) until the work is done; then the loop looks again.
  private run(id: string, work: () => Promise<void>): void {
    this.deps.pending.forget(id);
    this.busy.add(id);
    void this.work.track(
      work()
        .catch((error: unknown) =>
          this.deps.ctx.log.error({ task: id, err: error }, `${id}: ${(error as Error).message}`),
        )
        .finally(() => {
          this.busy.delete(id);
          this.deps.ring();
        }),
    );
  }

  // The correctness point: link pending -> assigned (never overwrites), then record and spawn.
  private async claimAndStart(entry: ReadyTask, agent: string): Promise<void> {
    const { ctx, runner, locks } = this.deps;
    const { task } = entry;
    const run = runner.reserve(
      { task, agent, createdAt: createdAtOf(entry), text: entry.text, signature: entry.signature },
      nextAttemptNumber(task.fields),
    );
    // Locks are taken before the claim, so a task whose locks another daemon holds stays pending.
    if (!locks.take(task.id, run.number, run.locks)) {
      runner.release(run);
      this.deps.lookAgain(task.id);
      return;
    }
    const moved = claimTask(ctx.layout, task.id);
    if (moved !== 'moved') {
      locks.release(task.id, run.locks);
      runner.release(run);
      if (moved === 'taken') this.deps.lookAgain(task.id);
      return;
    }
    ctx.event('claimed', { id: task.id, attempt: run.number, slot: run.slot });
    await runner.start(run, task);
  }

  // A task that never runs: its dependency failed (failed/, saying which), or its when-condition
  // did not hold (completed/, as skipped, saying why).
  private async endWithoutRun(entry: ReadyTask, result: TaskResult, to: 'completed' | 'failed'): Promise<void> {
    const { ctx } = this.deps;
    const { task } = entry;
    const source = { text: entry.text, fields: task.fields, signature: entry.signature };
    const recorded = await recordEndWithoutAttempt(ctx.layout, task.id, 'pending', source, result, createdAtOf(entry), {
      to,
      decidedFromSource: true,
    });
    // Changed (the decision was made from the old fields) or claimed meanwhile: the next pass looks
    // at it as it is now.
    if (recorded.moved !== 'moved') return this.deps.lookAgain(task.id);
    ctx.log[to === 'failed' ? 'warn' : 'info'](
      { task: task.id },
      `${task.id} ${result.outcome}: ${result.error ?? result.summary}`,
    );
    (to === 'failed' ? this.deps.failed : this.deps.completed).add(task.id);
    this.deps.context.changed(task.id);
  }

  // Bad input goes to failed/ byte for byte, with the reason beside it; the daemon carries on.
  async setAside(id: string, problems: Problem[], rename = false): Promise<void> {
    const { ctx, failed } = this.deps;
    const result = await setAside(ctx.layout, id, problems, failed, rename, this.deps.pending.twins);
    if (!result) return;
    for (const line of result.lines) ctx.log.warn({ task: id }, line);
    failed.add(result.as);
    ctx.event('invalid', { id, as: result.as, problems: result.lines });
    this.deps.context.changed(result.as);
  }

  // Cancels a pending or running task on request (`orchestrate cancel`).
  cancel(id: string): Promise<{ ok: boolean; message: string }> {
    return this.work.track(this.cancelNow(id));
  }

  private async cancelNow(id: string): Promise<{ ok: boolean; message: string }> {
    const { ctx, runner } = this.deps;
    if (runner.runs.has(id)) {
      await runner.stop(id, { outcome: 'cancelled', error: 'cancelled by orchestrate cancel', requeue: false });
      return { ok: true, message: `cancelled ${id}; its agent was stopped` };
    }
    if (!existsSync(ctx.layout.taskPath('pending', id)))
      return { ok: false, message: `${id} is not pending or running` };
    this.deps.pending.forget(id);
    this.busy.add(id);
    try {
      const result = await cancelPendingTask(ctx.layout, id);
      if (result.ok) this.deps.failed.add(id);
      this.deps.context.changed(id);
      return result;
    } finally {
      this.busy.delete(id);
    }
  }
}
