import { lstatSync, readdirSync, type Stats } from 'node:fs';
import type { OpenWriter } from '../process/process-table.js';
import { taskIdOf } from '../core/ids.js';
import type { Problem } from '../core/problems.js';
import type { StateFolder } from '../core/state-folders.js';
import type { PendingView } from '../core/wait-reason.js';
import { CaseTwins, type CaseTwin } from '../queue/case-twins.js';
import type { Layout } from '../queue/layout.js';
import { inspectPending, type ReadyTask } from './inspect-pending.js';
import { ReadyOrder } from './ready-order.js';
import { WriterScan } from '../process/writer-scan.js';

// A file not read yet: when to look again, and the process still writing it, if one is.
interface Waiting {
  until: number;
  writer?: OpenWriter;
}

// The task ids of the files in a folder.
export function listIds(dir: string): Set<string> {
  const ids = new Set<string>();
  for (const name of readdirSync(dir)) {
    const id = taskIdOf(name);
    if (id !== undefined) ids.add(id);
  }
  return ids;
}

// What the daemon knows of pending/: files it waits to read (still changing, or open for writing),
// tasks read and ready to schedule (kept in their run order), and files `orchestrate add` wrote
// whole, which need no stability window.
export class PendingSet {
  readonly ready = new Map<string, ReadyTask>();
  readonly order = new ReadyOrder();
  private readonly waiting = new Map<string, Waiting>();
  private readonly trusted = new Set<string>();
  private readonly writers: WriterScan;
  // Ids that differ only in case from others, in any folder (set aside with the duplicates).
  readonly twins: CaseTwins;

  // `onForget`: an id left the set (read again, moved away, or claimed).
  constructor(
    private readonly layout: Layout,
    private readonly onForget: (id: string) => void,
  ) {
    this.twins = new CaseTwins(layout);
    this.writers = new WriterScan(layout.folder('pending'));
  }

  trust(id: string): void {
    this.trusted.add(id);
  }

  // Whether the id is a pending file the daemon knows of (ready, or waiting to be read).
  has(id: string): boolean {
    return this.ready.has(id) || this.waiting.has(id);
  }

  get settlingCount(): number {
    return this.waiting.size;
  }

  forget(id: string): void {
    const entry = this.ready.get(id);
    if (entry) {
      this.ready.delete(id);
      this.order.removed(entry);
    }
    this.waiting.delete(id);
    this.onForget(id);
  }

  // After a full listing of pending/: forgets what left it; returns the ids to look at (new files,
  // and every ready one, whose file may have changed unseen).
  sync(present: ReadonlySet<string>): string[] {
    this.twins.relist(present);
    const look: string[] = [];
    for (const id of present) if (!this.ready.has(id)) look.push(id);
    for (const id of [...this.ready.keys(), ...this.waiting.keys()]) if (!present.has(id)) this.forget(id);
    look.push(...this.ready.keys());
    return look;
  }

  // Reads what a file in pending/ is now: not ready yet, a valid task, gone, or bad input (returned,
  // for the caller to set aside).
  look(
    id: string,
    options: { now: number; stableWindowMs: number; onMoveFinished: (state: StateFolder) => void },
  ): { problems: Problem[]; rename: boolean } | undefined {
    this.twins.note(id);
    const verdict = inspectPending(this.layout, id, {
      ...options,
      trusted: this.trusted.has(id),
      known: this.ready.get(id)?.signature,
      writerOf: (stats) => this.writers.writerOf(stats),
      caseTwinOf: (stats) => this.caseTwinOf(id, stats),
    });
    if (verdict.kind === 'unchanged') return undefined;
    this.forget(id);
    if (verdict.kind === 'wait') {
      this.waiting.set(id, { until: verdict.until, ...(verdict.writer ? { writer: verdict.writer } : {}) });
      return undefined;
    }
    this.trusted.delete(id);
    if (verdict.kind === 'invalid') return { problems: verdict.problems, rename: verdict.rename };
    if (verdict.kind === 'ready') {
      this.ready.set(id, verdict.entry);
      this.order.added(verdict.entry);
    }
    return undefined;
  }

  // Of two ids that differ only in case, the one in pending/ yields to one in any other folder; of two
  // in pending/, the one the daemon has not read yet yields, else the one that arrived last.
  private caseTwinOf(id: string, stats: Stats): CaseTwin | undefined {
    return this.twins
      .twinsOf(id)
      .find((twin) => twin.state !== 'pending' || this.has(twin.id) || arrivedBefore(this.layout, twin.id, id, stats));
  }

  // When the soonest waiting file is to be looked at again, if any waits.
  nextLook(): number | undefined {
    let next: number | undefined;
    for (const waiting of this.waiting.values()) next = Math.min(next ?? Infinity, waiting.until);
    return next;
  }

  waitingIds(): string[] {
    return [...this.waiting.keys()];
  }

  // What `status` says of the files not read yet.
  settlingViews(): Record<string, PendingView> {
    const views: Record<string, PendingView> = {};
    for (const [id, entry] of this.waiting)
      views[id] = entry.writer ? { kind: 'settling', writer: entry.writer } : { kind: 'settling' };
    return views;
  }
}

// Whether pending file `other` arrived before `id` (whose lstat is `stats`): the older change time,
// then the smaller name, so that both files' verdicts agree.
function arrivedBefore(layout: Layout, other: string, id: string, stats: Stats): boolean {
  const otherCtime = lstatSync(layout.taskPath('pending', other), { throwIfNoEntry: false })?.ctimeMs;
  if (otherCtime === undefined) return false;
  return otherCtime < stats.ctimeMs || (otherCtime === stats.ctimeMs && other < id);
}
