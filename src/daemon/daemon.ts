import { allStuck, viewOf } from '../core/decision-view.js';
import { LockVerdicts, schedule, type Schedule, type SchedulerInput } from '../core/scheduler.js';
import { sweepOrphanErrors } from '../queue/set-aside.js';
import { summarizeTask } from '../queue/task-summary.js';
import { AgentPauses } from './agent-pauses.js';
import { ContextWriter } from './context-writer.js';
import type { DaemonContext } from './context.js';
import { reconcileAssigned } from './assigned-pass.js';
import type { LiveRun } from './live-run.js';
import { Runner } from './runner.js';
import type { Recorded } from '../queue/finish.js';
import type { PendingView } from '../core/wait-reason.js';
import { WaitReports } from './wait-reports.js';
import { RunLocks } from './run-locks.js';
import { PassLoop, type PassOutcome } from './pass-loop.js';
import { listIds, PendingSet } from './pending-set.js';
import { PendingTransitions } from './pending-transitions.js';
import { RepeatFilter } from './repeat-filter.js';

// Pending files read in one go before the loop lets other work through.
const EVALUATE_BATCH = 32;

function refill(set: Set<string>, ids: Set<string>): void {
  set.clear();
  for (const id of ids) set.add(id);
}

// The reconcile loop: the folders are read, compared with what the daemon knows, and acted on.
// Watch events and `add` only say "look again"; every decision is made here.
export class Daemon {
  readonly runner: Runner;
  private readonly pending: PendingSet;
  private readonly loop: PassLoop;
  // The last pass's schedule: how many ready tasks waited for what.
  private lastSchedule: Schedule | undefined;
  private readonly lockVerdicts = new LockVerdicts();
  private readonly waitReports: WaitReports;
  private readonly locks: RunLocks;
  private readonly dirtyPending = new Set<string>();
  private readonly completed = new Set<string>();
  private readonly failed = new Set<string>();
  private scanPending = true;
  private scanAssigned = true;
  private scanFinished = true;
  private readonly pauses: AgentPauses;
  private readonly transitions: PendingTransitions;
  private claiming = true;
  private recovered = false;
  private markRecovered!: () => void;
  // Settles once the runs a previous daemon left in assigned/ are adopted or recorded.
  private readonly recovery = new Promise<void>((resolve) => (this.markRecovered = resolve));
  private idleWaiters: (() => void)[] = [];
  private readonly context: ContextWriter;
  private readonly repeats = new RepeatFilter();

  constructor(private readonly ctx: DaemonContext) {
    this.runner = new Runner(
      ctx,
      (run, recorded) => this.onRunFinished(run, recorded),
      // A slot was freed: the next task's claim and spawn come before the work queued behind this exit.
      () => this.loop.runNow(),
      (agent, resetAtMs) => this.pauses.pause(agent, resetAtMs),
    );
    this.waitReports = new WaitReports(ctx);
    this.pending = new PendingSet(ctx.layout, (id) => this.waitReports.forget(id));
    this.loop = new PassLoop(
      () => this.reconcile(),
      (outcome) => this.settled(outcome),
    );
    this.locks = new RunLocks(ctx);
    this.pauses = new AgentPauses(ctx);
    this.context = new ContextWriter(ctx, {
      completed: this.completed,
      failed: this.failed,
      pending: () =>
        [...this.pending.ready.values()].map((entry) => summarizeTask(entry.task.id, 'pending', entry.task.fields)),
      running: () =>
        [...this.runner.runs.values()].map((run) => ({
          id: run.id,
          slot: run.slot,
          startedAt: run.startedAt,
          description: run.description,
        })),
    });
    this.transitions = new PendingTransitions({
      ctx,
      runner: this.runner,
      locks: this.locks,
      pending: this.pending,
      completed: this.completed,
      failed: this.failed,
      context: this.context,
      lookAgain: (id) => this.dirtyPending.add(id),
      ring: () => this.ring(),
    });
  }

  // Wakes the loop; `full` re-reads every folder (the periodic rescan).
  ring(options: { full?: boolean; pendingIds?: string[]; trusted?: boolean; assigned?: boolean } = {}): void {
    if (options.full) {
      this.scanPending = this.scanAssigned = this.scanFinished = true;
    }
    if (options.assigned) this.scanAssigned = true;
    for (const id of options.pendingIds ?? []) {
      this.dirtyPending.add(id);
      if (options.trusted) this.pending.trust(id);
    }
    this.loop.ring();
  }

  // Resolves once the runs left in assigned/ are this daemon's (a stop that kills agents waits for it).
  whenRecovered(): Promise<void> {
    this.ring();
    return this.recovery;
  }

  // Stops claiming new tasks (the first step of every shutdown).
  stopClaiming(): void {
    this.claiming = false;
    this.loop.stopWaking();
    this.context.stop();
  }

  // Resolves once nothing is pending, running or being moved.
  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.ring();
    });
  }

  // After a run of passes: a failure is logged (once while it repeats), then idleness is looked at.
  private settled(outcome: PassOutcome): void {
    if (!outcome.failed) this.repeats.clear(':reconcile');
    else {
      const message = `reconcile failed: ${(outcome.error as Error).message}`;
      if (this.repeats.fresh(':reconcile', message)) this.ctx.log.error({ err: outcome.error }, message);
    }
    this.checkIdle();
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0) return;
    const idle =
      this.pending.settlingCount === 0 &&
      this.runner.runs.size === 0 &&
      this.transitions.inFlight === 0 &&
      this.recovered &&
      !this.loop.isRungAgain &&
      allStuck(this.lastSchedule, this.pending.ready.size);
    if (!idle) return;
    const ready = this.pending.ready.size;
    if (ready > 0)
      this.ctx.log.warn({ pending: ready }, `idle: ${ready} pending task(s) cannot run (see \`orchestrate status\`)`);
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    void this.context.write({ idle: true }).finally(() =>
      waiters.forEach((resolve) => {
        resolve();
      }),
    );
  }

  private async reconcile(): Promise<void> {
    const { layout } = this.ctx;
    if (this.scanFinished) {
      this.scanFinished = false;
      refill(this.completed, listIds(layout.folder('completed')));
      refill(this.failed, listIds(layout.folder('failed')));
      this.context.syncWithFolders();
      sweepOrphanErrors(layout, this.failed);
    }
    if (this.scanAssigned) {
      this.scanAssigned = false;
      await reconcileAssigned(this.ctx, this.runner, this.locks, {
        setAside: (id, problems) => this.transitions.setAside(id, problems),
        lookAgain: (id) => this.dirtyPending.add(id),
        inFlight: (change) => this.transitions.track(change),
      });
      this.recovered = true;
      this.markRecovered();
      this.locks.sweep((id) => this.runner.runs.has(id));
    }
    if (this.scanPending) {
      this.scanPending = false;
      for (const id of this.pending.sync(listIds(layout.folder('pending')))) this.dirtyPending.add(id);
    }
    const now = Date.now();
    const dirty = [...this.dirtyPending];
    this.dirtyPending.clear();
    for (const [index, id] of dirty.entries()) {
      try {
        await this.evaluate(id, now);
        this.repeats.clear(id);
      } catch (error) {
        const message = `tasks/pending/${id}.yaml could not be handled: ${(error as Error).message}`;
        if (this.repeats.fresh(id, message)) this.ctx.log.error({ task: id, err: error }, message);
      }
      // A burst of new files must not hold up running agents' exits and the next starts.
      if (index % EVALUATE_BATCH === EVALUATE_BATCH - 1) await new Promise((resolve) => setImmediate(resolve));
    }
    if (this.claiming) this.scheduleAndStart();
    this.armWake();
  }

  // Applies what a file in pending/ turned out to be: not ready yet, a valid task, or bad input.
  private async evaluate(id: string, now: number): Promise<void> {
    if (this.transitions.isBusy(id) || this.runner.runs.has(id)) return;
    const invalid = this.pending.look(id, {
      now,
      stableWindowMs: this.ctx.config().stableWindowMs,
      onMoveFinished: () => this.forgetFinished(id),
    });
    if (invalid) return this.transitions.setAside(id, invalid.problems, invalid.rename);
  }

  private forgetFinished(id: string): void {
    this.completed.delete(id);
    this.failed.delete(id);
  }

  // Ids that exist but are not ready and not ended: a dependency on one of them is not unknown.
  private readonly present = {
    has: (id: string) => this.pending.has(id) || this.transitions.isBusy(id) || this.runner.runs.has(id),
  };

  private scheduleInput(now: number, explain: boolean): SchedulerInput {
    const config = this.ctx.config();
    return {
      now,
      config,
      ...this.pending.order.ordered(now, config.defaults),
      running: this.runner.runningTasks(),
      completed: this.completed,
      failed: this.failed,
      blocked: this.runner.stoppingIds(),
      paused: this.pauses.until,
      present: this.present,
      cycles: this.pending.order.cycles,
      held: this.locks.foreign,
      explain,
      lockVerdicts: this.lockVerdicts,
    };
  }

  private scheduleAndStart(): void {
    const { ready } = this.pending;
    if (ready.size === 0) return;
    const result = schedule(this.scheduleInput(Date.now(), false));
    this.lastSchedule = result;
    this.waitReports.note(result, (id) => ready.get(id)?.task);
    for (const decision of result.decisions) {
      const entry = ready.get(decision.id);
      if (entry) this.transitions.carryOut(decision, entry);
    }
    if (result.nextWakeMs !== undefined) this.wakeAt(result.nextWakeMs);
  }

  // Why each pending task waits, worked out now for every one of them (for `orchestrate status`).
  explainWaiting(): { waiting: Record<string, PendingView> } {
    const waiting = this.pending.settlingViews();
    if (this.pending.ready.size > 0) {
      const result = schedule(this.scheduleInput(Date.now(), true));
      for (const [id, reason] of result.reasons()) waiting[id] = reason;
      for (const decision of result.decisions) waiting[decision.id] = viewOf(decision);
    }
    return { waiting };
  }

  // Cancels a pending or running task on request (`orchestrate cancel`).
  cancel(id: string): Promise<{ ok: boolean; message: string }> {
    return this.transitions.cancel(id);
  }

  private onRunFinished(run: LiveRun, recorded: Recorded | undefined): void {
    // Every end (success, failure, timeout, cancel, spawn error, lost) comes here once recorded.
    this.locks.release(run.id, run.locks);
    if (recorded?.to === 'completed') this.pauses.succeeded(run.agent);
    const moved = recorded?.moved === 'moved';
    if (moved) {
      if (recorded.to === 'completed') this.completed.add(run.id);
      if (recorded.to === 'failed') this.failed.add(run.id);
      if (recorded.to === 'pending') this.dirtyPending.add(run.id);
    }
    this.context.changed(moved ? run.id : undefined);
    this.ring();
  }

  private armWake(): void {
    const next = this.pending.nextLook();
    if (next !== undefined) this.wakeAt(next);
  }

  private wakeAt(when: number): void {
    if (!this.claiming) return this.loop.stopWaking();
    this.loop.wakeAt(when, () => this.ring({ pendingIds: this.pending.waitingIds() }));
  }

  // Waits for transitions under way, then writes context/ and the index one last time.
  async flush(): Promise<void> {
    while (this.transitions.inFlight > 0 || this.loop.isRunning)
      await new Promise((resolve) => setTimeout(resolve, 10));
    await this.context.write({ idle: true });
  }
}
