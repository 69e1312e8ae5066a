import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { AgentExit, Launched } from './launcher.js';
import { RUN_MARKER, RUNNER_MARKER } from './process-table.js';

// A runner is a long-lived /bin/sh, detached in its own session and process group, that runs
// `shell` tasks one after another. For each request line "<id> <attempt>" it says "started", runs
// the task's script (runs/<id>/<attempt>/command) in a subshell with the run's output files and
// marker, writes the exit status to the run's `exit` file, then says "exit <status>". Reusing the
// shell saves a fork of Node and an exec of sh per task. Its traps keep it alive through the
// SIGINT/SIGTERM a stop sends to its process group (the subshell gets the default actions back),
// so it records the status of a cancelled task too. If the daemon dies, the runner finishes the
// task, writes its status, and ends at its next write to the daemon or at the end of its input.
const RUNS = `"$${RUNNER_MARKER}"`;
const RUNNER_SCRIPT = `trap : INT TERM HUP
while read -r id attempt; do
  d=${RUNS}/$id/$attempt
  echo started
  (
    exec </dev/null >>"$d/stdout" 2>>"$d/stderr"
    unset ${RUNNER_MARKER}
    export ${RUN_MARKER}="$d" ORCHESTRATE_TASK_ID="$id" ORCHESTRATE_ATTEMPT="$attempt" ORCHESTRATE_PROMPT_FILE="$d/prompt.md"
    . "$d/command"
  )
  s=$?
  echo "$s" >"$d/exit"
  echo "exit $s"
done`;

// Where and with what environment a runner runs its tasks: runners are shared only between equals.
export interface RunnerSpec {
  cwd: string;
  env: Record<string, string>;
  runsDir: string;
}

const keyOf = (spec: RunnerSpec) => JSON.stringify([spec.cwd, spec.runsDir, spec.env]);

interface Job {
  started: (result: { pid: number } | { error: string }) => void;
  exited: (result: AgentExit | undefined) => void;
  confirmed: boolean;
}

interface Runner {
  child: ChildProcess;
  key: string;
  job?: Job;
  idleSince?: number;
  // Released while its task was still ending (a stop does not wait for the runner's report).
  releaseWhenDone?: boolean;
}

// Idle runners are let go after this long, or when more than IDLE_PER_SLOT per slot wait: runners
// come back in bursts (see GroupSweep), so the pool keeps more than one per slot.
const IDLE_LIMIT_MS = 30_000;
const IDLE_PER_SLOT = 4;

// Keeps idle runners for reuse and starts new ones when every one is busy.
export class RunnerPool {
  private readonly idle: Runner[] = [];
  private readonly all = new Set<Runner>();
  private readonly expiry: NodeJS.Timeout;

  // slots: the daemon's concurrency, which bounds how many idle runners are kept.
  constructor(private readonly slots: () => number) {
    this.expiry = setInterval(() => this.expire(Date.now() - IDLE_LIMIT_MS), IDLE_LIMIT_MS / 3);
    this.expiry.unref();
  }

  // Runs one task's script on an idle runner of the same spec (or a new one); resolves with the
  // runner's pid (its process group) once it has taken the task. The runner takes no other task
  // until `release` is called: whatever the task left in its process group is dealt with first.
  launch(spec: RunnerSpec, id: string, attempt: number): Promise<Launched> {
    const key = keyOf(spec);
    const index = this.idle.findIndex((runner) => runner.key === key);
    const runner = index >= 0 ? this.idle.splice(index, 1)[0]! : this.start(spec, key);
    let resolveExit!: Job['exited'];
    const exited = new Promise<AgentExit | undefined>((resolve) => (resolveExit = resolve));
    return new Promise((resolve, reject) => {
      runner.job = {
        started: (result) =>
          'pid' in result
            ? resolve({ pid: result.pid, exited, release: () => this.release(runner) })
            : reject(new Error(result.error)),
        exited: resolveExit,
        confirmed: false,
      };
      runner.child.stdin!.write(`${id} ${attempt}\n`);
    });
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
    const runner: Runner = { child, key };
    this.all.add(runner);
    child.stdin!.on('error', () => undefined);
    // A runner that cannot start (its working folder is gone, say) fails its task like one that died.
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
    job.exited({ code: Number(status[1]), signal: null });
    if (runner.releaseWhenDone) this.release(runner);
  }

  // An idle runner waits for the next task of its spec, unless enough runners wait already.
  private release(runner: Runner): void {
    if (!this.all.has(runner)) return;
    runner.releaseWhenDone = runner.job !== undefined;
    if (runner.job) return;
    runner.idleSince = Date.now();
    this.idle.push(runner);
    while (this.idle.length > IDLE_PER_SLOT * this.slots()) this.retire(this.idle.shift()!);
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
    if (!job) return;
    if (!job.confirmed) job.started({ error: why });
    job.exited(undefined);
  }

  // Ends a runner's input: idle, it exits now; busy, after its task (its status is written first).
  private retire(runner: Runner): void {
    runner.child.stdin!.end();
    runner.child.stdout!.destroy();
    runner.child.unref();
  }

  // Lets every runner go; busy ones finish their task (and record its status) on their own.
  close(): void {
    clearInterval(this.expiry);
    this.idle.length = 0;
    for (const runner of this.all) {
      runner.child.removeAllListeners('exit');
      this.retire(runner);
    }
    this.all.clear();
  }
}
