import { setTimeout as sleep } from 'node:timers/promises';
import { firstRunProcess } from '../process/process-table.js';
import type { Launched } from '../process/runner-pool.js';
import { RunWatch } from './run-watch.js';
import { Spawner } from './spawner.js';
import { stopRunTree } from '../process/stop-run.js';
import type { RunningTask } from '../core/scheduler.js';
import type { AttemptOutcome, Task } from '../core/task-schema.js';
import type { Recorded } from '../queue/finish.js';
import { hasExitFile, isRunProcess, readExitCode } from '../queue/run-files.js';
import type { FileSignature } from '../queue/task-file.js';
import type { DaemonContext } from './context.js';
import { describeRun, type LiveRun, type StopRequest } from './live-run.js';
import { RunEnds } from './run-end.js';
import { prepareRun } from './run-prepare.js';

const ADOPTED_POLL_MS = 200;
const RUNNER_REPORT_MS = 1000;

export interface StartRequest {
  task: Task;
  agent: string;
  createdAt: string;
  // The text and signature the task was claimed with: reused at the end if the file is unchanged.
  text: string;
  signature: FileSignature;
}

// Starts, watches, stops and finishes agent runs; the rest of the daemon only sees slots and ids.
export class Runner {
  readonly runs = new Map<string, LiveRun>();
  // Set once the daemon lets its runs go: ends reported after that are the next daemon's to record.
  private detached = false;
  private readonly watcher: RunWatch;
  private readonly ends: RunEnds;

  constructor(
    private readonly ctx: DaemonContext,
    onFinished: (run: LiveRun, recorded: Recorded | undefined) => void,
    // Called as soon as an agent has ended, before its end is recorded: its slot is free already.
    onSlotFreed: () => void,
    // An agent hit a usage or rate limit: pause it; returns until when.
    onLimited: (agent: string, resetAtMs: number | undefined) => number,
    private readonly spawner = new Spawner(ctx),
  ) {
    this.watcher = new RunWatch(ctx, this.runs, (id, request) => this.stop(id, request));
    this.ends = new RunEnds(ctx, this.runs, {
      onFinished,
      onSlotFreed,
      onLimited,
      readProgress: (run) => this.watcher.readProgress(run),
    });
  }

  // The running tasks as the scheduler sees them. A run whose agent has ended no longer holds its
  // slot while its end is being recorded (its id stays taken until then).
  runningTasks(): RunningTask[] {
    const running: RunningTask[] = [];
    for (const run of this.runs.values())
      if (!run.finished) running.push({ id: run.id, agent: run.agent, locks: run.locks });
    return running;
  }

  // Ids whose agent is being stopped: they must not be claimed again until it is gone.
  stoppingIds(): Set<string> {
    return new Set([...this.runs.values()].filter((run) => run.stopping).map((run) => run.id));
  }

  // The lowest slot number no live run holds (a run being recorded has given its slot back).
  private freeSlot(agent: string): string {
    const used = new Set(
      [...this.runs.values()].filter((run) => run.agent === agent && !run.finished).map((run) => run.slot),
    );
    for (let k = 1; ; k++) if (!used.has(`${agent}#${k}`)) return `${agent}#${k}`;
  }

  // Takes a slot for a task before it is claimed, so concurrent passes count it.
  reserve(request: StartRequest, number: number): LiveRun {
    const { task, agent } = request;
    const run = describeRun({
      id: task.id,
      number,
      agent,
      slot: this.freeSlot(agent),
      runDir: this.ctx.layout.runDir(task.id, number),
      startedAt: new Date().toISOString(),
      createdAt: request.createdAt,
      fields: task.fields,
    });
    run.claimed = { text: request.text, fields: task.fields, signature: request.signature };
    this.runs.set(task.id, run);
    return run;
  }

  // Gives a slot back when the claim did not happen.
  release(run: LiveRun): void {
    this.runs.delete(run.id);
    run.markLaunched();
    run.settle();
  }

  // Records the run, then spawns its agent detached (the task is already in assigned/).
  async start(run: LiveRun, task: Task): Promise<void> {
    try {
      await this.launch(run, task);
    } catch (error) {
      if (run.pid === undefined && !run.finished && !run.stopping)
        await this.finishSpawnError(run, `could not start ${run.agent}: ${(error as Error).message}`);
    } finally {
      run.markLaunched();
    }
  }

  private async launch(run: LiveRun, task: Task): Promise<void> {
    const prepared = await prepareRun(this.ctx, run, task);
    if (prepared.kind === 'aborted') return;
    if (prepared.kind === 'failed') return this.finishSpawnError(run, prepared.error, prepared.outcome);
    // A cancel or stop that arrived while the run was being recorded wins: nothing is spawned.
    if (run.stopping) return;
    const { request, record, timeoutMs } = prepared;
    const started = await this.launchVia(run, () => this.spawner.start(request, record));
    if (typeof started === 'object')
      return this.finishSpawnError(run, `could not start ${run.agent}: ${started.error}`);
    if (started === 'ended') return void this.finish(run, readExitCode(run.runDir) ?? null);
    run.pid = started;
    this.armTimeout(run, timeoutMs);
    this.ctx.event('started', { id: run.id, attempt: run.number, slot: run.slot, pid: run.pid });
    this.ctx.log.info({ task: run.id, slot: run.slot, attempt: run.number, pid: run.pid }, `started ${run.id}`);
  }

  // Starts the run; returns the pid of its process group, or why it could not start. If that
  // process dies mid-request, the run's marker tells whether the agent started (then it is
  // watched) or not (then one more try).
  private async launchVia(run: LiveRun, start: () => Promise<Launched>): Promise<number | 'ended' | { error: string }> {
    for (let attempt = 1; ; attempt++) {
      try {
        const launched = await start();
        run.releaseRunner = launched.release;
        run.reported = launched.exited;
        void launched.exited.then((exit) => {
          if (run.stopping || run.finished || this.detached) return;
          if (exit) void this.finish(run, exit.code, exit.signal ?? undefined);
          else this.watch(run, launched.pid);
        });
        return launched.pid;
      } catch (error) {
        const found = firstRunProcess(run.runDir);
        if (found !== undefined) {
          this.watch(run, found);
          return found;
        }
        // It started and already ended: the runner's status says how.
        if (hasExitFile(run.runDir)) return 'ended';
        if (attempt >= 2) return { error: (error as Error).message };
      }
    }
  }

  private armTimeout(run: LiveRun, timeoutMs: number | null): void {
    if (timeoutMs === null || timeoutMs <= 0) return;
    const remaining = Date.parse(run.startedAt) + timeoutMs - Date.now();
    run.timer = setTimeout(
      () =>
        void this.stop(run.id, {
          outcome: 'timeout',
          error: `timed out after ${Math.round(timeoutMs / 1000)}s and was stopped`,
          requeue: false,
        }),
      Math.max(0, remaining),
    );
    run.timer.unref();
  }

  // Takes over a run a previous daemon started: watch it until its runner leaves an exit status.
  adopt(run: LiveRun, pid: number, timeoutMs: number | null): void {
    run.pid = pid;
    run.markLaunched();
    this.runs.set(run.id, run);
    this.armTimeout(run, timeoutMs);
    this.watch(run, pid);
    this.ctx.log.info({ task: run.id, attempt: run.number, pid }, `re-adopted ${run.id}, still running`);
  }

  // Polls a run nobody reports the exit of (adopted, or its runner died) until it is done.
  private watch(run: LiveRun, pid: number): void {
    run.poller = setInterval(() => {
      if (run.stopping || run.finished) return;
      // The runner writes `exit` once the run ended: trust it once it parses, or once the runner is gone.
      const code = readExitCode(run.runDir);
      if (code !== undefined || !isRunProcess(pid, run.runDir))
        void this.finish(run, code ?? readExitCode(run.runDir) ?? null);
    }, ADOPTED_POLL_MS);
    run.poller.unref();
  }

  // Records a run whose agent ended while no daemon watched (or vanished, leaving no status).
  collect(run: LiveRun): Promise<void> {
    run.markLaunched();
    this.runs.set(run.id, run);
    return this.finish(run, readExitCode(run.runDir) ?? null);
  }

  // Stops a run's agent tree (SIGINT, grace, SIGTERM, grace, SIGKILL) and records why.
  stop(id: string, request: StopRequest): Promise<void> {
    return this.ends.track(this.stopNow(id, request));
  }

  private async stopNow(id: string, request: StopRequest): Promise<void> {
    const run = this.runs.get(id);
    if (!run || run.finished || run.stopping) return run?.settled;
    run.stopping = request;
    run.preparing?.abort();
    this.ctx.log.info({ task: id, outcome: request.outcome }, `stopping ${id}: ${request.error}`);
    // A claim under way finishes first (it will not spawn now), so the attempt is recorded once.
    await run.launched;
    if (this.runs.get(id) !== run) return;
    if (run.pid !== undefined) await stopRunTree(run.pid, run.runDir, this.ctx.config().killGraceMs);
    // A runner shell outlives the task: give it a moment to write the task's exit status.
    if (run.reported) await Promise.race([run.reported, sleep(RUNNER_REPORT_MS, undefined, { ref: false })]);
    await this.finish(run, readExitCode(run.runDir) ?? null);
  }

  // Forgets every run without touching its agent: they keep running for the next daemon. A run
  // being stopped or recorded is finished first (whenDone).
  detachAll(): void {
    this.watcher.close();
    this.detached = true;
    this.spawner.close();
    for (const run of this.runs.values()) {
      if (run.stopping || run.finished) continue;
      clearTimeout(run.timer);
      clearInterval(run.poller);
      run.preparing?.abort();
      run.settle();
    }
  }

  private async finishSpawnError(run: LiveRun, error: string, outcome: AttemptOutcome = 'spawn_error'): Promise<void> {
    run.stopping = { outcome, error, requeue: false };
    await this.finish(run, null);
  }

  // Reads what the agent left, appends the attempt to the task file and moves it on.
  private finish(run: LiveRun, exitCode: number | null, signal?: NodeJS.Signals): Promise<void> {
    return this.ends.finish(run, exitCode, signal);
  }

  // Whether a stop, an end being recorded or a leftover sweep is under way.
  get isBusy(): boolean {
    return this.ends.isBusy;
  }

  // Settles once every stop, end being recorded and leftover sweep under way now has ended.
  whenDone(): Promise<unknown> {
    return this.ends.whenDone();
  }
}
