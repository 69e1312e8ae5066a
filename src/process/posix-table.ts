import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { findCommand } from '../agents/resolve-command.js';
import { bootSeconds } from './linux-table.js';
import { isWriting, lsofDescriptorArgs, lsofFolderArgs, parseLsofOutput } from './lsof-output.js';
import { carries, parsePsOutput, PS_ENVIRONMENT, psQuery, type PsRow } from './ps-output.js';
import { parseStartRecord, sameStartSeconds, secondsRecord, startSeconds } from './start-time.js';
import {
  fileKey,
  markerFor,
  pidExists,
  RUN_MARKER,
  RUNNER_MARKER,
  type OpenFile,
  type OpenWriter,
  type ProcessTable,
} from './table-contract.js';

// A question about one pid is answered from a look this recent that lists it (a pid's start and
// marker do not change; only its end shows late, by at most this long, and only for a zombie).
const ANSWER_MS = 500;
// ps with every environment can print megabytes on a busy machine.
const MAX_OUTPUT = 256 * 1024 * 1024;
const TIMEOUT_MS = 10_000;

// One look at the process table: one run of ps.
interface Look {
  rows: Map<number, PsRow>;
  // Whether ps showed environments (the run's markers); otherwise sessions stand for them.
  environments: boolean;
  takenAt: number;
  // Until the current turn of the event loop ends, a listing reuses this look.
  current: boolean;
}

// The process table of any POSIX system, from `ps` (pid, parent, group, state, start, command and,
// where ps shows them, environments) and `lsof` for files open for writing. One ps per look: the
// questions asked in one turn of the event loop share it, and a question about one pid takes an
// answer from a look less than ANSWER_MS old.
export class PosixTable implements ProcessTable {
  readonly name = 'posix';
  readonly pollMs = 100;
  private last: Look | undefined;
  private ownStart: string | undefined;
  private lsof: string | null | undefined;

  isProcessAlive(pid: number): boolean {
    if (!pidExists(pid)) return false;
    const row = this.rowOf(pid);
    // Not listed though it exists: another user's process ps may not show; it is there.
    return row === undefined || !isZombie(row);
  }

  // `@` and seconds since the epoch (lstart).
  startTimeOf(pid: number): string | undefined {
    if (pid === process.pid && this.ownStart !== undefined) return this.ownStart;
    const row = pidExists(pid) ? this.rowOf(pid) : undefined;
    const start = row ? secondsRecord(row.startSeconds) : undefined;
    if (pid === process.pid) this.ownStart = start;
    return start;
  }

  isSameProcess(pid: number, start: string | undefined): boolean {
    if (!this.isProcessAlive(pid)) return false;
    if (start === undefined || start === '') return true;
    const row = this.rowOf(pid);
    if (!row) return true;
    const record = parseStartRecord(start);
    if (!record) return false;
    // Ticks come from the linux table of this same machine: its boot time converts them.
    const seconds = startSeconds(record, record.kind === 'ticks' ? bootSeconds() : undefined);
    return seconds === undefined || sameStartSeconds(seconds, row.startSeconds);
  }

  // Without environments: a run's first process leads its own process group.
  isMarkedProcess(pid: number, runDir: string): boolean {
    const row = pidExists(pid) ? this.rowOf(pid) : undefined;
    if (!row || isZombie(row)) return false;
    return this.last!.environments ? carries(row.text, markerFor(RUN_MARKER, runDir)) : row.pgid === pid;
  }

  // Without environments: a runner shell leads its own session (its start time, recorded, does the rest).
  isRunnerOf(pid: number, runDir: string): boolean {
    const row = pidExists(pid) ? this.rowOf(pid) : undefined;
    if (!row) return false;
    const runsDir = dirname(dirname(runDir));
    return this.last!.environments ? carries(row.text, markerFor(RUNNER_MARKER, runsDir)) : row.sid === pid;
  }

  findRunProcesses(runDir: string, leader?: number): number[] {
    const look = this.look();
    const marker = markerFor(RUN_MARKER, runDir);
    const belongs = look.environments
      ? (row: PsRow) => carries(row.text, marker)
      : (row: PsRow) => leader !== undefined && row.sid === leader && row.pid !== leader;
    return live(look)
      .filter((row) => row.pid !== process.pid && belongs(row))
      .map((row) => row.pid);
  }

  membersOfGroups(pgids: ReadonlySet<number>): Map<number, number[]> {
    const members = new Map<number, number[]>();
    for (const row of live(this.look())) {
      if (!pgids.has(row.pgid)) continue;
      const list = members.get(row.pgid);
      if (list) list.push(row.pid);
      else members.set(row.pgid, [row.pid]);
    }
    return members;
  }

  // One lsof over the folder's files; only descriptors open for writing matter. Without lsof, none.
  openFiles(dir: string): Map<string, OpenFile[]> {
    const files = new Map<string, OpenFile[]>();
    const output = this.runLsof(lsofFolderArgs(dir));
    if (output === undefined) return files;
    let dev: number;
    try {
      dev = statSync(dir).dev;
    } catch {
      return files;
    }
    for (const file of parseLsofOutput(output)) {
      if (file.pid === process.pid || file.inode === undefined || !isWriting(file)) continue;
      // A file at the top of `dir` is on its device.
      const key = fileKey({ dev, ino: file.inode });
      const list = files.get(key);
      if (list) list.push({ pid: file.pid, fd: file.fd });
      else files.set(key, [{ pid: file.pid, fd: file.fd }]);
    }
    return files;
  }

  writerThrough(open: OpenFile, key: string): OpenWriter | undefined {
    const output = this.runLsof(lsofDescriptorArgs(open.pid, open.fd));
    const inode = Number(key.slice(key.indexOf(':') + 1));
    const file = parseLsofOutput(output ?? '').find(
      (found) => found.pid === open.pid && found.fd === open.fd && found.inode === inode && isWriting(found),
    );
    return file ? { pid: file.pid, command: file.command || 'a process' } : undefined;
  }

  describe(): string {
    const parts = [
      this.look().environments
        ? 'ps, with environments'
        : "ps without environments: a run's processes are its process group and session",
      this.lsofPath()
        ? 'lsof for files open for writing'
        : 'no lsof on PATH: a pending file is read once it has been still for the stable window',
    ];
    return `posix (${parts.join('; ')})`;
  }

  // The row of a pid that exists, from a recent look that lists it, else from a new look.
  private rowOf(pid: number): PsRow | undefined {
    const last = this.last;
    const recent = last && Date.now() - last.takenAt < ANSWER_MS ? last.rows.get(pid) : undefined;
    return recent ?? this.look().rows.get(pid);
  }

  // This turn's look at the process table: a new run of ps unless one ran since the turn began.
  private look(): Look {
    if (this.last?.current) return this.last;
    const query = psQuery(process.platform);
    const result = spawnSync('ps', query.args, {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...PS_ENVIRONMENT },
      encoding: 'utf8',
      maxBuffer: MAX_OUTPUT,
      timeout: TIMEOUT_MS,
    });
    if (result.error || (result.status !== 0 && !result.stdout))
      throw new Error(
        `cannot list processes with \`ps ${query.args.join(' ')}\`: ${result.error?.message ?? result.stderr.trim()} (orchestrate needs ps on PATH; where /proc exists, unset ORCHESTRATE_PROCESS_TABLE)`,
      );
    const rows = new Map(parsePsOutput(result.stdout, query).map((row) => [row.pid, row]));
    // ps shows its own environment, given above, when it shows any.
    const environments = query.environments && carries(rows.get(result.pid)?.text ?? '', markerFor('TZ', 'UTC0'));
    rows.delete(result.pid);
    const look: Look = { rows, environments, takenAt: Date.now(), current: true };
    setImmediate(() => (look.current = false)).unref();
    this.last = look;
    return look;
  }

  private lsofPath(): string | undefined {
    if (this.lsof === undefined) this.lsof = findCommand('lsof', process.cwd(), process.env.PATH) ?? null;
    return this.lsof ?? undefined;
  }

  // lsof's output (it exits 1 when some of what it was asked for is not open: the output still counts).
  private runLsof(args: string[]): string | undefined {
    const path = this.lsofPath();
    if (!path) return undefined;
    const result = spawnSync(path, args, { encoding: 'utf8', maxBuffer: MAX_OUTPUT, timeout: TIMEOUT_MS });
    return result.error ? undefined : result.stdout;
  }
}

function isZombie(row: PsRow): boolean {
  return row.state.startsWith('Z');
}

function live(look: Look): PsRow[] {
  return [...look.rows.values()].filter((row) => !isZombie(row));
}
