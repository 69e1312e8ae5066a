import { candidateAgents, chooseAgent } from './agent-choice.js';
import type { Config } from './config-schema.js';
import { dependencyState } from './dependency-state.js';
import { keysOverlap, lockKey, type LockKey } from './lock-overlap.js';
import { agedPriority, nextPromotionMs } from './priority-aging.js';
import type { PriorityLevel } from './priority.js';
import type { Task } from './task-schema.js';
import type { WaitReason } from './wait-reason.js';

// Re-exported: a schedule's reasons are part of the scheduler's API.
export type { WaitReason } from './wait-reason.js';

// A task waiting in pending/, with the facts the scheduler needs.
export interface PendingTask {
  task: Task;
  retryAfterMs: number | undefined;
  createdAtMs: number;
}

// A run holding a slot (and its locks), or, for `held`, locks another daemon's run holds.
export interface RunningTask {
  id: string;
  agent: string;
  locks: readonly string[];
}

// Everything a pass decides from: pure data, so the same state always gives the same decisions.
export interface SchedulerInput {
  now: number;
  config: Pick<Config, 'maxConcurrent' | 'agents' | 'defaults'> & Partial<Pick<Config, 'roles' | 'pool'>>;
  // Already in run order (see orderPending): the daemon keeps it ordered between passes.
  pending: readonly PendingTask[];
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
  held?: readonly Pick<RunningTask, 'id' | 'locks'>[];
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
  // more than the whole pass.
  readonly waiting: ReadonlyMap<string, WaitReason>;
  // The same in run order, without building the map.
  reasons(): IterableIterator<[string, WaitReason]>;
  // How many tasks wait for each kind of reason (counted on first use).
  readonly waitCounts: WaitCounts;
  // How many wait on a dependency cycle or an unknown id: problems to report.
  problems: number;
  // The earliest time a backoff or pause ends, so the daemon can sleep until then.
  nextWakeMs: number | undefined;
}

// Oldest first, then by id: the order within one priority level, which passing time never changes.
export function compareAge(a: PendingTask, b: PendingTask): number {
  if (a.createdAtMs !== b.createdAtMs) return a.createdAtMs - b.createdAtMs;
  return a.task.id < b.task.id ? -1 : a.task.id > b.task.id ? 1 : 0;
}

// Pending tasks in the order they may start, reusable until `changesAtMs`.
export interface RunOrder<T> {
  order: T[];
  // When aging next changes the order; until then the order can be reused.
  changesAtMs: number | undefined;
}

// Highest (aged) priority first, then oldest, then id: the order people are promised. Takes tasks
// already in age order, so it is one linear pass per level instead of a sort.
export function orderPending<T extends PendingTask>(
  byAge: readonly T[],
  options: { now: number; agingMs: number; defaultPriority: PriorityLevel },
): RunOrder<T> {
  const { now, agingMs, defaultPriority } = options;
  const levels = new Uint8Array(byAge.length);
  let changesAtMs: number | undefined;
  for (let i = 0; i < byAge.length; i++) {
    const entry = byAge[i]!;
    const base = entry.task.priority ?? defaultPriority;
    levels[i] = agedPriority(base, entry.createdAtMs, now, agingMs);
    const next = nextPromotionMs(base, entry.createdAtMs, now, agingMs);
    if (next !== undefined && (changesAtMs === undefined || next < changesAtMs)) changesAtMs = next;
  }
  const order: T[] = [];
  for (let level = 0; level <= 2; level++)
    for (let i = 0; i < byAge.length; i++) if (levels[i] === level) order.push(byAge[i]!);
  return { order, changesAtMs };
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
class HeldLocks {
  private readonly held: HeldLock[];
  private verdicts: Verdicts;

  constructor(holders: readonly Pick<RunningTask, 'id' | 'locks'>[], cache: LockVerdicts) {
    this.held = holders.flatMap((run) =>
      run.locks.map((lock) => ({ key: lockKey(lock), reason: { kind: 'lock' as const, lock, heldBy: run.id } })),
    );
    this.verdicts = cache.for(this.held.map((one) => `${one.reason.lock}\0${one.reason.heldBy}`).join('\n'));
  }

  add(lock: string, id: string): void {
    this.held.push({ key: lockKey(lock), reason: { kind: 'lock', lock, heldBy: id } });
    this.verdicts = new Map();
  }

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

type Candidates = ReturnType<typeof candidateAgents>;

// Which agents may run a task depends only on its agent and role fields: worked out once per pair.
class CandidateCache {
  private readonly byAgent = new Map<string | undefined, Map<string | undefined, Candidates>>();

  constructor(private readonly config: SchedulerInput['config']) {}

  of(task: Task): Candidates {
    const { agent, role } = task.fields;
    let byRole = this.byAgent.get(agent);
    if (!byRole) this.byAgent.set(agent, (byRole = new Map()));
    let candidates = byRole.get(role);
    if (candidates === undefined) byRole.set(role, (candidates = candidateAgents(task, this.config)));
    return candidates;
  }
}

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
  const load = new Map<string, number>();
  for (const run of input.running) load.set(run.agent, (load.get(run.agent) ?? 0) + 1);
  const held = new HeldLocks([...input.running, ...(input.held ?? [])], input.lockVerdicts ?? new LockVerdicts());
  const present =
    input.present ?? new Set([...pending.map((entry) => entry.task.id), ...input.running.map((run) => run.id)]);
  const facts = { completed: input.completed, failed: input.failed, present };
  const candidatesFor = new CandidateCache(config);
  // Tasks with the same candidates wait for the same reason until a start changes the load.
  let choices = new Map<Candidates, ReturnType<typeof chooseAgent>>();
  let runningCount = input.running.length;
  const decisions: Decision[] = [];
  // Reasons by position in `pending`: an array write per task, where a map costs ten times more.
  const reasons: (WaitReason | undefined)[] = new Array(pending.length);
  let problems = 0;
  let nextWakeMs: number | undefined;
  const wakeAt = (at: number) => (nextWakeMs = Math.min(nextWakeMs ?? Infinity, at));
  const maxSlot: WaitReason = { kind: 'slot', agents: [] };
  const blocked: WaitReason = { kind: 'blocked' };
  const noLocks: readonly string[] = [];

  for (let index = 0; index < pending.length; index++) {
    // Every slot is taken: the rest wait, and need not be looked at (10,000 pending stay cheap).
    if (runningCount >= config.maxConcurrent && !input.explain) break;
    const entry = pending[index]!;
    const { task } = entry;
    const id = task.id;
    const candidates = candidatesFor.of(task);
    if (!Array.isArray(candidates)) {
      decisions.push({ kind: 'reject', id, field: candidates.field, message: candidates.message });
      continue;
    }
    const dependencies = dependencyState(task, facts);
    if (dependencies.kind === 'fail') {
      decisions.push({ kind: 'fail', id, error: dependencies.error });
      continue;
    }
    if (dependencies.kind === 'skip') {
      decisions.push({ kind: 'skip', id, summary: dependencies.summary });
      continue;
    }
    if (input.blocked.size > 0 && input.blocked.has(id)) {
      reasons[index] = blocked;
      continue;
    }
    if (entry.retryAfterMs !== undefined && entry.retryAfterMs > now) {
      reasons[index] = { kind: 'backoff', until: entry.retryAfterMs };
      wakeAt(entry.retryAfterMs);
      continue;
    }
    if (dependencies.kind === 'wait') {
      // Only a task still waiting for another can be on a cycle.
      const cycle = input.cycles?.get(id);
      reasons[index] = cycle === undefined ? dependencies.reason : { kind: 'cycle', cycle };
      if (cycle !== undefined || dependencies.reason.kind === 'unknown') problems++;
      continue;
    }
    const locks = task.fields.locks ?? noLocks;
    const conflict = locks.length === 0 ? undefined : held.conflict(locks);
    if (conflict) {
      reasons[index] = conflict;
      continue;
    }
    if (runningCount >= config.maxConcurrent) {
      reasons[index] = maxSlot;
      continue;
    }
    let choice = choices.get(candidates);
    if (!choice)
      choices.set(candidates, (choice = chooseAgent(candidates, { config, load, paused: input.paused, now })));
    if (choice.kind === 'wait') {
      reasons[index] = choice.reason;
      if (choice.reason.kind === 'paused') wakeAt(choice.reason.until);
      continue;
    }
    decisions.push({ kind: 'start', id, agent: choice.agent });
    load.set(choice.agent, (load.get(choice.agent) ?? 0) + 1);
    for (const lock of locks) held.add(lock, id);
    choices = new Map();
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
