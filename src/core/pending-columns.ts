import type { AgentWish } from './agent-choice.js';
import { hasDependencies } from './dependency-state.js';
import type { PendingTask } from './run-order.js';

// Bits of `flags`: what a task has beyond an agent wish and locks.
export const NAMES_TASKS = 1;
export const HAS_BACKOFF = 2;

// `lockSet` of a task that names no locks.
export const NO_LOCKS = -1;

// The pending tasks' scheduling facts by position in the run order, in flat arrays. A pass over
// 10,000 waiting tasks reads these in sequence and follows a task's pointers (task, fields, ids)
// only for what it has: on a busy machine, whose caches other processes keep evicting, three
// dependent loads per task were most of a pass. The daemon keeps one in step with its run order.
export class PendingColumns {
  length = 0;
  // Read by the scheduler; changed only through insert and remove. Index into `wishes` of each
  // task's agent and role, into `lockSets` of its locks (or NO_LOCKS), and its flags.
  wish = new Int32Array(16);
  lockSet = new Int32Array(16);
  flags = new Uint8Array(16);
  retryAfterMs = new Float64Array(16);
  // Each distinct agent wish and list of locks once: tasks that share one get the same verdicts.
  readonly wishes: AgentWish[] = [];
  readonly lockSets: (readonly string[])[] = [];
  private readonly wishIndex = new Map<string | undefined, Map<string | undefined, number>>();
  private readonly lockSetIndex = new Map<string, number>();

  static of(pending: readonly PendingTask[]): PendingColumns {
    const columns = new PendingColumns();
    for (const entry of pending) columns.insert(columns.length, entry);
    return columns;
  }

  insert(index: number, entry: PendingTask): void {
    if (this.length === this.flags.length) this.grow();
    const { task, retryAfterMs } = entry;
    const { agent, role, locks } = task.fields;
    for (const column of this.columns()) column.copyWithin(index + 1, index, this.length);
    this.wish[index] = this.wishOf(agent, role);
    this.lockSet[index] = locks === undefined || locks.length === 0 ? NO_LOCKS : this.lockSetOf(locks);
    this.flags[index] = (hasDependencies(task) ? NAMES_TASKS : 0) | (retryAfterMs === undefined ? 0 : HAS_BACKOFF);
    this.retryAfterMs[index] = retryAfterMs ?? 0;
    this.length++;
  }

  remove(index: number): void {
    for (const column of this.columns()) column.copyWithin(index, index + 1, this.length);
    this.length--;
  }

  private columns(): (Int32Array | Uint8Array | Float64Array)[] {
    return [this.wish, this.lockSet, this.flags, this.retryAfterMs];
  }

  private wishOf(agent: string | undefined, role: string | undefined): number {
    let byRole = this.wishIndex.get(agent);
    if (!byRole) this.wishIndex.set(agent, (byRole = new Map()));
    let index = byRole.get(role);
    if (index === undefined) {
      index = this.wishes.push({ agent, role }) - 1;
      byRole.set(role, index);
    }
    return index;
  }

  private lockSetOf(locks: readonly string[]): number {
    const key = JSON.stringify(locks);
    let index = this.lockSetIndex.get(key);
    if (index === undefined) {
      index = this.lockSets.push(locks) - 1;
      this.lockSetIndex.set(key, index);
    }
    return index;
  }

  private grow(): void {
    const size = this.flags.length * 2;
    const grown = <T extends Int32Array | Uint8Array | Float64Array>(column: T, make: new (size: number) => T): T => {
      const bigger = new make(size);
      bigger.set(column);
      return bigger;
    };
    this.wish = grown(this.wish, Int32Array);
    this.lockSet = grown(this.lockSet, Int32Array);
    this.flags = grown(this.flags, Uint8Array);
    this.retryAfterMs = grown(this.retryAfterMs, Float64Array);
  }
}
