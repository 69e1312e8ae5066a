import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

// Every process of a run carries this variable, so the run's processes can be found even after
// they leave its process group (setsid) or are re-parented when their parent dies.
export const RUN_MARKER = 'ORCHESTRATE_RUN_DIR';
// Every runner shell (see runner-pool.ts) carries this variable, set to the workspace's runs folder.
export const RUNNER_MARKER = 'ORCHESTRATE_RUNNER';
// So does every launcher process (see launcher.ts).
export const LAUNCHER_MARKER = 'ORCHESTRATE_LAUNCHER';

const hasProc = (() => {
  try {
    readdirSync('/proc/self');
    return true;
  } catch {
    return false;
  }
})();

// Whether a process exists and has not yet ended (a zombie waiting to be reaped counts as ended).
export function isProcessAlive(pid: number): boolean {
  return exists(pid) && !isZombie(pid);
}

function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function carriesMarker(pid: number, marker: Buffer): boolean {
  try {
    const environ = readFileSync(`/proc/${pid}/environ`);
    return environ.indexOf(marker) === 0 || environ.indexOf(Buffer.concat([Buffer.from([0]), marker])) >= 0;
  } catch {
    return false;
  }
}

function markerFor(name: string, value: string): Buffer {
  return Buffer.from(`${name}=${value}\0`);
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

// When a process started (clock ticks since boot, from /proc), so a recycled pid can be told apart.
export function startTimeOf(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

// Whether a process recorded as pid and start time still runs (not a recycled pid); an unknown
// start time (no /proc where it was recorded) trusts the pid alone.
export function isSameProcess(pid: number, start: string | undefined): boolean {
  return isProcessAlive(pid) && (start === undefined || start === '' || startTimeOf(pid) === start);
}

// Whether `pid` is a live process that carries the marker of `runDir` (not a recycled pid).
export function isMarkedProcess(pid: number, runDir: string): boolean {
  if (!exists(pid)) return false;
  if (!hasProc) return true;
  return !isZombie(pid) && carriesMarker(pid, markerFor(RUN_MARKER, runDir));
}

// Whether a process is a runner shell of the workspace `runDir` belongs to (runs/<id>/<n>).
export function isRunnerOf(pid: number, runDir: string): boolean {
  return carriesMarker(pid, markerFor(RUNNER_MARKER, dirname(dirname(runDir))));
}

// All live processes started for a run, wherever they are in the process tree.
export function findRunProcesses(runDir: string): number[] {
  return processesCarrying(markerFor(RUN_MARKER, runDir), (pid) => pid !== process.pid);
}

// Live processes (not zombies) whose environment carries `marker` and that `keep` accepts.
function processesCarrying(marker: Buffer, keep: (pid: number, fields: string[]) => boolean): number[] {
  if (!hasProc) return [];
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

// Launchers of the workspace whose runs folder is `runsDir` that this process did not start: left by
// a daemon that died, they may still fork a wrapper it asked for.
export function leftoverLaunchers(runsDir: string): number[] {
  return processesCarrying(markerFor(LAUNCHER_MARKER, runsDir), (_pid, fields) => Number(fields[1]) !== process.pid);
}

// The lowest pid of the processes findRunProcesses finds (a run's first process as a rule).
export function firstRunProcess(runDir: string): number | undefined {
  return findRunProcesses(runDir).sort((a, b) => a - b)[0];
}

// The live (non-zombie) processes of a process group; without /proc, the group leader if any remain.
export function liveGroupMembers(pgid: number): number[] {
  if (!hasProc) return groupAlive(pgid) ? [pgid] : [];
  return membersOfGroups(new Set([pgid])).get(pgid) ?? [];
}

// The live processes of several process groups, from one pass over /proc.
export function membersOfGroups(pgids: ReadonlySet<number>): Map<number, number[]> {
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

// Whether anything is left in a process group (cheap: one syscall; zombies count).
export function groupAlive(pgid: number): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// A file descriptor some process holds on a regular file.
export interface OpenFile {
  pid: number;
  fd: string;
}

// A process that holds a file open for writing.
export interface OpenWriter {
  pid: number;
  command: string;
}

// Every regular file open in the processes this one may look at (not other users'), by
// "dev:ino", from one pass over /proc/*/fd: the same file however it was reached (a symlinked
// workspace, a hard link). Without /proc this is empty.
export function openFiles(): Map<string, OpenFile[]> {
  const files = new Map<string, OpenFile[]>();
  if (!hasProc) return files;
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

// How a file is known here: its device and inode, however it was reached.
export function fileKey(stats: { dev: number; ino: number }): string {
  return `${stats.dev}:${stats.ino}`;
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

// The process writing through `open`, if that descriptor still holds the file `key` open with
// O_WRONLY or O_RDWR (the low two bits of the flags in /proc/<pid>/fdinfo/<fd>); checked anew on
// each call, so a writer that has closed the file is not taken for one.
export function writerThrough(open: OpenFile, key: string): OpenWriter | undefined {
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

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return 'a process';
  }
}
