import type { Config } from './config-schema.js';
import { locksOverlap } from './lock-overlap.js';
import { closest } from './suggest.js';
import type { PriorityLevel } from './priority.js';
import type { Task } from './task-schema.js';

// A task waiting in pending/, with the facts the scheduler needs.
export interface PendingTask {
  task: Task;
  retryAfterMs: number | undefined;
  createdAtMs: number;
}

export interface RunningTask {
  id: string;
  agent: string;
  locks: readonly string[];
}

export interface SchedulerInput {
  now: number;
  config: Pick<Config, 'maxConcurrent' | 'agents' | 'defaults'> & Partial<Pick<Config, 'roles'>>;
  // Already in run order (see sortPending): the daemon keeps it sorted between passes.
  pending: readonly PendingTask[];
  running: readonly RunningTask[];
  completed: ReadonlySet<string>;
  failed: ReadonlySet<string>;
  // Ids that must not start now (their previous run is still being stopped).
  blocked: ReadonlySet<string>;
  // Agents paused by a usage or rate limit, until when (ms).
  paused?: ReadonlyMap<string, number>;
}

export type Decision =
  | { kind: 'start'; id: string; agent: string }
  | { kind: 'fail'; id: string; error: string }
  | { kind: 'reject'; id: string; field: string; message: string };

export type WaitReason = 'backoff' | 'dependency' | 'lock' | 'slot' | 'blocked' | 'paused';

export interface Schedule {
  decisions: Decision[];
  waiting: Map<string, WaitReason>;
  // The earliest time a backoff ends, so the daemon can sleep until then.
  nextWakeMs: number | undefined;
}

// Highest priority first, then oldest, then id: the order people are promised.
export function comparePending(a: PendingTask, b: PendingTask, defaultPriority: PriorityLevel): number {
  const pa = a.task.priority ?? defaultPriority;
  const pb = b.task.priority ?? defaultPriority;
  if (pa !== pb) return pa - pb;
  if (a.createdAtMs !== b.createdAtMs) return a.createdAtMs - b.createdAtMs;
  return a.task.id < b.task.id ? -1 : a.task.id > b.task.id ? 1 : 0;
}

// Puts pending tasks in the order they may start.
export function sortPending<T extends PendingTask>(pending: Iterable<T>, defaultPriority: PriorityLevel): T[] {
  return [...pending].sort((a, b) => comparePending(a, b, defaultPriority));
}

// Decides which pending tasks start now, which fail on a failed dependency, and why the rest wait.
export function schedule(input: SchedulerInput): Schedule {
  const { config } = input;
  const agentNames = Object.keys(config.agents);
  const load = new Map<string, number>(agentNames.map((name) => [name, 0]));
  for (const run of input.running) load.set(run.agent, (load.get(run.agent) ?? 0) + 1);
  const heldLocks: string[] = input.running.flatMap((run) => run.locks);
  let runningCount = input.running.length;
  const decisions: Decision[] = [];
  const waiting = new Map<string, WaitReason>();
  let nextWakeMs: number | undefined;

  for (const entry of input.pending) {
    // Every slot is taken: the rest wait, and need not be looked at (10,000 pending stay cheap).
    if (runningCount >= config.maxConcurrent) break;
    const { task } = entry;
    const requested = task.fields.agent ?? config.defaults.agent;
    if (requested !== undefined && !(requested in config.agents)) {
      const known = agentNames.join(', ');
      decisions.push({ kind: 'reject', id: task.id, field: 'agent', message: `unknown agent "${requested}" (agents in orchestrator.yaml: ${known})` });
      continue;
    }
    const role = task.fields.role;
    if (role !== undefined && config.roles && !(role in config.roles)) {
      const names = Object.keys(config.roles);
      const hint = closest(role, names);
      decisions.push({ kind: 'reject', id: task.id, field: 'role', message: `unknown role "${role}" (${hint ? `did you mean "${hint}"? ` : ''}roles: ${names.join(', ')}; add one under roles: in orchestrator.yaml)` });
      continue;
    }
    const failedDependency = task.dependsOn.find((dep) => input.failed.has(dep));
    if (failedDependency !== undefined) {
      decisions.push({ kind: 'fail', id: task.id, error: `dependency ${failedDependency} failed` });
      continue;
    }
    if (input.blocked.has(task.id)) {
      waiting.set(task.id, 'blocked');
      continue;
    }
    if (entry.retryAfterMs !== undefined && entry.retryAfterMs > input.now) {
      waiting.set(task.id, 'backoff');
      nextWakeMs = Math.min(nextWakeMs ?? Infinity, entry.retryAfterMs);
      continue;
    }
    if (!task.dependsOn.every((dep) => input.completed.has(dep))) {
      waiting.set(task.id, 'dependency');
      continue;
    }
    const locks = task.fields.locks ?? [];
    if (locks.some((lock) => heldLocks.some((held) => locksOverlap(lock, held)))) {
      waiting.set(task.id, 'lock');
      continue;
    }
    const pausedUntil = requested === undefined ? undefined : input.paused?.get(requested);
    if (pausedUntil !== undefined && pausedUntil > input.now) {
      waiting.set(task.id, 'paused');
      nextWakeMs = Math.min(nextWakeMs ?? Infinity, pausedUntil);
      continue;
    }
    const agent = requested ?? leastLoadedFreeAgent(agentNames.filter((name) => !((input.paused?.get(name) ?? 0) > input.now)), load, config.agents);
    if (runningCount >= config.maxConcurrent || agent === undefined || (load.get(agent) ?? 0) >= config.agents[agent]!.max_instances) {
      waiting.set(task.id, 'slot');
      continue;
    }
    decisions.push({ kind: 'start', id: task.id, agent });
    load.set(agent, (load.get(agent) ?? 0) + 1);
    heldLocks.push(...locks);
    runningCount++;
  }
  return { decisions, waiting, nextWakeMs };
}

function leastLoadedFreeAgent(names: string[], load: Map<string, number>, agents: Config['agents']): string | undefined {
  let best: string | undefined;
  for (const name of names) {
    const used = load.get(name) ?? 0;
    if (used >= agents[name]!.max_instances) continue;
    if (best === undefined || used < (load.get(best) ?? 0)) best = name;
  }
  return best;
}
