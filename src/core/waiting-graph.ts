import { findCycles } from './dependency-cycles.js';

// The dependency graph among waiting tasks that name others, and its cycles, kept up to date as
// tasks come and go. While it has no cycle, a task that arrives can close one only through itself,
// so a search from that task is enough, and a task that leaves cannot close one; once a cycle
// exists, a change has the whole graph searched again, in the order the caller gives.
export class WaitingGraph {
  private readonly edges = new Map<string, readonly string[]>();
  private found = new Map<string, string>();
  private stale = false;

  add(id: string, dependencies: readonly string[]): void {
    this.edges.set(id, dependencies);
    if (!this.stale && (this.found.size > 0 || this.reachesItself(id))) this.stale = true;
  }

  remove(id: string): void {
    if (this.edges.delete(id) && this.found.size > 0) this.stale = true;
  }

  // Each task on a cycle, with the cycle ("a -> b -> a"); `order` lists the graph's tasks in the
  // order a full search visits them.
  cycles(order: () => Iterable<string>): Map<string, string> {
    if (this.stale) {
      this.stale = false;
      const graph = new Map<string, readonly string[]>();
      for (const id of order()) graph.set(id, this.edges.get(id) ?? []);
      this.found = findCycles(graph);
    }
    return this.found;
  }

  private reachesItself(start: string): boolean {
    const seen = new Set<string>();
    const next = [...(this.edges.get(start) ?? [])];
    for (let id = next.pop(); id !== undefined; id = next.pop()) {
      if (id === start) return true;
      if (seen.has(id)) continue;
      seen.add(id);
      const dependencies = this.edges.get(id);
      if (dependencies) for (const dependency of dependencies) next.push(dependency);
    }
    return false;
  }
}
