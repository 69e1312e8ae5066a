import { lstatSync, type Stats } from 'node:fs';
import type { StateFolder } from '../core/state-folders.js';
import type { TaskFields } from '../core/task-schema.js';
import { recordAttempt, type AttemptEnd, type Recorded, type TaskSource } from '../queue/finish.js';
import { locateTaskFile } from '../queue/locate-task.js';
import { readTaskFile, sameSignature } from '../queue/task-file.js';
import { summarizeTask } from '../queue/task-summary.js';
import type { DaemonContext } from './context.js';
import type { LiveRun } from './live-run.js';

// Finds the task file (a person may have moved it while it ran) and records the attempt in it.
// No task lock here: while a daemon runs, CLI commands hand it their changes to running tasks.
export async function recordRunEnd(ctx: DaemonContext, run: LiveRun, end: AttemptEnd): Promise<Recorded | undefined> {
  const { layout, log } = ctx;
  const found = locateTaskFile(layout, run.id, ['assigned', 'pending', 'completed', 'failed']);
  if (found === undefined) {
    log.warn({ task: run.id }, `${run.id}: its task file was removed, so the attempt is kept only in ${run.runDir}`);
    return undefined;
  }
  const from = found.state;
  const current = currentTask(ctx, run, from, found.stats);
  if (!current) {
    log.error(
      { task: run.id },
      `${run.id}: the task file became invalid while it ran; the attempt is kept in ${run.runDir}`,
    );
    return undefined;
  }
  const config = ctx.config();
  const recorded = await recordAttempt(
    layout,
    run.id,
    from,
    current,
    end,
    { maxRetries: config.defaults.maxRetries, retryDelayMs: config.defaults.retryDelayMs },
    run.createdAt,
  );
  if (recorded.moved === 'changed') {
    log.error(
      { task: run.id },
      `${run.id}: tasks/${from}/${run.id}.yaml kept changing or became invalid while its end was recorded; the attempt is kept in ${run.runDir}`,
    );
    return undefined;
  }
  rememberInIndex(ctx, run.id, recorded.to, recorded.fields);
  return recorded;
}

// The task as it is now: what was claimed if the file is untouched (the common case), else re-read.
function currentTask(ctx: DaemonContext, run: LiveRun, from: StateFolder, stats: Stats): TaskSource | undefined {
  const path = ctx.layout.taskPath(from, run.id);
  const claimed = run.claimed;
  if (claimed && from === 'assigned' && sameSignature(stats, claimed.signature)) return claimed;
  const read = readTaskFile(path, run.id, stats);
  return read.kind === 'task' ? { text: read.text, fields: read.task.fields, signature: read.signature } : undefined;
}

// Tells the index cache what was just written, so the next listing need not parse it.
function rememberInIndex(ctx: DaemonContext, id: string, state: StateFolder, fields: TaskFields): void {
  try {
    const stats = lstatSync(ctx.layout.taskPath(state, id));
    ctx.index.remember(
      state,
      id,
      { size: stats.size, mtimeMs: stats.mtimeMs, ino: stats.ino },
      summarizeTask(id, state, fields),
    );
  } catch {
    // Moved again already; the next listing parses it.
  }
}
