import { join } from 'node:path';
import { attemptOutcome } from '../core/attempt-outcome.js';
import { groupAlive } from '../process/process-table.js';
import { stopRunTree } from '../process/stop-run.js';
import type { AttemptEnd, Recorded } from '../queue/finish.js';
import { readTail } from '../queue/run-files.js';
import type { DaemonContext } from './context.js';
import type { LiveRun } from './live-run.js';
import { recordRunEnd } from './record-run.js';
import { presetOfRun } from './run-watch.js';
import { WorkUnderWay } from './work-under-way.js';
import { settleRunWorktree } from './worktree-run.js';

const STDOUT_TAIL = 256 * 1024;
const STDERR_TAIL = 16 * 1024;

// How the agent's process ended: its exit code (null when unknown), or the signal that ended it.
interface RunExit {
  exitCode: number | null;
  signal: NodeJS.Signals | undefined;
}

// Turns what an ended run left (its output, exit status, the worktree's work) into the attempt and
// records it in the task file, which moves on. `onLimited` pauses an agent that hit a usage limit
// and returns until when. Undefined when the attempt could only be kept in the run's folder.
async function recordEndOf(
  ctx: DaemonContext,
  run: LiveRun,
  { exitCode, signal }: RunExit,
  onLimited: (agent: string, resetAtMs: number | undefined) => number,
): Promise<Recorded | undefined> {
  const stdout = readTail(join(run.runDir, 'stdout'), STDOUT_TAIL);
  const stderr = readTail(join(run.runDir, 'stderr'), STDERR_TAIL);
  const report = presetOfRun(ctx.config(), run).read({ stdout, stderr, exitCode });
  const failure = run.stopping || signal ? undefined : report.failure;
  const limitedUntil = failure?.kind === 'limit' ? onLimited(run.agent, failure.resetAtMs) : undefined;
  const { outcome, error } = attemptOutcome({
    agent: run.agent,
    exitCode,
    signal,
    stopping: run.stopping,
    report,
    limitedUntil,
  });
  const workspace = run.worktree ? await settleRunWorktree(ctx, run, run.worktree, outcome === 'success') : undefined;
  const end: AttemptEnd = {
    number: run.number,
    slot: run.slot,
    worker: ctx.worker,
    startedAt: run.startedAt,
    endedAt: new Date().toISOString(),
    exitCode,
    outcome,
    error,
    answer: report.answer,
    summary: report.summary,
    ...(report.usage ? { usage: report.usage } : {}),
    ...(workspace ? { workspace } : {}),
    requeue: run.stopping?.requeue ?? false,
    ...(limitedUntil === undefined ? {} : { retryAtMs: limitedUntil }),
    ...(failure?.kind === 'auth' || run.stopping?.final ? { final: true } : {}),
  };
  const recorded = await recordRunEnd(ctx, run, end);
  if (recorded) {
    ctx.log[outcome === 'success' ? 'info' : 'warn'](
      { task: run.id, outcome, to: recorded.to, ...(error ? { error } : {}) },
      `${run.id} ${outcome} -> ${recorded.to}`,
    );
    ctx.event('finished', { id: run.id, attempt: run.number, outcome, to: recorded.to, exit_code: exitCode });
  }
  return recorded;
}

// What finishing a run tells the rest of the daemon, and asks of it.
export interface EndHooks {
  onFinished(run: LiveRun, recorded: Recorded | undefined): void;
  // Called as soon as an agent has ended, before its end is recorded: its slot is free already.
  onSlotFreed(): void;
  // An agent hit a usage or rate limit: pause it; returns until when.
  onLimited(agent: string, resetAtMs: number | undefined): number;
  // Reads the last of the agent's live progress before its end is.
  readProgress(run: LiveRun): void;
}

// Finishes runs whose agent ended (or was stopped): records each end once, stops what an agent left
// behind in its process group, and keeps that work, and the stops that lead to it, until done.
export class RunEnds {
  private readonly work = new WorkUnderWay();

  constructor(
    private readonly ctx: DaemonContext,
    private readonly runs: Map<string, LiveRun>,
    private readonly hooks: EndHooks,
  ) {}

  // Reads what the agent left, appends the attempt to the task file and moves it on (once per run).
  finish(run: LiveRun, exitCode: number | null, signal?: NodeJS.Signals): Promise<void> {
    if (run.finished) return run.settled;
    run.finished = true;
    return this.track(this.record(run, { exitCode, signal }));
  }

  // Counts a stop under way as work to wait for.
  track<T>(promise: Promise<T>): Promise<T> {
    return this.work.track(promise);
  }

  get isBusy(): boolean {
    return this.work.size > 0;
  }

  whenDone(): Promise<unknown> {
    return this.work.whenDone();
  }

  private async record(run: LiveRun, exit: RunExit): Promise<void> {
    const { ctx, hooks } = this;
    hooks.onSlotFreed();
    clearTimeout(run.timer);
    clearInterval(run.poller);
    // Let the freed slot's next task start first: recording this end can wait a turn of the loop.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      // A runner's pool looks after what its run left; a run adopted from a previous daemon is swept here.
      if (run.releaseRunner) run.releaseRunner();
      else void this.track(this.stopLeftovers(run, ctx.config().killGraceMs));
      hooks.readProgress(run);
      const recorded = await recordEndOf(ctx, run, exit, hooks.onLimited);
      this.runs.delete(run.id);
      hooks.onFinished(run, recorded);
    } catch (error) {
      this.runs.delete(run.id);
      ctx.log.error({ task: run.id, err: error }, `could not record the end of ${run.id}: ${(error as Error).message}`);
      hooks.onFinished(run, undefined);
    } finally {
      run.settle();
    }
  }

  // Stops whatever an agent adopted from a previous daemon left in its process group, once the run
  // ended on its own (the pool looks after the groups of its own runners).
  private async stopLeftovers(run: LiveRun, grace: number): Promise<void> {
    const pid = run.pid;
    if (run.stopping || pid === undefined || !groupAlive(pid)) return;
    await stopRunTree(pid, run.runDir, grace);
  }
}
