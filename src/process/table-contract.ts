// What every process table answers (linux-table.ts reads /proc; posix-table.ts asks `ps` and
// `lsof`), and the markers it looks for. process-table.ts picks the one in use.

// Every process of a run carries this variable, so the run's processes can be found even after
// they leave its process group (setsid) or are re-parented when their parent dies.
export const RUN_MARKER = 'ORCHESTRATE_RUN_DIR';
// Every runner shell (see runner-pool.ts) carries this variable, set to the workspace's runs folder.
export const RUNNER_MARKER = 'ORCHESTRATE_RUNNER';

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

// The questions the daemon and the CLI ask about OS processes. Start times are opaque strings,
// recorded beside a pid (pid.start, lock owners, plan owners) and given back to isSameProcess.
export interface ProcessTable {
  readonly name: 'linux' | 'posix';
  // Whether a process exists and has not yet ended (a zombie waiting to be reaped counts as ended).
  isProcessAlive(pid: number): boolean;
  // When a process started, so that a recycled pid can be told apart later.
  startTimeOf(pid: number): string | undefined;
  // Whether a process recorded as pid and start time still runs (not a recycled pid); an unknown
  // start time trusts the pid alone.
  isSameProcess(pid: number, start: string | undefined): boolean;
  // Whether `pid` is a live process that carries the marker of `runDir` (not a recycled pid).
  isMarkedProcess(pid: number, runDir: string): boolean;
  // Whether a process is a runner shell of the workspace `runDir` belongs to (runs/<id>/<n>).
  isRunnerOf(pid: number, runDir: string): boolean;
  // All live processes started for a run, wherever they are in the process tree. `leader`, the
  // run's first process, names its session, which stands for the marker where none can be seen.
  findRunProcesses(runDir: string, leader?: number): number[];
  // The live processes of several process groups, from one look.
  membersOfGroups(pgids: ReadonlySet<number>): Map<number, number[]>;
  // How often a wait for processes to end should look again (a look costs more on some tables).
  readonly pollMs: number;
  // The regular files other processes hold open in folder `dir`, by fileKey.
  openFiles(dir: string): Map<string, OpenFile[]>;
  // The process writing through `open`, if that descriptor still holds the file `key` open for
  // writing; checked anew on each call, so a writer that has closed the file is not taken for one.
  writerThrough(open: OpenFile, key: string): OpenWriter | undefined;
  // What answers, in a few words, and what is weaker here (for doctor and the daemon's log).
  describe(): string;
}

// How a file is known here: its device and inode, however it was reached.
export function fileKey(stats: { dev: number; ino: number }): string {
  return `${stats.dev}:${stats.ino}`;
}

// Whether a pid exists, zombies included (one syscall, the same on every system).
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Whether anything is left in a process group (cheap: one syscall; zombies count).
export function groupAlive(pgid: number): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  return pidExists(-pgid);
}

// The `NAME=value` a process's environment carries.
export function markerFor(name: string, value: string): string {
  return `${name}=${value}`;
}
