import { existsSync, readdirSync } from 'node:fs';
import type { Problem } from '../core/problems.js';
import { findCycles } from '../core/dependency-cycles.js';
import { limitPauseUntil } from '../core/limit-pause.js';
import { schedule, sortPending } from '../core/scheduler.js';
import { taskIdOf } from '../core/ids.js';
import { nextAttemptNumber } from '../core/transitions.js';
import { recordEndWithoutAttempt } from '../queue/finish.js';
import { claimTask, moveTask } from '../queue/moves.js';
import { setAside, sweepOrphanErrors } from '../queue/set-aside.js';
import { cancelPendingTask } from '../queue/cancel-pending.js';
import { summarizeTask } from '../queue/task-summary.js';
import { ContextWriter } from './context-writer.js';
import { inspectPending, type ReadyTask } from './inspect-pending.js';
import type { DaemonContext } from './context.js';
import { recoverAssigned } from './recovery.js';
import type { LiveRun } from './live-run.js';
import { Runner } from './runner.js';
import type { Recorded } from '../queue/finish.js';

// Pending files read in one go before the loop lets other work through.
const EVALUATE_BATCH = 32;

interface Waiting {
  until: number;
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
  private sorted: ReadyTask[] | undefined;
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
  // Agents paused by a usage or rate limit (until when), and how many limits in a row each hit.
  private readonly paused = new Map<string, number>();
  private readonly limitStreak = new Map<string, number>();
  private inFlight = 0;
  // Ids with a transition under way in this daemon: never evaluated or scheduled meanwhile.
  private readonly busy = new Set<string>();
  private claiming = true;
  private recovered = false;
  private idleWaiters: (() => void)[] = [];
  private readonly context: ContextWriter;

  constructor(private readonly ctx: DaemonContext) {
    this.runner = new Runner(
      ctx,
      (run, recorded) => this.onRunFinished(run, recorded),
      () => this.refill(),
      (agent, resetAtMs) => this.pause(agent, resetAtMs),
    );
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
    } catch (error) {
      this.ctx.log.error({ err: error }, `reconcile failed: ${(error as Error).message}`);
    } finally {
      this.passRunning = false;
    }
    this.checkIdle();
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0) return;
    const idle = this.ready.size === 0 && this.waiting.size === 0 && this.runner.runs.size === 0 && this.inFlight === 0 && this.recovered && !this.passAgain;
    if (!idle) return;
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
      } catch (error) {
        this.ctx.log.error({ task: id, err: error }, `tasks/pending/${id}.yaml could not be handled: ${(error as Error).message}`);
      }
      // A burst of new files must not hold up running agents' exits and the next starts.
      if (index % EVALUATE_BATCH === EVALUATE_BATCH - 1) await new Promise((resolve) => setImmediate(resolve));
    }
    if (this.claiming) this.scheduleAndStart();
    this.armWake();
  }

  private forget(id: string): void {
    if (this.ready.delete(id)) this.sorted = undefined;
    this.waiting.delete(id);
  }

  // Applies what a file in pending/ turned out to be: not ready yet, a valid task, or bad input.
  private async evaluate(id: string, now: number): Promise<void> {
    if (this.busy.has(id) || this.runner.runs.has(id)) return;
    const verdict = inspectPending(this.ctx.layout, id, {
      now,
      stableWindowMs: this.ctx.config().stableWindowMs,
      trusted: this.trusted.has(id),
      known: this.ready.get(id)?.signature,
      onMoveFinished: () => this.forgetFinished(id),
    });
    switch (verdict.kind) {
      case 'unchanged':
        return;
      case 'wait':
        this.forget(id);
        this.waiting.set(id, { until: verdict.until });
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
        this.waiting.delete(id);
        this.ready.set(id, verdict.entry);
        this.sorted = undefined;
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

  // A dependency cycle can never run: it is bad input, set aside with the cycle named.
  private rejectCycles(): void {
    const graph = new Map([...this.ready.values()].filter((entry) => entry.task.dependsOn.length > 0).map((entry) => [entry.task.id, entry.task.dependsOn]));
    if (graph.size === 0) return;
    for (const [id, cycle] of findCycles(graph)) {
      this.transition(id, () => this.setAside(id, [{ path: 'depends_on', message: `dependency cycle ${cycle} (remove one of these dependencies)` }]));
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

  private sortedReady(): ReadyTask[] {
    this.sorted ??= sortPending(this.ready.values(), this.ctx.config().defaults.priority);
    return this.sorted;
  }

  private scheduleAndStart(): void {
    if (this.ready.size === 0) return;
    if (this.sorted === undefined) this.rejectCycles();
    const result = schedule({
      now: Date.now(),
      config: this.ctx.config(),
      pending: this.sortedReady(),
      running: this.runner.runningTasks(),
      completed: this.completed,
      failed: this.failed,
      blocked: this.runner.stoppingIds(),
      paused: this.paused,
    });
    for (const decision of result.decisions) {
      const entry = this.ready.get(decision.id);
      if (!entry) continue;
      this.transition(decision.id, () =>
        decision.kind === 'start'
          ? this.claimAndStart(entry, decision.agent)
          : decision.kind === 'fail'
            ? this.failWithoutRun(entry, decision.error)
            : this.setAside(decision.id, [{ path: decision.field, message: decision.message }]),
      );
    }
    if (result.nextWakeMs !== undefined) this.wakeAt(result.nextWakeMs);
  }

  // The correctness point: link pending -> assigned (never overwrites), then record and spawn.
  private async claimAndStart(entry: ReadyTask, agent: string): Promise<void> {
    const { task } = entry;
    const createdAt = createdAtOf(entry);
    const run = this.runner.reserve({ task, agent, createdAt, text: entry.text, signature: entry.signature }, nextAttemptNumber(task.fields));
    const moved = claimTask(this.ctx.layout, task.id);
    if (moved !== 'moved') {
      this.runner.release(run);
      if (moved === 'taken') this.dirtyPending.add(task.id);
      return;
    }
    this.ctx.event('claimed', { id: task.id, attempt: run.number, slot: run.slot });
    await this.runner.start(run, task);
  }

  // A task whose dependency failed never runs: it goes to failed/ saying which dependency.
  private async failWithoutRun(entry: ReadyTask, error: string): Promise<void> {
    const { task } = entry;
    const recorded = await recordEndWithoutAttempt(this.ctx.layout, task.id, 'pending', entry.text, task.fields, { outcome: 'failed', error }, createdAtOf(entry));
    this.ctx.log.warn({ task: task.id }, `${task.id} failed: ${error}`);
    if (recorded.moved === 'moved') this.failed.add(task.id);
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

  // Pauses an agent after a usage or rate limit until the reset time its CLI named, else for a
  // backoff that doubles with each limit in a row; other agents go on. Returns until when.
  private pause(agent: string, resetAtMs: number | undefined): number {
    const streak = (this.limitStreak.get(agent) ?? 0) + 1;
    this.limitStreak.set(agent, streak);
    const now = Date.now();
    const until = Math.max(this.paused.get(agent) ?? 0, limitPauseUntil({ now, resetAtMs, streak, backoffMs: this.ctx.config().defaults.limitBackoffMs }));
    this.paused.set(agent, until);
    this.ctx.log.warn({ agent, until: new Date(until).toISOString() }, `${agent} hit a usage or rate limit: paused until ${new Date(until).toISOString()}; other agents go on`);
    this.ctx.event('paused', { agent, until: new Date(until).toISOString() });
    return until;
  }

  private onRunFinished(run: LiveRun, recorded: Recorded | undefined): void {
    if (recorded?.to === 'completed') this.limitStreak.delete(run.agent);
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
