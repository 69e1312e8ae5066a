import { processTable } from './process-table.js';

// Finds what is left in the process groups of finished runs, many groups per look at the process
// table: a look costs about a millisecond (a pass over /proc; more for a run of ps), too much to
// spend on every one of a thousand short tasks.
export class GroupSweep {
  private readonly waiting = new Map<number, Array<(members: number[]) => void>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly everyMs: number) {}

  // The live processes of group `pgid`, as found by the next pass (within `everyMs`).
  membersOf(pgid: number): Promise<number[]> {
    return new Promise((resolve) => {
      const list = this.waiting.get(pgid);
      if (list) list.push(resolve);
      else this.waiting.set(pgid, [resolve]);
      this.timer ??= setTimeout(() => this.pass(), this.everyMs);
    });
  }

  private pass(): void {
    this.timer = undefined;
    if (this.waiting.size === 0) return;
    const waiting = new Map(this.waiting);
    this.waiting.clear();
    let found: Map<number, number[]>;
    try {
      found = processTable.membersOfGroups(new Set(waiting.keys()));
    } catch {
      found = new Map();
    }
    for (const [pgid, resolvers] of waiting) for (const resolve of resolvers) resolve(found.get(pgid) ?? []);
  }

  // Answers whoever still waits (with nothing found) and stops the timer.
  close(): void {
    clearTimeout(this.timer);
    this.pass();
  }
}
