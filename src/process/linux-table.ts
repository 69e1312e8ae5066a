import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseStartRecord, sameStartSeconds, startSeconds } from './start-time.js';
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

// The process table of Linux, read from /proc: one file read per question about a pid, one pass
// over /proc per listing, and no process started.
export class LinuxTable implements ProcessTable {
  readonly name = 'linux';
  readonly pollMs = 25;

  isProcessAlive(pid: number): boolean {
    return pidExists(pid) && !isZombie(pid);
  }

  // Clock ticks since boot, from /proc.
  startTimeOf(pid: number): string | undefined {
    return statFields(pid)?.[19];
  }

  isSameProcess(pid: number, start: string | undefined): boolean {
    if (!this.isProcessAlive(pid)) return false;
    if (start === undefined || start === '') return true;
    const ticks = this.startTimeOf(pid);
    if (ticks === undefined || /^\d+$/.test(start)) return ticks === start;
    // Recorded by the posix table, in seconds: count ours in seconds the way `ps` does.
    const recorded = parseStartRecord(start);
    const live = startSeconds({ kind: 'ticks', ticks: Number(ticks) }, bootSeconds());
    return recorded?.kind === 'seconds' && live !== undefined && sameStartSeconds(recorded.seconds, live);
  }

  isMarkedProcess(pid: number, runDir: string): boolean {
    return pidExists(pid) && !isZombie(pid) && carriesMarker(pid, markerBytes(RUN_MARKER, runDir));
  }

  isRunnerOf(pid: number, runDir: string): boolean {
    return carriesMarker(pid, markerBytes(RUNNER_MARKER, dirname(dirname(runDir))));
  }

  findRunProcesses(runDir: string): number[] {
    return processesCarrying(markerBytes(RUN_MARKER, runDir), (pid) => pid !== process.pid);
  }

  membersOfGroups(pgids: ReadonlySet<number>): Map<number, number[]> {
    const members = new Map<number, number[]>();
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      // Undefined when it ended while we looked.
      const fields = statFields(Number(name));
      const pgid = Number(fields?.[2]);
      if (!fields || fields[0] === 'Z' || !pgids.has(pgid)) continue;
      const list = members.get(pgid);
      if (list) list.push(Number(name));
      else members.set(pgid, [Number(name)]);
    }
    return members;
  }

  // Every regular file open in the processes this one may look at (not other users'), from one pass
  // over /proc/*/fd: the same file however it was reached (a symlinked workspace, a hard link). Not
  // only `dir`'s files: /proc lists them all at the same cost.
  openFiles(_dir: string): Map<string, OpenFile[]> {
    const files = new Map<string, OpenFile[]>();
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
      let fds: string[];
      try {
        fds = readdirSync(`/proc/${name}/fd`);
      } catch {
        continue;
      }
      for (const fd of fds) {
        const key = fileKeyOf(`/proc/${name}/fd/${fd}`);
        if (key === undefined) continue;
        const list = files.get(key);
        if (list) list.push({ pid: Number(name), fd });
        else files.set(key, [{ pid: Number(name), fd }]);
      }
    }
    return files;
  }

  // Open for writing: O_WRONLY or O_RDWR, the low two bits of the flags in /proc/<pid>/fdinfo/<fd>.
  writerThrough(open: OpenFile, key: string): OpenWriter | undefined {
    if (fileKeyOf(`/proc/${open.pid}/fd/${open.fd}`) !== key) return undefined;
    try {
      const flags = /^flags:\s*([0-7]+)/m.exec(readFileSync(`/proc/${open.pid}/fdinfo/${open.fd}`, 'utf8'))?.[1];
      return flags !== undefined && (parseInt(flags, 8) & 3) !== 0
        ? { pid: open.pid, command: commandOf(open.pid) }
        : undefined;
    } catch {
      return undefined;
    }
  }

  describe(): string {
    return 'linux (/proc)';
  }
}

let boot: number | undefined;

// When this machine booted, in seconds since the epoch (`btime` in /proc/stat), read once: what
// turns a start counted in clock ticks into seconds. Undefined without /proc.
export function bootSeconds(): number | undefined {
  if (boot !== undefined) return boot;
  try {
    const btime = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1];
    boot = btime === undefined ? undefined : Number(btime);
  } catch {
    boot = undefined;
  }
  return boot;
}

function markerBytes(name: string, value: string): Buffer {
  return Buffer.from(`${markerFor(name, value)}\0`);
}

function carriesMarker(pid: number, marker: Buffer): boolean {
  try {
    const environ = readFileSync(`/proc/${pid}/environ`);
    return environ.indexOf(marker) === 0 || environ.indexOf(Buffer.concat([Buffer.from([0]), marker])) >= 0;
  } catch {
    return false;
  }
}

// The fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses):
// [0] is the state, [1] the parent, [2] the process group, [19] the start time.
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function isZombie(pid: number): boolean {
  return statFields(pid)?.[0] === 'Z';
}

// Live processes (not zombies) whose environment carries `marker` and that `keep` accepts.
function processesCarrying(marker: Buffer, keep: (pid: number, fields: string[]) => boolean): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (!carriesMarker(pid, marker)) continue;
    const fields = statFields(pid);
    if (fields && fields[0] !== 'Z' && keep(pid, fields)) found.push(pid);
  }
  return found;
}

// The fileKey of the regular file at `path` (following links), if it is one.
function fileKeyOf(path: string): string | undefined {
  try {
    const stats = statSync(path);
    return stats.isFile() ? fileKey(stats) : undefined;
  } catch {
    return undefined;
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return 'a process';
  }
}
