import { findCycles } from '../core/dependency-cycles.js';
import { dependencyIds, hasDependencies } from '../core/dependency-state.js';
import { compareAge, orderPending, type RunOrder } from '../core/scheduler.js';
import type { Config } from '../core/config-schema.js';
import type { ReadyTask } from './inspect-pending.js';

// The ready tasks in run order, kept between passes: a task that arrives or leaves is put in or
// taken out of the age order by binary search (no re-sort), the run order is redone only when the
// set, the config or an aging step changes it, and cycles are searched for only when a task with
// dependencies comes or goes (only such a task can be on a cycle).
export class ReadyOrder {
  private readonly byAge: ReadyTask[] = [];
  private order: RunOrder<ReadyTask> | undefined;
  private orderedWith: Config['defaults'] | undefined;
  private graphChanged = false;
  // Tasks on a dependency cycle (depends_on, after or when), with the cycle.
  cycles = new Map<string, string>();

  added(entry: ReadyTask): void {
    this.byAge.splice(this.position(entry), 0, entry);
    this.changed(entry);
  }

  removed(entry: ReadyTask): void {
    const index = this.position(entry);
    if (this.byAge[index] !== entry) return;
    this.byAge.splice(index, 1);
    this.changed(entry);
  }

  ordered(now: number, defaults: Config['defaults']): ReadyTask[] {
    if (this.graphChanged) {
      this.graphChanged = false;
      this.cycles = cyclesAmong(this.byAge);
    }
    const order = this.order;
    if (
      order === undefined ||
      defaults !== this.orderedWith ||
      (order.changesAtMs !== undefined && now >= order.changesAtMs)
    ) {
      this.order = orderPending(this.byAge, {
        now,
        agingMs: defaults.priorityAgingMs,
        defaultPriority: defaults.priority,
      });
      this.orderedWith = defaults;
    }
    return this.order!.order;
  }

  private changed(entry: ReadyTask): void {
    this.order = undefined;
    if (hasDependencies(entry.task)) this.graphChanged = true;
  }

  // Where an entry is, or belongs, in the age order.
  private position(entry: ReadyTask): number {
    let low = 0;
    let high = this.byAge.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareAge(this.byAge[middle]!, entry) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

function cyclesAmong(entries: readonly ReadyTask[]): Map<string, string> {
  const graph = new Map<string, string[]>();
  for (const entry of entries) if (hasDependencies(entry.task)) graph.set(entry.task.id, dependencyIds(entry.task));
  return graph.size === 0 ? new Map() : findCycles(graph);
}
