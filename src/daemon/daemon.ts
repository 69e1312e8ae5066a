import { existsSync, readdirSync } from 'node:fs';
import type { Problem } from '../core/problems.js';
import { LockVerdicts, schedule, type Decision, type Schedule, type SchedulerInput, type WaitReason } from '../core/scheduler.js';
import { taskIdOf } from '../core/ids.js';
import { nextAttemptNumber } from '../core/transitions.js';
import { recordEndWithoutAttempt } from '../queue/finish.js';
import { claimTask, moveTask } from '../queue/moves.js';
import { setAside, sweepOrphanErrors } from '../queue/set-aside.js';
import { cancelPendingTask } from '../queue/cancel-pending.js';
import { summarizeTask } from '../queue/task-summary.js';
import { AgentPauses } from './agent-pauses.js';
import { ContextWriter } from './context-writer.js';
import { inspectPending, type ReadyTask } from './inspect-pending.js';
import type { DaemonContext } from './context.js';
import { recoverAssigned } from './recovery.js';
import type { LiveRun } from './live-run.js';
import { Runner } from './runner.js';
import type { Recorded } from '../queue/finish.js';
import type { TaskResult } from '../core/task-schema.js';
import type { PendingView } from '../core/wait-reason.js';
import { WaitReports } from './wait-reports.js';
import { RunLocks } from './run-locks.js';
import { ReadyOrder } from './ready-order.js';
import { RepeatFilter } from './repeat-filter.js';
import { WriterScan } from './writer-scan.js';
import type { OpenWriter } from '../agents/process-table.js';

// Pending files read in one go before the loop lets other work through.
const EVALUATE_BATCH = 32;

interface Waiting {
  until: number;
  writer?: OpenWriter;
}

function listIds(dir: string): Set<string> {
  const ids = new Set<string>();
  for (const name of readdirSync(dir)) {
    const id = taskIdOf(name);
    if (id !== undefined) ids.add(id);
  }
  return ids;
}

// The task's created_at: as written, else when its file appeared.
function createdAtOf(entry: ReadyTask): string {
  return entry.task.fields.created_at ?? new Date(entry.createdAtMs).toISOString();
}

// Reasons a task can wait for that nothing running or in flight will end: the daemon is idle.
const STUCK: readonly WaitReason['kind'][] = ['dependency', 'cycle', 'unknown', 'slot'];

// What a decision not yet carried out means for `status`.
function viewOf(decision: Decision): PendingView {
  switch (decision.kind) {
    case 'start':
      return { kind: 'starting' };
    case 'fail':
      return { kind: 'ends', outcome: 'failed', why: decision.error };
    case 'skip':
      return { kind: 'ends', outcome: 'skipped', why: decision.summary };
    case 'reject':
      return { kind: 'invalid', problem: `${decision.field}: ${decision.message}` };
  }
}

function refill(set: Set<string>, ids: Set<string>): void {
  set.clear();
  for (const id of ids) set.add(id);
}

// The reconcile loop: the folders are read, compared with what the daemon knows, and acted on.
// Watch events and `add` only say "look again"; every decision is made here.
export class Daemon {
  readonly runner: Runner;
  private readonly ready = new Map<string, ReadyTask>();
  private readonly waiting = new Map<string, Waiting>();
  private readonly order = new ReadyOrder();
  // The last pass's schedule: how many ready tasks waited for what.
  private lastSchedule: Schedule | undefined;
  private readonly lockVerdicts = new LockVerdicts();
  private readonly waitReports: WaitReports;
  private readonly locks: RunLocks;
  private readonly trusted = new Set<string>();
  private readonly dirtyPending = new Set<string>();
  private readonly completed = new Set<string>();
  private readonly failed = new Set<string>();
  private scanPending = true;
  private scanAssigned = true;
  private scanFinished = true;
  private passRunning = false;
  private passAgain = false;
  private passQueued = false;
  private wakeTimer: NodeJS.Timeout | undefined;
  private readonly pauses: AgentPauses;
  private inFlight = 0;
  // Ids with a transition under way in this daemon: never evaluated or scheduled meanwhile.
  private readonly busy = new Set<string>();
  private claiming = true;
  private recovered = false;
  private markRecovered!: () => void;
  // Settles once the runs a previous daemon left in assigned/ are adopted or recorded.
  private readonly recovery = new Promise<void>((resolve) => (this.markRecovered = resolve));
  private idleWaiters: (() => void)[] = [];
  private readonly context: ContextWriter;
  private readonly repeats = new RepeatFilter();
  private readonly writers: WriterScan;

  constructor(private readonly ctx: DaemonContext) {
    this.runner = new Runner(
      ctx,
      (run, recorded) => this.onRunFinished(run, recorded),
      () => this.refill(),
      (agent, resetAtMs) => this.pauses.pause(agent, resetAtMs),
    );
    this.writers = new WriterScan();
    this.waitReports = new WaitReports(ctx);
    this.locks = new RunLocks(ctx);
    this.pauses = new AgentPauses(ctx);
    this.context = new ContextWriter(ctx, {
      completed: this.completed,
      failed: this.failed,
      pending: () => [...this.ready.values()].map((entry) => summarizeTask(entry.task.id, 'pending', entry.task.fields)),
      running: () => [...this.runner.runs.values()].map((run) => ({ id: run.id, slot: run.slot, startedAt: run.startedAt, description: run.description })),
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
      if (options.trusted) this.trusted.add(id);
    }
    if (this.passRunning) {
      this.passAgain = true;
      return;
    }
    if (this.passQueued) return;
    this.passQueued = true;
    setImmediate(() => {
      this.passQueued = false;
      void this.pass();
    });
  }

  // A slot was freed: look at once rather than on the next turn of the loop, so the next task's
  // claim and spawn come before the work queued behind this exit.
  private refill(): void {
    if (this.passRunning || this.passQueued) return this.ring();
    void this.pass();
  }

  // Resolves once the runs left in assigned/ are this daemon's (a stop that kills agents waits for it).
  whenRecovered(): Promise<void> {
    this.ring();
    return this.recovery;
  }

  // Stops claiming new tasks (the first step of every shutdown).
  stopClaiming(): void {
    this.claiming = false;
    clearTimeout(this.wakeTimer);
    this.context.stop();
  }

  // Resolves once nothing is pending, running or being moved.
  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.ring();
    });
  }

  private async pass(): Promise<void> {
    this.passRunning = true;
    try {
      do {
        this.passAgain = false;
        await this.reconcile();
      } while (this.passAgain);
      this.repeats.clear(':reconcile');
    } catch (error) {
      const message = `reconcile failed: ${(error as Error).message}`;
      if (this.repeats.fresh(':reconcile', message)) this.ctx.log.error({ err: error }, message);
    } finally {
      this.passRunning = false;
    }
    this.checkIdle();
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0) return;
    const idle = this.waiting.size === 0 && this.runner.runs.size === 0 && this.inFlight === 0 && this.recovered && !this.passAgain && this.allStuck();
    if (!idle) return;
    if (this.ready.size > 0) this.ctx.log.warn({ pending: this.ready.size }, `idle: ${this.ready.size} pending task(s) cannot run (see \`orchestrate status\`)`);
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    void this.context.write({ idle: true }).finally(() => waiters.forEach((resolve) => resolve()));
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
      await this.reconcileAssigned();
      this.recovered = true;
      this.markRecovered();
      this.locks.sweep((id) => this.runner.runs.has(id));
    }
    if (this.scanPending) {
      this.scanPending = false;
      const present = listIds(layout.folder('pending'));
      for (const id of present) if (!this.ready.has(id)) this.dirtyPending.add(id);
      for (const id of [...this.ready.keys(), ...this.waiting.keys()]) if (!present.has(id)) this.forget(id);
      for (const id of this.ready.keys()) this.dirtyPending.add(id);
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

  private forget(id: string): void {
    const entry = this.ready.get(id);
    if (entry) {
      this.ready.delete(id);
      this.order.removed(entry);
    }
    this.waiting.delete(id);
    this.waitReports.forget(id);
  }

  // Applies what a file in pending/ turned out to be: not ready yet, a valid task, or bad input.
  private async evaluate(id: string, now: number): Promise<void> {
    if (this.busy.has(id) || this.runner.runs.has(id)) return;
    const verdict = inspectPending(this.ctx.layout, id, {
      now,
      stableWindowMs: this.ctx.config().stableWindowMs,
      trusted: this.trusted.has(id),
      known: this.ready.get(id)?.signature,
      writerOf: (stats) => this.writers.writerOf(stats),
      onMoveFinished: () => this.forgetFinished(id),
    });
    switch (verdict.kind) {
      case 'unchanged':
        return;
      case 'wait':
        this.forget(id);
        this.waiting.set(id, { until: verdict.until, ...(verdict.writer ? { writer: verdict.writer } : {}) });
        return;
      case 'gone':
        this.forget(id);
        this.trusted.delete(id);
        return;
      case 'invalid':
        this.forget(id);
        this.trusted.delete(id);
        return this.setAside(id, verdict.problems, verdict.rename);
      case 'ready':
        this.trusted.delete(id);
        this.forget(id);
        this.ready.set(id, verdict.entry);
        this.order.added(verdict.entry);
    }
  }

  private forgetFinished(id: string): void {
    this.completed.delete(id);
    this.failed.delete(id);
  }

  // Bad input goes to failed/ byte for byte, with the reason beside it; the daemon carries on.
  private async setAside(id: string, problems: Problem[], rename = false): Promise<void> {
    const result = await setAside(this.ctx.layout, id, problems, this.failed, rename);
    if (!result) return;
    for (const line of result.lines) this.ctx.log.warn({ task: id }, line);
    this.failed.add(result.as);
    this.ctx.event('invalid', { id, as: result.as, problems: result.lines });
    this.context.changed(result.as);
  }

  // Notices assigned/ files that vanished (cancel by hand) and ones no run owns (recovery).
  private async reconcileAssigned(): Promise<void> {
    const { layout, log } = this.ctx;
    const present = listIds(layout.folder('assigned'));
    for (const run of [...this.runner.runs.values()]) {
      if (present.has(run.id) || run.finished || run.stopping || run.pid === undefined) continue;
      const movedTo = (['pending', 'failed', 'completed'] as const).find((state) => existsSync(layout.taskPath(state, run.id)));
      const error = movedTo ? `moved to ${movedTo}/ by hand while running` : 'its task file was removed from assigned/ while running';
      void this.runner.stop(run.id, { outcome: 'cancelled', error, requeue: movedTo === 'pending' });
    }
    for (const id of present) {
      if (this.runner.runs.has(id)) continue;
      this.inFlight++;
      try {
        const outcome = await recoverAssigned(this.ctx, this.runner, id);
        const adopted = outcome === 'adopted' ? this.runner.runs.get(id) : undefined;
        if (adopted) this.locks.takeOver(id, adopted.number, adopted.locks);
        if (typeof outcome === 'object') {
          log.warn({ task: id }, `${id} in assigned/ is not a valid task; moving it to failed/`);
          const moved = await moveTask(layout, id, 'assigned', 'pending');
          if (moved === 'moved') await this.setAside(id, outcome.invalid);
        } else if (outcome === 'requeued' || outcome === 'resolved') {
          this.dirtyPending.add(id);
        }
      } catch (error) {
        log.error({ task: id, err: error }, `could not recover ${id}: ${(error as Error).message}`);
      } finally {
        this.inFlight--;
      }
    }
  }

  // Runs one transition of a pending task: the id leaves the ready set and stays busy (never
  // evaluated or scheduled again) until the work is done; then the loop looks again.
  private transition(id: string, work: () => Promise<void>): void {
    this.forget(id);
    this.busy.add(id);
    this.inFlight++;
    void work()
      .catch((error: unknown) => this.ctx.log.error({ task: id, err: error }, `${id}: ${(error as Error).message}`))
      .finally(() => {
        this.busy.delete(id);
        this.inFlight--;
        this.ring();
      });
  }

  // Ids that exist but are not ready and not ended: a dependency on one of them is not unknown.
  private readonly present = { has: (id: string) => this.ready.has(id) || this.waiting.has(id) || this.busy.has(id) || this.runner.runs.has(id) };

  private scheduleInput(now: number, explain: boolean): SchedulerInput {
    const config = this.ctx.config();
    return {
      now,
      config,
      pending: this.order.ordered(now, config.defaults),
      running: this.runner.runningTasks(),
      completed: this.completed,
      failed: this.failed,
      blocked: this.runner.stoppingIds(),
      paused: this.pauses.until,
      present: this.present,
      cycles: this.order.cycles,
      held: this.locks.foreign,
      explain,
      lockVerdicts: this.lockVerdicts,
    };
  }

  private scheduleAndStart(): void {
    if (this.ready.size === 0) return;
    const result = schedule(this.scheduleInput(Date.now(), false));
    this.lastSchedule = result;
    this.waitReports.note(result, (id) => this.ready.get(id)?.task);
    for (const decision of result.decisions) {
      const entry = this.ready.get(decision.id);
      if (!entry) continue;
      this.transition(decision.id, () => {
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
    if (result.nextWakeMs !== undefined) this.wakeAt(result.nextWakeMs);
  }

  // Whether every ready task waits for something that nothing running or in flight will bring.
  private allStuck(): boolean {
    if (this.ready.size === 0) return true;
    const counts = this.lastSchedule?.waitCounts;
    return counts !== undefined && STUCK.reduce((sum, kind) => sum + counts[kind], 0) === this.ready.size;
  }

  // Why each pending task waits, worked out now for every one of them (for `orchestrate status`).
  explainWaiting(): { waiting: Record<string, PendingView> } {
    const waiting: Record<string, PendingView> = {};
    for (const [id, entry] of this.waiting) waiting[id] = entry.writer ? { kind: 'settling', writer: entry.writer } : { kind: 'settling' };
    if (this.ready.size > 0) {
      const result = schedule(this.scheduleInput(Date.now(), true));
      for (const [id, reason] of result.reasons()) waiting[id] = reason;
      for (const decision of result.decisions) waiting[decision.id] = viewOf(decision);
    }
    return { waiting };
  }

  // The correctness point: link pending -> assigned (never overwrites), then record and spawn.
  private async claimAndStart(entry: ReadyTask, agent: string): Promise<void> {
    const { task } = entry;
    const createdAt = createdAtOf(entry);
    const run = this.runner.reserve({ task, agent, createdAt, text: entry.text, signature: entry.signature }, nextAttemptNumber(task.fields));
    // Locks are taken before the claim, so a task whose locks another daemon holds stays pending.
    if (!this.locks.take(task.id, run.number, run.locks)) {
      this.runner.release(run);
      this.dirtyPending.add(task.id);
      return;
    }
    const moved = claimTask(this.ctx.layout, task.id);
    if (moved !== 'moved') {
      this.locks.release(task.id, run.locks);
      this.runner.release(run);
      if (moved === 'taken') this.dirtyPending.add(task.id);
      return;
    }
    this.ctx.event('claimed', { id: task.id, attempt: run.number, slot: run.slot });
    await this.runner.start(run, task);
  }

  // A task that never runs: its dependency failed (failed/, saying which), or its when-condition
  // did not hold (completed/, as skipped, saying why).
  private async endWithoutRun(entry: ReadyTask, result: TaskResult, to: 'completed' | 'failed'): Promise<void> {
    const { task } = entry;
    const source = { text: entry.text, fields: task.fields, signature: entry.signature };
    const recorded = await recordEndWithoutAttempt(this.ctx.layout, task.id, 'pending', source, result, createdAtOf(entry), { to, decidedFromSource: true });
    // Changed (the decision was made from the old fields) or claimed meanwhile: the next pass looks
    // at it as it is now.
    if (recorded.moved !== 'moved') return void this.dirtyPending.add(task.id);
    this.ctx.log[to === 'failed' ? 'warn' : 'info']({ task: task.id }, `${task.id} ${result.outcome}: ${result.error ?? result.summary}`);
    (to === 'failed' ? this.failed : this.completed).add(task.id);
    this.context.changed(task.id);
  }

  // Cancels a pending or running task on request (`orchestrate cancel`).
  async cancel(id: string): Promise<{ ok: boolean; message: string }> {
    if (this.runner.runs.has(id)) {
      await this.runner.stop(id, { outcome: 'cancelled', error: 'cancelled by orchestrate cancel', requeue: false });
      return { ok: true, message: `cancelled ${id}; its agent was stopped` };
    }
    const { layout } = this.ctx;
    if (existsSync(layout.taskPath('pending', id))) {
      this.forget(id);
      this.busy.add(id);
      try {
        const result = await cancelPendingTask(layout, id);
        if (result.ok) this.failed.add(id);
        this.context.changed(id);
        return result;
      } finally {
        this.busy.delete(id);
      }
    }
    return { ok: false, message: `${id} is not pending or running` };
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
    let next: number | undefined;
    for (const waiting of this.waiting.values()) next = Math.min(next ?? Infinity, waiting.until);
    if (next !== undefined) this.wakeAt(next);
  }

  private wakeAt(when: number): void {
    clearTimeout(this.wakeTimer);
    if (!this.claiming) return;
    this.wakeTimer = setTimeout(() => this.ring({ pendingIds: [...this.waiting.keys()] }), Math.max(0, when - Date.now()) + 5);
  }

  // Waits for transitions under way, then writes context/ and the index one last time.
  async flush(): Promise<void> {
    while (this.inFlight > 0 || this.passRunning) await new Promise((resolve) => setTimeout(resolve, 10));
    await this.context.write({ idle: true });
  }
}
