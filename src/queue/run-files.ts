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
import { firstRunProcess, isMarkedProcess, isRunnerOf, startTimeOf } from '../process/process-table.js';
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
}

// Records a run before its agent starts (the "recorded before spawn" rule). Atomic, not fsynced:
// it must survive a daemon crash, and a power cut that could lose it stops the agent too.
// Synchronous, like the claim: it sits between a claim and a spawn.
export function writeRunRecord(runDir: string, record: RunRecord): void {
  makeRunDir(runDir);
  writeFileAtomicSync(join(runDir, 'run.json'), `${JSON.stringify(record, null, 2)}\n`, { durable: false });
}

// runs/<id>/<attempt>: two mkdirs, where `recursive` would try the leaf first and fail.
function makeRunDir(runDir: string): void {
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

// Records the pid of the run's runner shell (its process group id too); atomic, so never read half.
// A runner outlives the run, so its start time goes beside it (pid.start): a recycled pid is then not
// taken for it.
export function writePid(runDir: string, pid: number, start: string | undefined): void {
  if (start !== undefined) writeFileAtomicSync(join(runDir, 'pid.start'), `${start}\n`, { durable: false });
  writeFileAtomicSync(join(runDir, 'pid'), `${pid}\n`, { durable: false });
}

export function readPid(runDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(runDir, 'pid'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

// The start time recorded beside the pid of a run's runner shell.
function readPidStart(runDir: string): string | undefined {
  try {
    return readFileSync(join(runDir, 'pid.start'), 'utf8').trim();
  } catch {
    return undefined;
  }
}

// Whether `pid` is still the process started for `runDir` (not a recycled pid): the run's wrapper,
// or the runner shell that took the run, as long as the run's exit status is not written (the
// runner moves on to another task only after that) and its start time is the one recorded.
export function isRunProcess(pid: number, runDir: string): boolean {
  if (isMarkedProcess(pid, runDir)) return true;
  return isRunnerOf(pid, runDir) && !hasExitFile(runDir) && readPidStart(runDir) === startTimeOf(pid);
}

// The live process of a run: its recorded wrapper or runner, else the first that carries its marker.
export function runProcess(runDir: string): number | undefined {
  const pid = readPid(runDir);
  return pid !== undefined && isRunProcess(pid, runDir) ? pid : firstRunProcess(runDir);
}

// The exit status the wrapper wrote; it is read only once the wrapper is gone, so it is whole.
export function readExitCode(runDir: string): number | undefined {
  try {
    const text = readFileSync(join(runDir, 'exit'), 'utf8').trim();
    return /^\d+$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

// Whether the run's wrapper or runner ever began: the first thing either does is open the run's
// stdout and stderr. A run recorded by a daemon that died before its spawn went through has neither.
export function agentStarted(runDir: string): boolean {
  return existsSync(join(runDir, 'stdout')) || existsSync(join(runDir, 'stderr'));
}

export function hasExitFile(runDir: string): boolean {
  return existsSync(join(runDir, 'exit'));
}

// Records an exit status the daemon learnt itself (the wrapper was killed before writing one).
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
