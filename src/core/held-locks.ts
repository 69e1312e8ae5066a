import { keysOverlap, lockKey, type LockKey } from './lock-overlap.js';
import type { WaitReason } from './wait-reason.js';

// A run's locks: one this scheduler owns, or another daemon's (see SchedulerInput.held).
export interface LockHolder {
  id: string;
  locks: readonly string[];
}

// A held lock, with the reason a task naming an overlapping one waits.
interface HeldLock {
  key: LockKey;
  reason: Extract<WaitReason, { kind: 'lock' }>;
}

type Verdicts = Map<string, HeldLock | null>;

// The lock verdicts of the last pass, kept while the same locks are held. The daemon keeps one
// between passes: passes come after every event, and the held locks change only when runs start or end.
export class LockVerdicts {
  private held: string | undefined;
  private verdicts: Verdicts = new Map();

  // The verdicts for this set of held locks: the last pass's if they are the same, else none yet.
  for(held: string): Verdicts {
    if (this.held !== held) {
      this.held = held;
      this.verdicts = new Map();
    }
    return this.verdicts;
  }
}

// The locks held during one pass. Many tasks name the same pattern, so each pattern is compared
// with the held locks once (and again only after a start adds to them).
export class HeldLocks {
  private readonly held: HeldLock[] = [];
  private verdicts: Verdicts;

  constructor(holders: readonly (readonly LockHolder[])[], cache: LockVerdicts) {
    let signature = '';
    for (const runs of holders)
      for (const run of runs)
        for (const lock of run.locks) {
          this.held.push({ key: lockKey(lock), reason: { kind: 'lock', lock, heldBy: run.id } });
          signature += `${lock}\0${run.id}\n`;
        }
    this.verdicts = cache.for(signature);
  }

  add(lock: string, id: string): void {
    this.held.push({ key: lockKey(lock), reason: { kind: 'lock', lock, heldBy: id } });
    this.verdicts = new Map();
  }

  // The lock held by another run that one of `locks` overlaps, if any.
  conflict(locks: readonly string[]): HeldLock['reason'] | undefined {
    for (const lock of locks) {
      let verdict = this.verdicts.get(lock);
      if (verdict === undefined) {
        const key = lockKey(lock);
        verdict = this.held.find((other) => keysOverlap(key, other.key)) ?? null;
        this.verdicts.set(lock, verdict);
      }
      if (verdict) return verdict.reason;
    }
    return undefined;
  }
}
