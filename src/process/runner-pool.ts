import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { processTable, RUNNER_MARKER } from './process-table.js';
import { RUNNER_SCRIPT } from './runner-script.js';
import { stopRunTree } from './stop-run.js';

// How a run's runner reported its end.
export interface AgentExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

// A run a runner has taken.
export interface Launched {
  // The runner's pid, which is its process group's id.
  pid: number;
  // Resolves with the run's exit as the runner reported it, or `undefined` if the runner died first.
  exited: Promise<AgentExit | undefined>;
  // Hands the runner back once the daemon is done with the run (a stop of its tree is over).
  release: () => void;
}

// Where and with what environment a runner runs its tasks: runners are shared only between equals.
export interface RunnerSpec {
  cwd: string;
  env: Record<string, string>;
  runsDir: string;
}

// Runner shells this process started, and runs they took (each forks one subshell): bench/ shows
// them per task.
export const processStarts = { shells: 0, runs: 0 };

const keyOf = (spec: RunnerSpec) => JSON.stringify([spec.cwd, spec.runsDir, spec.env]);

interface Job {
  runDir: string;
  started: (result: { pid: number } | { error: string }) => void;
  exited: (result: AgentExit | undefined) => void;
  confirmed: boolean;
}

interface Runner {
  child: ChildProcess;
  key: string;
  start?: string;
  job?: Job;
  idleSince?: number;
  // Released while its run was still ending (a stop does not wait for the runner's report).
  releaseWhenDone?: boolean;
  // The latest run it took since its process group was last found holding nothing but itself.
  unchecked?: string;
}

// What the pool needs of the daemon: its concurrency, which bounds how many idle runners are kept,
// and the grace periods of a stop (for what a run left behind in its runner's group).
export interface PoolSettings {
  slots: () => number;
  killGraceMs: () => number;
}

// Idle runners are let go after this long, or when more than IDLE_PER_SLOT per slot wait.
const IDLE_LIMIT_MS = 30_000;
const IDLE_PER_SLOT = 4;
// How often the groups of runners that ran something are looked at for what their runs left: one
// pass over the process table (a millisecond, several on a busy machine) covers every runner: too
// much to spend per run, and what a run left may run on for that long.
const CHECK_EVERY_MS = 500;

// Keeps idle runners for reuse and starts new ones when every one is busy. A runner takes its next
// run as soon as it is handed back; what a run left in the runner's process group is looked for by
// a periodic pass while the runner is idle (the only time its group should hold nothing else), and
// such a runner is retired and its group stopped. Idle runners already checked are preferred, so
// every runner is idle at some pass.
export class RunnerPool {
  private readonly idle: Runner[] = [];
  private readonly all = new Set<Runner>();
  private readonly expiry: NodeJS.Timeout;
  private checkTimer: NodeJS.Timeout | undefined;
  // The process groups of runners that ended with a run unchecked, by the run's folder.
  private readonly gone = new Map<number, string>();

  constructor(private readonly settings: PoolSettings) {
    this.expiry = setInterval(() => this.expire(Date.now() - IDLE_LIMIT_MS), IDLE_LIMIT_MS / 3);
    this.expiry.unref();
  }

  // Hands a run (`command`, a line from runnerCommand) to an idle runner of the same spec, or a new
  // one; resolves once the runner has taken it. `handOver` is called with the runner chosen before it
  // is told, for the run to be recorded with it; if it throws, the runner stays idle. The runner
  // takes no other run until `release` is called.
  launch(
    spec: RunnerSpec,
    run: { id: string; attempt: number; command: string },
    handOver: (runner: { pid: number; start: string | undefined }) => void,
  ): Promise<Launched> {
    const key = keyOf(spec);
    const runner = this.takeIdle(key) ?? this.start(spec, key);
    const pid = runner.child.pid;
    if (pid !== undefined) {
      runner.start ??= processTable.startTimeOf(pid);
      try {
        handOver({ pid, start: runner.start });
      } catch (error) {
        this.release(runner);
        return Promise.reject(error);
      }
    }
    let resolveExit!: Job['exited'];
    const exited = new Promise<AgentExit | undefined>((resolve) => (resolveExit = resolve));
    return new Promise((resolve, reject) => {
      runner.job = {
        runDir: `${spec.runsDir}/${run.id}/${run.attempt}`,
        started: (result) =>
          'error' in result
            ? reject(new Error(result.error))
            : resolve({ pid: result.pid, exited, release: () => this.release(runner) }),
        exited: resolveExit,
        confirmed: false,
      };
      processStarts.runs++;
      runner.child.stdin!.write(`${run.id} ${run.attempt} ${run.command}\n`);
    });
  }

  // An idle runner of this spec, one whose group was found clean since its last run if there is one.
  private takeIdle(key: string): Runner | undefined {
    let index = this.idle.findIndex((runner) => runner.key === key && runner.unchecked === undefined);
    if (index < 0) index = this.idle.findIndex((runner) => runner.key === key);
    return index < 0 ? undefined : this.idle.splice(index, 1)[0];
  }

  // Starts idle runners of a spec until `count` of them wait.
  warmUp(spec: RunnerSpec, count: number): void {
    const key = keyOf(spec);
    for (let waiting = this.idle.filter((runner) => runner.key === key).length; waiting < count; waiting++)
      this.release(this.start(spec, key));
  }

  private start(spec: RunnerSpec, key: string): Runner {
    const env = { ...spec.env, [RUNNER_MARKER]: spec.runsDir };
    const child = spawn('/bin/sh', ['-c', RUNNER_SCRIPT], {
      cwd: spec.cwd,
      env,
      detached: true,
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    processStarts.shells++;
    const runner: Runner = { child, key };
    this.all.add(runner);
    child.stdin!.on('error', () => undefined);
    // A runner that cannot start (its working folder is gone, say) fails its run like one that died.
    child.once('error', (error) => this.onExit(runner, error.message));
    createInterface({ input: child.stdout! }).on('line', (line) => this.onLine(runner, line));
    child.once('exit', () => this.onExit(runner, 'the runner shell exited'));
    return runner;
  }

  private onLine(runner: Runner, line: string): void {
    const job = runner.job;
    if (!job) return;
    if (line === 'started') {
      job.confirmed = true;
      job.started({ pid: runner.child.pid! });
      return;
    }
    const status = /^exit (\d+)$/.exec(line);
    if (!status) return;
    runner.job = undefined;
    runner.unchecked = job.runDir;
    job.exited({ code: Number(status[1]), signal: null });
    if (runner.releaseWhenDone) this.release(runner);
  }

  // An idle runner waits for the next run of its spec, unless enough runners wait already.
  private release(runner: Runner): void {
    if (!this.all.has(runner)) return;
    runner.releaseWhenDone = runner.job !== undefined;
    if (runner.job) return;
    runner.idleSince = Date.now();
    this.idle.push(runner);
    while (this.idle.length > IDLE_PER_SLOT * this.settings.slots()) this.retire(this.idle.shift()!);
    if (runner.unchecked !== undefined) this.armCheck();
  }

  private armCheck(): void {
    this.checkTimer ??= setTimeout(() => this.check(), CHECK_EVERY_MS);
  }

  // Looks at the groups of the idle runners that ran something since their last look, and of the
  // runners gone meanwhile: a group that holds more than its idle runner holds what a run left,
  // which is stopped (with that runner, which takes no more runs).
  private check(): void {
    this.checkTimer = undefined;
    const due = this.idle.filter((runner) => runner.unchecked !== undefined);
    const gone = new Map(this.gone);
    this.gone.clear();
    let groups: Map<number, number[]>;
    try {
      groups = processTable.membersOfGroups(new Set([...due.map((runner) => runner.child.pid!), ...gone.keys()]));
    } catch {
      groups = new Map();
    }
    for (const runner of due) {
      const pid = runner.child.pid!;
      const runDir = runner.unchecked!;
      runner.unchecked = undefined;
      if (!(groups.get(pid) ?? []).some((member) => member !== pid)) continue;
      this.idle.splice(this.idle.indexOf(runner), 1);
      this.retire(runner);
      this.stopGroup(pid, runDir);
    }
    for (const [pgid, runDir] of gone) if (groups.has(pgid)) this.stopGroup(pgid, runDir);
    if (this.gone.size > 0 || [...this.all].some((runner) => runner.unchecked !== undefined)) this.armCheck();
  }

  private stopGroup(pgid: number, runDir: string): void {
    void stopRunTree(pgid, runDir, this.settings.killGraceMs()).catch(() => undefined);
  }

  private expire(idleBefore: number): void {
    while (this.idle.length > 0 && this.idle[0]!.idleSince! < idleBefore) this.retire(this.idle.shift()!);
  }

  private onExit(runner: Runner, why: string): void {
    this.all.delete(runner);
    const index = this.idle.indexOf(runner);
    if (index >= 0) this.idle.splice(index, 1);
    const job = runner.job;
    runner.job = undefined;
    const runDir = job?.runDir ?? runner.unchecked;
    if (runDir !== undefined && runner.child.pid !== undefined) {
      this.gone.set(runner.child.pid, runDir);
      this.armCheck();
    }
    if (!job) return;
    if (!job.confirmed) job.started({ error: why });
    job.exited(undefined);
  }

  // Ends a runner's input: idle, it exits now; busy, after its run (its status is written first).
  private retire(runner: Runner): void {
    runner.child.stdin!.end();
    runner.child.stdout!.destroy();
    runner.child.unref();
  }

  // Lets every runner go; busy ones finish their run (and record its status) on their own.
  close(): void {
    clearInterval(this.expiry);
    clearTimeout(this.checkTimer);
    this.idle.length = 0;
    for (const runner of this.all) {
      runner.child.removeAllListeners('exit');
      this.retire(runner);
    }
    this.all.clear();
  }
}
