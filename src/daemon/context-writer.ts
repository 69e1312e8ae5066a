import type { RunningSummary } from '../context/state-files.js';
import type { TaskSummary } from '../queue/task-summary.js';
import type { DaemonContext } from './context.js';

// context/ summaries are rewritten at most this often while tasks finish in a burst.
const WRITE_EVERY_MS = 1000;
// The index cache is one JSON file of every task's summary: while tasks run it is saved at most this
// often (serialising 10,000 entries blocks the loop for tens of ms), and whenever the daemon idles.
const SAVE_INDEX_EVERY_MS = 30_000;

export interface LiveState {
  completed: ReadonlySet<string>;
  failed: ReadonlySet<string>;
  pending(): TaskSummary[];
  running(): RunningSummary[];
}

// Keeps context/current_state.md, context/completed_tasks.json and the index cache up to date.
// Finished tasks' summaries stay in memory; only ids that changed are re-read, and many finishes
// in a burst share one rewrite.
export class ContextWriter {
  private readonly summaries = new Map<string, TaskSummary>();
  private readonly stale = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  // The write under way, if any: writes never overlap, so the last one shows the latest state.
  private writing: Promise<void> = Promise.resolve();
  private indexSavedAt = 0;

  constructor(
    private readonly ctx: DaemonContext,
    private readonly state: LiveState,
  ) {}

  // After a full scan of completed/ and failed/: pick up new ids, drop vanished ones.
  syncWithFolders(): void {
    for (const ids of [this.state.completed, this.state.failed])
      for (const id of ids) if (!this.summaries.has(id)) this.stale.add(id);
    for (const id of this.summaries.keys())
      if (!this.state.completed.has(id) && !this.state.failed.has(id)) this.summaries.delete(id);
  }

  // A task changed state (or just its pending/running view did): rewrite soon (after stop, only at
  // the next write asked for).
  changed(id?: string): void {
    if (id !== undefined) this.stale.add(id);
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.write();
    }, WRITE_EVERY_MS);
  }

  // No rewrite is timed from now on: the stopping daemon asks for the last one itself.
  stop(): void {
    this.stopped = true;
    this.cancelTimer();
  }

  private cancelTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  // Brings the summaries up to date, yielding now and then (a first start over 10,000 finished
  // tasks without a warm index parses them all).
  private async refresh(): Promise<void> {
    let done = 0;
    for (const id of [...this.stale]) {
      this.stale.delete(id);
      const state = this.state.completed.has(id) ? 'completed' : this.state.failed.has(id) ? 'failed' : undefined;
      const summary = state ? await this.ctx.index.summary(state, id) : undefined;
      if (summary) this.summaries.set(id, summary);
      else this.summaries.delete(id);
      if (++done % 200 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  // Rewrites the context files now (after a write under way), and saves the index if the daemon is
  // idle (or it is overdue).
  write(options: { idle?: boolean } = {}): Promise<void> {
    this.writing = this.writing.then(() => this.writeNow(options));
    return this.writing;
  }

  private async writeNow(options: { idle?: boolean }): Promise<void> {
    this.cancelTimer();
    try {
      const { writeStateFiles } = await import('../context/state-files.js');
      await this.refresh();
      const running = this.state.running();
      const pending = this.state.pending();
      await writeStateFiles(this.ctx.layout, {
        running,
        pending,
        finished: [...this.summaries.values()],
        now: Date.now(),
      });
      const idle = options.idle || (running.length === 0 && pending.length === 0);
      if (idle || Date.now() - this.indexSavedAt >= SAVE_INDEX_EVERY_MS) {
        this.indexSavedAt = Date.now();
        await this.ctx.index.save();
      }
    } catch (error) {
      this.ctx.log.error({ err: error }, `could not write context/ summaries: ${(error as Error).message}`);
    }
  }
}
