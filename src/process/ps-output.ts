// Asking `ps` for the process table and reading its answer (pure: no process is started here).

// One process as `ps` shows it.
export interface PsRow {
  pid: number;
  ppid: number;
  pgid: number;
  // Its session, where the listing has that column (only where environments cannot be seen).
  sid?: number;
  // The state letters (`Z` first: a zombie).
  state: string;
  // When it started, in seconds since the epoch.
  startSeconds: number;
  // Its command line, followed by its environment (space-separated `NAME=value`) where ps shows it.
  text: string;
}

// How to list every process on a platform: the arguments, whether they ask for environments
// (the run's markers) or, where ps cannot show those, for sessions instead.
export interface PsQuery {
  args: string[];
  environments: boolean;
}

// The flag that appends each process's environment to its command: `ps e` (procps), `ps -E`
// (macOS, where -e means every process), `ps -e` (the BSDs); elsewhere none.
const ENVIRONMENT_FLAG: Partial<Record<NodeJS.Platform, string>> = {
  linux: 'e',
  android: 'e',
  darwin: '-E',
  freebsd: '-e',
  openbsd: '-e',
  netbsd: '-e',
};

// `ps` prints lstart in the C locale and the zone it is given: run it with this environment.
export const PS_ENVIRONMENT = { LC_ALL: 'C', TZ: 'UTC0' };

export function psQuery(platform: NodeJS.Platform): PsQuery {
  const flag = ENVIRONMENT_FLAG[platform];
  const columns = flag ? 'pid=,ppid=,pgid=,stat=,lstart=,args=' : 'pid=,ppid=,pgid=,sid=,stat=,lstart=,args=';
  return { args: ['-A', '-ww', ...(flag ? [flag] : []), '-o', columns], environments: flag !== undefined };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// lstart in the C locale, as ctime(3) writes it: "Tue Dec  8 02:37:53 2026".
const LSTART = String.raw`[A-Z][a-z]{2}\s+([A-Z][a-z]{2})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+(\d{4})`;
// macOS pads lstart to 28 columns: the command starts after the spaces that follow it.
const WITHOUT_SESSION = new RegExp(String.raw`^\s*(\d+)\s+(\d+)\s+(\d+)\s+()(\S+)\s+${LSTART}(?:\s+(.*))?$`);
const WITH_SESSION = new RegExp(String.raw`^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+${LSTART}(?:\s+(.*))?$`);

// The rows of `ps -o` output asked for by psQuery (lines it cannot read are skipped: a process
// that ended while ps looked may show half).
export function parsePsOutput(output: string, query: PsQuery): PsRow[] {
  const pattern = query.environments ? WITHOUT_SESSION : WITH_SESSION;
  const rows: PsRow[] = [];
  for (const line of output.split('\n')) {
    const match = pattern.exec(line);
    if (!match) continue;
    const [, pid, ppid, pgid, sid, state, month, day, hours, minutes, seconds, year, text] = match;
    const monthIndex = MONTHS.indexOf(month!);
    if (monthIndex < 0) continue;
    rows.push({
      pid: Number(pid),
      ppid: Number(ppid),
      pgid: Number(pgid),
      ...(sid ? { sid: Number(sid) } : {}),
      state: state!,
      startSeconds:
        Date.UTC(Number(year), monthIndex, Number(day), Number(hours), Number(minutes), Number(seconds)) / 1000,
      text: text ?? '',
    });
  }
  return rows;
}

// Whether a row's text carries `NAME=value` as a whole word (the command line and the environment
// are separated by single spaces, so a value with spaces still matches whole).
export function carries(text: string, marker: string): boolean {
  for (let at = text.indexOf(marker); at >= 0; at = text.indexOf(marker, at + 1)) {
    const end = at + marker.length;
    if ((at === 0 || text[at - 1] === ' ') && (end === text.length || text[end] === ' ')) return true;
  }
  return false;
}
