import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processTable } from '../process/process-table.js';

// A process as a lock records it: its pid, and its start time so that a later process given the
// same pid is not taken for it.
export interface LockOwner {
  pid: number;
  start: string | undefined;
}

export type OwnerLock = { ok: true; release: () => void } | { ok: false; holder: LockOwner | undefined };

// Rounds of "find a dead holder, clear it, try again" before a contended lock is reported as held.
const MAX_ROUNDS = 20;

// The entry's name is the owner itself, so clearing a dead owner removes that owner and no other.
export function ownerEntry(owner: LockOwner): string {
  return `${owner.pid}-${Buffer.from(owner.start ?? '').toString('base64url')}`;
}

function ownerOf(entry: string): LockOwner | undefined {
  const match = /^(\d+)-([A-Za-z0-9_-]*)$/.exec(entry);
  if (!match) return undefined;
  const start = Buffer.from(match[2]!, 'base64url').toString();
  return { pid: Number(match[1]), start: start === '' ? undefined : start };
}

/**
 * Takes the lock `dir` for this process: a folder holding one entry named after its owner. Taking
 * it is one rename of a prepared folder onto it, which the file system refuses while it holds an
 * entry; an entry is cleared only by its exact name and only once `isSameProcess` says that owner
 * is gone. So a live owner keeps it however long it does not answer (busy, or stopped by SIGSTOP),
 * and of two newcomers that find a dead owner, one wins and the other sees the winner.
 */
export function takeOwnerLock(dir: string): OwnerLock {
  const me = ownerEntry({ pid: process.pid, start: processTable.startTimeOf(process.pid) });
  const prepared = `${dir}.${process.pid}-${randomBytes(4).toString('hex')}`;
  mkdirSync(prepared);
  writeFileSync(join(prepared, me), '');
  let taken = false;
  try {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (renameOnto(prepared, dir)) {
        taken = true;
        return { ok: true, release: () => release(dir, me) };
      }
      const holder = liveHolder(dir);
      if (holder) return { ok: false, holder };
    }
    return { ok: false, holder: undefined };
  } finally {
    if (!taken) rmSync(prepared, { recursive: true, force: true });
  }
}

// Replaces `dir` by `prepared` when `dir` is missing or empty; false while it holds an entry.
function renameOnto(prepared: string, dir: string): boolean {
  try {
    renameSync(prepared, dir);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return false;
    throw error;
  }
}

// The live owner of `dir`, if any; the entries of owners that are gone (or unreadable) are cleared.
function liveHolder(dir: string): LockOwner | undefined {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    const owner = ownerOf(entry);
    if (owner && processTable.isSameProcess(owner.pid, owner.start)) return owner;
    rmSync(join(dir, entry), { force: true, recursive: true });
  }
  return undefined;
}

function release(dir: string, me: string): void {
  rmSync(join(dir, me), { force: true });
  try {
    rmdirSync(dir);
  } catch {
    // Taken by the next owner already, or gone.
  }
}
