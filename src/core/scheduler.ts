import { candidateAgents, chooseAgent } from './agent-choice.js';
import type { Config } from './config-schema.js';
import { dependencyState } from './dependency-state.js';
import { HeldLocks, type LockHolder, LockVerdicts } from './held-locks.js';
import { HAS_BACKOFF, NAMES_TASKS, NO_LOCKS, PendingColumns } from './pending-columns.js';
import type { PendingTask } from './run-order.js';
import type { WaitReason } from './wait-reason.js';

// Re-exported: a schedule's reasons, the run order and the lock cache are part of the scheduler's API.
export type { WaitReason } from './wait-reason.js';
export { compareAge, orderPending, type PendingTask, type RunOrder } from './run-order.js';
export { LockVerdicts } from './held-locks.js';
export { PendingColumns } from './pending-columns.js';

// A run holding a slot (and its locks).
export interface RunningTask extends LockHolder {
  agent: string;
}

// Everything a pass decides from: pure data, so the same state always gives the same decisions.
export interface SchedulerInput {
  now: number;
  config: Pick<Config, 'maxConcurrent' | 'agents' | 'defaults'> & Partial<Pick<Config, 'roles' | 'pool'>>;
  // Already in run order (see orderPending): the daemon keeps it ordered between passes.
  pending: readonly PendingTask[];
  // The same tasks' facts by position, kept by the caller in step with `pending` (the daemon's
  // ReadyOrder does); built for this pass when absent.
  columns?: PendingColumns;
  running: readonly RunningTask[];
  completed: ReadonlySet<string>;
  failed: ReadonlySet<string>;
  // Ids that must not start now (their previous run is still being stopped).
  blocked: ReadonlySet<string>;
  // Agents paused by a usage or rate limit, until when (ms).
  paused?: ReadonlyMap<string, number>;
  // Ids that exist but are neither pending-and-ready nor ended (files not read yet, runs); by
  // default the pending and running ids. A dependency on an id that is nowhere is "unknown".
  present?: { has(id: string): boolean };
  // Tasks on a dependency cycle, with the cycle ("a -> b -> a"): they wait, others go on.
  cycles?: ReadonlyMap<string, string>;
  // Locks held by runs this scheduler does not own (another daemon's): they count, slots do not.
  held?: readonly LockHolder[];
  // Give every pending task its reason (for `status`) instead of stopping once all slots are taken.
  explain?: boolean;
  // Lock verdicts kept from the caller's previous pass (see LockVerdicts); a pass alone without.
  lockVerdicts?: LockVerdicts;
}

// What the daemon carries out after a pass.
export type Decision =
  | { kind: 'start'; id: string; agent: string }
  | { kind: 'fail'; id: string; error: string }
  | { kind: 'skip'; id: string; summary: string }
  | { kind: 'reject'; id: string; field: string; message: string };

// Waiting tasks per kind of reason (the daemon's idle test needs only these).
export type WaitCounts = Record<WaitReason['kind'], number>;

// A pass's outcome: decisions to carry out, and why the others wait.
export interface Schedule {
  decisions: Decision[];
  // Why each examined task waits, keyed by id: built on first use, since 10,000 map entries cost
  // more than the whole pass. Read from `pending` then: use it before the caller changes that.
  readonly waiting: ReadonlyMap<string, WaitReason>;
  // The same in run order, without building the map (the same caveat).
  reasons(): IterableIterator<[string, WaitReason]>;
  // How many tasks wait for each kind of reason (counted on first use).
  readonly waitCounts: WaitCounts;
  // How many wait on a dependency cycle or an unknown id: problems to report.
  problems: number;
  // The earliest time a backoff or pause ends, so the daemon can sleep until then.
  nextWakeMs: number | undefined;
}

type Candidates = ReturnType<typeof candidateAgents>;
type Choice = ReturnType<typeof chooseAgent>;

function countKinds(reasons: readonly (WaitReason | undefined)[]): WaitCounts {
  const counts: WaitCounts = {
    dependency: 0,
    unknown: 0,
    cycle: 0,
    lock: 0,
    slot: 0,
    backoff: 0,
    paused: 0,
    blocked: 0,
  };
  for (const reason of reasons) if (reason) counts[reason.kind]++;
  return counts;
}

// Decides which pending tasks start now, which end without a run (a failed dependency, an unmet
// condition, bad input), and why each of the rest waits.
export function schedule(input: SchedulerInput): Schedule {
  const { config, now, pending } = input;
  const columns = input.columns ?? PendingColumns.of(pending);
  const { wish, lockSet, flags, retryAfterMs, wishes, lockSets } = columns;
  const load = new Map<string, number>();
  for (const run of input.running) load.set(run.agent, (load.get(run.agent) ?? 0) + 1);
  const held = new HeldLocks([input.running, input.held ?? []], input.lockVerdicts ?? new LockVerdicts());
  const present =
    input.present ?? new Set([...pending.map((entry) => entry.task.id), ...input.running.map((run) => run.id)]);
  const facts = { completed: input.completed, failed: input.failed, present };
  const blockedIds = input.blocked.size > 0 ? input.blocked : undefined;
  // Which agents may run each agent wish (worked out once per pass), and where its tasks would go now:
  // tasks of one wish wait for the same reason until a start changes the load.
  const candidatesOf: (Candidates | undefined)[] = new Array(wishes.length);
  let choices: (Choice | undefined)[] = new Array(wishes.length);
  // The lock a task of each lock set waits for (null: none), until a start adds to the held locks.
  let conflicts: (WaitReason | null | undefined)[] = new Array(lockSets.length);
  let runningCount = input.running.length;
  const decisions: Decision[] = [];
  // Reasons by position in `pending`: an array write per task, where a map costs ten times more.
  const reasons: (WaitReason | undefined)[] = new Array(pending.length);
  let problems = 0;
  let nextWakeMs: number | undefined;
  const wakeAt = (at: number) => (nextWakeMs = Math.min(nextWakeMs ?? Infinity, at));
  const maxSlot: WaitReason = { kind: 'slot', agents: [] };
  const blocked: WaitReason = { kind: 'blocked' };

  // A task's own objects are read only for what its flags say it has: most tasks need none of them.
  for (let index = 0; index < pending.length; index++) {
    // Every slot is taken: the rest wait, and need not be looked at (10,000 pending stay cheap).
    if (runningCount >= config.maxConcurrent && !input.explain) break;
    const wishIndex = wish[index]!;
    const candidates = (candidatesOf[wishIndex] ??= candidateAgents(wishes[wishIndex]!, config));
    if (!Array.isArray(candidates)) {
      decisions.push({
        kind: 'reject',
        id: pending[index]!.task.id,
        field: candidates.field,
        message: candidates.message,
      });
      continue;
    }
    const has = flags[index]!;
    let waitsFor: WaitReason | undefined;
    if (has & NAMES_TASKS) {
      const { task } = pending[index]!;
      const dependencies = dependencyState(task, facts);
      if (dependencies.kind === 'fail') {
        decisions.push({ kind: 'fail', id: task.id, error: dependencies.error });
        continue;
      }
      if (dependencies.kind === 'skip') {
        decisions.push({ kind: 'skip', id: task.id, summary: dependencies.summary });
        continue;
      }
      if (dependencies.kind === 'wait') waitsFor = dependencies.reason;
    }
    if (blockedIds?.has(pending[index]!.task.id)) {
      reasons[index] = blocked;
      continue;
    }
    if (has & HAS_BACKOFF && retryAfterMs[index]! > now) {
      reasons[index] = { kind: 'backoff', until: retryAfterMs[index]! };
      wakeAt(retryAfterMs[index]!);
      continue;
    }
    if (waitsFor) {
      // Only a task still waiting for another can be on a cycle.
      const cycle = input.cycles?.get(pending[index]!.task.id);
      reasons[index] = cycle === undefined ? waitsFor : { kind: 'cycle', cycle };
      if (cycle !== undefined || waitsFor.kind === 'unknown') problems++;
      continue;
    }
    const locks = lockSet[index]!;
    let conflict = locks === NO_LOCKS ? null : conflicts[locks];
    if (conflict === undefined) conflict = conflicts[locks] = held.conflict(lockSets[locks]!) ?? null;
    if (conflict) {
      reasons[index] = conflict;
      continue;
    }
    if (runningCount >= config.maxConcurrent) {
      reasons[index] = maxSlot;
      continue;
    }
    const choice = (choices[wishIndex] ??= chooseAgent(candidates, { config, load, paused: input.paused, now }));
    if (choice.kind === 'wait') {
      reasons[index] = choice.reason;
      if (choice.reason.kind === 'paused') wakeAt(choice.reason.until);
      continue;
    }
    const { task } = pending[index]!;
    decisions.push({ kind: 'start', id: task.id, agent: choice.agent });
    load.set(choice.agent, (load.get(choice.agent) ?? 0) + 1);
    for (const lock of task.fields.locks ?? []) held.add(lock, task.id);
    choices = new Array(wishes.length);
    if (locks !== NO_LOCKS) conflicts = new Array(lockSets.length);
    runningCount++;
  }
  function* inOrder(): IterableIterator<[string, WaitReason]> {
    for (let index = 0; index < reasons.length; index++) {
      const reason = reasons[index];
      if (reason) yield [pending[index]!.task.id, reason];
    }
  }
  let waiting: Map<string, WaitReason> | undefined;
  let counts: WaitCounts | undefined;
  return {
    decisions,
    get waiting() {
      return (waiting ??= new Map(inOrder()));
    },
    reasons: inOrder,
    get waitCounts() {
      return (counts ??= countKinds(reasons));
    },
    problems,
    nextWakeMs,
  };
}
