import { agedPriority, nextPromotionMs } from './priority-aging.js';
import type { PriorityLevel } from './priority.js';
import type { Task } from './task-schema.js';

// A task waiting in pending/, with the facts the scheduler needs.
export interface PendingTask {
  task: Task;
  retryAfterMs: number | undefined;
  createdAtMs: number;
}

// What the run order depends on besides the tasks.
export interface AgingOptions {
  now: number;
  agingMs: number;
  defaultPriority: PriorityLevel;
}

// Pending tasks in the order they may start, reusable until `changesAtMs`.
export interface RunOrder<T> {
  order: T[];
  // When aging next changes the order; until then the order can be reused.
  changesAtMs: number | undefined;
}

// Oldest first, then by id: the order within one priority level, which passing time never changes.
export function compareAge(a: PendingTask, b: PendingTask): number {
  if (a.createdAtMs !== b.createdAtMs) return a.createdAtMs - b.createdAtMs;
  return a.task.id < b.task.id ? -1 : a.task.id > b.task.id ? 1 : 0;
}

function levelOf(entry: PendingTask, options: AgingOptions): PriorityLevel {
  return agedPriority(entry.task.priority ?? options.defaultPriority, entry.createdAtMs, options.now, options.agingMs);
}

// When aging next changes `entry`'s place, merged into `soonest`.
function nextChange(entry: PendingTask, options: AgingOptions, soonest: number | undefined): number | undefined {
  const base = entry.task.priority ?? options.defaultPriority;
  const next = nextPromotionMs(base, entry.createdAtMs, options.now, options.agingMs);
  return next !== undefined && (soonest === undefined || next < soonest) ? next : soonest;
}

// Highest (aged) priority first, then oldest, then id: the order people are promised. Takes tasks
// already in age order, so it is one linear pass per level instead of a sort.
export function orderPending<T extends PendingTask>(byAge: readonly T[], options: AgingOptions): RunOrder<T> {
  const levels = new Uint8Array(byAge.length);
  let changesAtMs: number | undefined;
  for (let i = 0; i < byAge.length; i++) {
    levels[i] = levelOf(byAge[i]!, options);
    changesAtMs = nextChange(byAge[i]!, options, changesAtMs);
  }
  const order: T[] = [];
  for (let level = 0; level <= 2; level++)
    for (let i = 0; i < byAge.length; i++) if (levels[i] === level) order.push(byAge[i]!);
  return { order, changesAtMs };
}

// Where `entry` is, or belongs, in a run order made before `options.now` and still valid then
// (no aging step since): the order is sorted by aged priority, then age, so it is a binary search.
export function runPosition(order: readonly PendingTask[], entry: PendingTask, options: AgingOptions): number {
  const level = levelOf(entry, options);
  let low = 0;
  let high = order.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const other = order[middle]!;
    const before = levelOf(other, options) - level || compareAge(other, entry);
    if (before < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

// Puts one more task into a valid run order (see runPosition): its index, and when the order changes next.
export function insertInOrder<T extends PendingTask>(run: RunOrder<T>, entry: T, options: AgingOptions): number {
  const index = runPosition(run.order, entry, options);
  run.order.splice(index, 0, entry);
  run.changesAtMs = nextChange(entry, options, run.changesAtMs);
  return index;
}
