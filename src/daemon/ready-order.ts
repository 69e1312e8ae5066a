import { dependencyIds, hasDependencies } from '../core/dependency-state.js';
import { PendingColumns } from '../core/pending-columns.js';
import { type AgingOptions, compareAge, insertInOrder, orderPending, type RunOrder } from '../core/run-order.js';
import type { Config } from '../core/config-schema.js';
import { WaitingGraph } from '../core/waiting-graph.js';
import type { ReadyTask } from './inspect-pending.js';

// Beyond this many arrivals and departures between two passes, ordering all again is cheaper.
const MAX_EDITS = 64;

// The ready tasks in run order, with their facts for the scheduler (PendingColumns), kept between
// passes: a task that arrives or leaves is put in or taken out of the age order and the run order
// by binary search (no re-sort); the whole run order is redone only when the config or an aging step
// changes it, or too much changed at once; cycles are kept by WaitingGraph.
export class ReadyOrder {
  private readonly byAge: ReadyTask[] = [];
  // The tasks that name others (the nodes of the dependency graph), in age order too.
  private readonly namingByAge: ReadyTask[] = [];
  private readonly graph = new WaitingGraph();
  private run: RunOrder<ReadyTask> | undefined;
  private columns = new PendingColumns();
  private orderedWith: Config['defaults'] | undefined;
  // Arrivals and departures since the last pass, in the order they happened.
  private edits: { entry: ReadyTask; arrived: boolean }[] = [];
  // Tasks on a dependency cycle (depends_on, after or when), with the cycle.
  cycles = new Map<string, string>();

  added(entry: ReadyTask): void {
    this.byAge.splice(agePosition(this.byAge, entry), 0, entry);
    if (hasDependencies(entry.task)) {
      this.namingByAge.splice(agePosition(this.namingByAge, entry), 0, entry);
      this.graph.add(entry.task.id, dependencyIds(entry.task));
    }
    this.changed(entry, true);
  }

  removed(entry: ReadyTask): void {
    const index = agePosition(this.byAge, entry);
    if (this.byAge[index] !== entry) return;
    this.byAge.splice(index, 1);
    if (hasDependencies(entry.task)) {
      this.namingByAge.splice(agePosition(this.namingByAge, entry), 1);
      this.graph.remove(entry.task.id);
    }
    this.changed(entry, false);
  }

  // The tasks in run order at `now`, and their facts in the same order (both valid until the next change).
  ordered(now: number, defaults: Config['defaults']): { pending: ReadyTask[]; columns: PendingColumns } {
    this.cycles = this.graph.cycles(() => this.namingByAge.map((entry) => entry.task.id));
    const options: AgingOptions = { now, agingMs: defaults.priorityAgingMs, defaultPriority: defaults.priority };
    let run = this.run;
    if (
      run === undefined ||
      defaults !== this.orderedWith ||
      (run.changesAtMs !== undefined && now >= run.changesAtMs)
    ) {
      run = this.run = orderPending(this.byAge, options);
      this.columns = PendingColumns.of(run.order);
      this.orderedWith = defaults;
    } else {
      for (const { entry, arrived } of this.edits) {
        if (arrived) this.columns.insert(insertInOrder(run, entry, options), entry);
        else this.leave(run, entry);
      }
    }
    this.edits = [];
    return { pending: run.order, columns: this.columns };
  }

  private leave(run: RunOrder<ReadyTask>, entry: ReadyTask): void {
    const index = run.order.indexOf(entry);
    if (index < 0) return;
    run.order.splice(index, 1);
    this.columns.remove(index);
  }

  private changed(entry: ReadyTask, arrived: boolean): void {
    if (this.run === undefined) return;
    if (this.edits.length < MAX_EDITS) this.edits.push({ entry, arrived });
    else [this.run, this.edits] = [undefined, []];
  }
}

// Where an entry is, or belongs, in an age order.
function agePosition(byAge: readonly ReadyTask[], entry: ReadyTask): number {
  let low = 0;
  let high = byAge.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareAge(byAge[middle]!, entry) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}
