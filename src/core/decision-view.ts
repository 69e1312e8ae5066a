import type { Decision, Schedule } from './scheduler.js';
import type { PendingView, WaitReason } from './wait-reason.js';

// Reasons a task can wait for that nothing running or in flight will end: the daemon is idle.
const STUCK: readonly WaitReason['kind'][] = ['dependency', 'cycle', 'unknown', 'slot'];

// What a decision not yet carried out means for `status`.
export function viewOf(decision: Decision): PendingView {
  switch (decision.kind) {
    case 'start':
      return { kind: 'starting' };
    case 'fail':
      return { kind: 'ends', outcome: 'failed', why: decision.error };
    case 'skip':
      return { kind: 'ends', outcome: 'skipped', why: decision.summary };
    case 'reject':
      return { kind: 'invalid', problem: `${decision.field}: ${decision.message}` };
  }
}

// Whether every one of `ready` tasks waits, in the last schedule, for something that nothing
// running or in flight will bring (so the daemon can call itself idle).
export function allStuck(last: Schedule | undefined, ready: number): boolean {
  if (ready === 0) return true;
  const counts = last?.waitCounts;
  return counts !== undefined && STUCK.reduce((sum, kind) => sum + counts[kind], 0) === ready;
}
