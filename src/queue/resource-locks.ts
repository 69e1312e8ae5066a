import { readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { processTable } from '../process/process-table.js';
import { keysOverlap, lockKey } from '../core/lock-overlap.js';
import { writeFileAtomicSync } from './atomic-write.js';
import type { Layout } from './layout.js';
import { isRunProcess, readPid } from './run-files.js';

// Who holds a lockfile: a daemon process, told apart from a later process with a recycled pid by
// its start time (as the process table records it, see process/start-time.ts).
export interface LockOwner {
  host: string;
  pid: number;
  start: string | undefined;
}

// `.orchestrate/locks/<id>.held`: the resource locks one run holds, from before its agent is
// spawned until its end is recorded. The daemon's scheduler keeps its own runs apart in memory;
// the files make the locks hold across daemons and survive a daemon's crash.
export interface HeldLocks {
  task: string;
  attempt: number;
  locks: string[];
  owner: LockOwner;
  taken_at: string;
}

// A take either holds the locks now, or names the overlapping lock and its holder.
export type TakeResult = { ok: true } | { ok: false; lock: string; heldBy: string };

const SUFFIX = '.held';

// This process as the owner of the lockfiles it takes.
export function currentOwner(): LockOwner {
  return { host: hostname(), pid: process.pid, start: processTable.startTimeOf(process.pid) };
}

function sameOwner(a: LockOwner, b: LockOwner): boolean {
  return a.host === b.host && a.pid === b.pid && a.start === b.start;
}

// Whether a lockfile still binds: its owner daemon is alive, or its agent still runs (a daemon
// killed with -9 leaves its agents running, and their locks with them). A file written on another
// host is always believed.
function isLive(layout: Layout, held: HeldLocks): boolean {
  const { owner } = held;
  if (owner.host !== hostname()) return true;
  if (processTable.isSameProcess(owner.pid, owner.start)) return true;
  const runDir = layout.runDir(held.task, held.attempt);
  const pid = readPid(runDir);
  return pid !== undefined && isRunProcess(pid, runDir);
}

// Every lockfile in the workspace (unreadable ones, half-written by no one, are skipped).
export function readHeld(layout: Layout): HeldLocks[] {
  let names: string[];
  try {
    names = readdirSync(layout.locksDir);
  } catch {
    return [];
  }
  const found: HeldLocks[] = [];
  for (const name of names) {
    if (!name.endsWith(SUFFIX) || name.startsWith('.')) continue;
    try {
      const held = JSON.parse(readFileSync(join(layout.locksDir, name), 'utf8')) as HeldLocks;
      if (typeof held.task === 'string' && Array.isArray(held.locks) && typeof held.owner?.pid === 'number')
        found.push(held);
    } catch {
      // Removed while we looked.
    }
  }
  return found;
}

// Lockfiles of other owners that still bind: what another daemon's runs hold.
export function foreignHeld(layout: Layout, owner: LockOwner): HeldLocks[] {
  return readHeld(layout).filter((held) => !sameOwner(held.owner, owner) && isLive(layout, held));
}

function heldPath(layout: Layout, id: string): string {
  return join(layout.locksDir, `${id}${SUFFIX}`);
}

// Writes a run's lockfile (also to take over the locks of a run adopted from a crashed daemon).
export function writeHeld(
  layout: Layout,
  owner: LockOwner,
  run: { task: string; attempt: number; locks: readonly string[] },
): void {
  const held: HeldLocks = {
    task: run.task,
    attempt: run.attempt,
    locks: [...run.locks],
    owner,
    taken_at: new Date().toISOString(),
  };
  writeFileAtomicSync(heldPath(layout, run.task), `${JSON.stringify(held)}\n`, { durable: false });
}

// Takes a run's locks before its agent is spawned: writes its lockfile first, then looks for an
// overlapping one of another live owner. Two daemons racing can both back off, never both go on.
export function takeLocks(
  layout: Layout,
  owner: LockOwner,
  run: { task: string; attempt: number; locks: readonly string[] },
): TakeResult {
  writeHeld(layout, owner, run);
  const mine = run.locks.map(lockKey);
  for (const other of readHeld(layout)) {
    if (other.task === run.task || sameOwner(other.owner, owner)) continue;
    const lock = other.locks.find((theirs) => mine.some((key) => keysOverlap(key, lockKey(theirs))));
    if (lock !== undefined && isLive(layout, other)) {
      releaseLocks(layout, run.task);
      return { ok: false, lock, heldBy: other.task };
    }
  }
  return { ok: true };
}

// Gives a run's locks back (every way a run ends, and a claim that did not happen).
export function releaseLocks(layout: Layout, id: string): void {
  try {
    unlinkSync(heldPath(layout, id));
  } catch {
    // Never taken, or released already.
  }
}

// Removes lockfiles that no longer bind (their daemon and their agent are gone: a crash), except
// those of runs `keep` names. Returns the task ids whose locks were released.
export function sweepLocks(layout: Layout, owner: LockOwner, keep: (id: string) => boolean): string[] {
  const released: string[] = [];
  for (const held of readHeld(layout)) {
    if (keep(held.task) || (!sameOwner(held.owner, owner) && isLive(layout, held))) continue;
    releaseLocks(layout, held.task);
    released.push(held.task);
  }
  return released;
}
