import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { RunWorktree } from '../core/worktree.js';
import { firstRunProcess, processTable } from '../process/process-table.js';
import { writeFileAtomicSync } from './atomic-write.js';

// What is written before an agent is spawned: enough to adopt, time out or record it later.
export interface RunRecord {
  task_id: string;
  attempt: number;
  agent: string;
  slot: string;
  worker: string;
  started_at: string;
  timeout_ms: number | null;
  // Set when the agent works in a git worktree: its work is committed and merged at the end.
  worktree?: RunWorktree;
  // The runner shell the run is handed to: its pid (its process group's id too) and start time (so a
  // recycled pid is not taken for it; unknown without /proc). Known before the runner is told.
  runner?: RecordedRunner;
}

export interface RecordedRunner {
  pid: number;
  start?: string;
}

// Records a run before its agent starts (the "recorded before spawn" rule). Atomic, not fsynced:
// it must survive a daemon crash, and a power cut that could lose it stops the agent too.
// Synchronous, like the claim: it sits between a claim and a spawn.
export function writeRunRecord(runDir: string, record: RunRecord): void {
  makeRunDir(runDir);
  writeFileAtomicSync(join(runDir, 'run.json'), `${JSON.stringify(record, null, 2)}\n`, { durable: false });
}

// runs/<id>/<attempt>: two mkdirs, where `recursive` would try the leaf first and fail.
export function makeRunDir(runDir: string): void {
  try {
    mkdirSync(dirname(runDir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return void mkdirSync(runDir, { recursive: true });
  }
  mkdirSync(runDir, { recursive: true });
}

export function readRunRecord(runDir: string): RunRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as RunRecord;
  } catch {
    return undefined;
  }
}

// The runner a run was handed to, as run.json records it; a run an older daemon started has it in
// the files `pid` and `pid.start` instead (written once the run had begun).
function recordedRunner(runDir: string): RecordedRunner | undefined {
  const runner = readRunRecord(runDir)?.runner;
  if (runner) return runner;
  const pid = Number(readText(join(runDir, 'pid')));
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const start = readText(join(runDir, 'pid.start'));
  return start === undefined ? { pid } : { pid, start };
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

// The pid of the runner shell a run was handed to (its process group's id too).
export function readPid(runDir: string): number | undefined {
  return recordedRunner(runDir)?.pid;
}

// Whether `pid` is still the process started for `runDir` (not a recycled pid): a process that carries
// the run's marker, or the runner shell the run was handed to, once it began the run and as long as
// the run's exit status is not written (it takes another run only after that), with the start time
// recorded for it (in either table's form: isSameProcess reads both).
export function isRunProcess(pid: number, runDir: string): boolean {
  if (processTable.isMarkedProcess(pid, runDir)) return true;
  if (!processTable.isRunnerOf(pid, runDir) || hasExitFile(runDir) || !agentStarted(runDir)) return false;
  const runner = recordedRunner(runDir);
  return runner?.pid === pid && runner.start !== undefined && processTable.isSameProcess(pid, runner.start);
}

// The live process of a run: its recorded runner, else the first process that carries its marker.
export function runProcess(runDir: string): number | undefined {
  const pid = readPid(runDir);
  return pid !== undefined && isRunProcess(pid, runDir) ? pid : firstRunProcess(runDir);
}

// The exit status the runner wrote (whole once it parses: a runner writes a few bytes at once).
export function readExitCode(runDir: string): number | undefined {
  try {
    const text = readFileSync(join(runDir, 'exit'), 'utf8').trim();
    return /^\d+$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

// Whether the run's runner ever began it: the first thing a runner does for a run is open its stdout
// and stderr. A run recorded by a daemon that died before the runner took it has neither.
export function agentStarted(runDir: string): boolean {
  return existsSync(join(runDir, 'stdout')) || existsSync(join(runDir, 'stderr'));
}

export function hasExitFile(runDir: string): boolean {
  return existsSync(join(runDir, 'exit'));
}

// Records an exit status the daemon learnt itself (the runner was killed before writing one).
export function writeExitCode(runDir: string, code: number): void {
  writeFileSync(join(runDir, 'exit'), `${code}\n`);
}

// The last `maxBytes` of a run's output file, decoded leniently. Synchronous on purpose: a few small
// reads from the page cache cost less than the round trips of their async twins.
export function readTail(path: string, maxBytes: number): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    const { size } = fstatSync(fd);
    const length = Math.min(size, maxBytes);
    if (length === 0) return '';
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

// How long a run has been silent, when that is at least its stall timeout (a timeout of 0 never stalls).
export function stalledFor(runDir: string, startedAtMs: number, timeoutMs: number, now: number): number | undefined {
  if (timeoutMs <= 0) return undefined;
  const quietMs = now - lastOutputAt(runDir, startedAtMs);
  return quietMs >= timeoutMs ? quietMs : undefined;
}

// When the agent last wrote anything (its stdout or stderr changed), else when the run started.
function lastOutputAt(runDir: string, startedAtMs: number): number {
  let last = startedAtMs;
  for (const name of ['stdout', 'stderr']) {
    try {
      last = Math.max(last, statSync(join(runDir, name)).mtimeMs);
    } catch {
      // Not created yet.
    }
  }
  return last;
}
