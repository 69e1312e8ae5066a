// Recorded start times, as either table writes them: linux writes clock ticks since boot (digits,
// as /proc/<pid>/stat has them); posix writes `@` and seconds since the epoch (as `ps -o lstart`
// has them, to the second). Each table reads both, so switching tables never makes a live process
// look dead nor a recycled pid look alive.

// Clock ticks per second in /proc (USER_HZ: 100 on every architecture Node runs on).
const TICKS_PER_SECOND = 100;

export type StartRecord = { kind: 'ticks'; ticks: number } | { kind: 'seconds'; seconds: number };

// How the posix table records a start time.
export function secondsRecord(seconds: number): string {
  return `@${seconds}`;
}

// A recorded start time, or undefined if it is neither kind.
export function parseStartRecord(text: string): StartRecord | undefined {
  if (/^\d+$/.test(text)) return { kind: 'ticks', ticks: Number(text) };
  const seconds = /^@(\d+)$/.exec(text)?.[1];
  return seconds === undefined ? undefined : { kind: 'seconds', seconds: Number(seconds) };
}

// The start in seconds since the epoch: ticks need the boot time of the machine that counted them
// (undefined when it is not known), as `ps` itself computes lstart.
export function startSeconds(record: StartRecord, bootSeconds: number | undefined): number | undefined {
  if (record.kind === 'seconds') return record.seconds;
  return bootSeconds === undefined ? undefined : bootSeconds + Math.floor(record.ticks / TICKS_PER_SECOND);
}

// Whether two starts in seconds are the same process start: `ps` rounds to the second, and the boot
// time behind a conversion from ticks may be a second off, so one second either way is the same.
// A pid reused within that second at the same number is not a risk worth refusing a live process for.
export function sameStartSeconds(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1;
}
