import { stopRunTree } from '../agents/stop-run.js';
import { sendControl } from '../daemon/control-socket.js';
import { loadConfig } from '../queue/config-file.js';
import { cancelPendingTask } from '../queue/cancel-pending.js';
import { recordAttempt } from '../queue/finish.js';
import type { Layout } from '../queue/layout.js';
import { isRunProcess, readExitCode, readPid } from '../queue/run-files.js';
import { readTaskFile } from '../queue/task-file.js';
import { withTaskLock } from '../queue/task-lock.js';
import { CliError } from './errors.js';
import { findTask } from './find-task.js';
import { latestRun } from './runs.js';

// `orchestrate cancel`: through the daemon when one runs, else done here with the same rules.
export async function cancelTask(layout: Layout, id: string): Promise<string> {
  const state = findTask(layout, id);
  if (state === 'completed' || state === 'failed') throw new CliError(`${id} has already ended (it is in ${state}/)`);
  const loaded = loadConfig(layout);
  const graceMs = loaded.ok ? loaded.config.killGraceMs : 5000;
  const reply = await sendControl(layout, { cmd: 'cancel', id }, graceMs * 3 + 10_000);
  if (reply) {
    if (!reply.ok) throw new CliError(reply.error);
    return String(reply.message);
  }
  if (state === 'pending') {
    const result = await cancelPendingTask(layout, id);
    if (!result.ok) throw new CliError(result.message);
    return result.message;
  }
  return cancelOrphanRun(layout, id, graceMs);
}

// No daemon watches this run: stop its agent tree here and record the attempt as cancelled.
async function cancelOrphanRun(layout: Layout, id: string, graceMs: number): Promise<string> {
  const run = latestRun(layout, id);
  const pid = run ? readPid(run.dir) : undefined;
  if (run && pid !== undefined && isRunProcess(pid, run.dir)) await stopRunTree(pid, run.dir, graceMs);
  return withTaskLock(layout, id, async () => {
    const read = readTaskFile(layout.taskPath('assigned', id), id);
    if (read.kind === 'missing') throw new CliError(`${id} left assigned/ meanwhile`);
    if (read.kind !== 'task') throw new CliError(`${id}: the task file is not valid; fix or delete tasks/assigned/${id}.yaml`);
    const record = run?.record;
    const now = new Date().toISOString();
    const loaded = loadConfig(layout);
    const policy = loaded.ok ? { maxRetries: loaded.config.defaults.maxRetries, retryDelayMs: loaded.config.defaults.retryDelayMs } : { maxRetries: 0, retryDelayMs: 0 };
    await recordAttempt(
      layout,
      id,
      'assigned',
      { text: read.text, fields: read.task.fields, signature: read.signature },
      {
        number: run?.number ?? 1,
        slot: record?.slot ?? '-',
        worker: 'orchestrate cancel',
        startedAt: record?.started_at ?? now,
        endedAt: now,
        exitCode: run ? readExitCode(run.dir) ?? null : null,
        outcome: 'cancelled',
        error: 'cancelled by orchestrate cancel (no daemon was running)',
      },
      policy,
      read.task.fields.created_at ?? record?.started_at ?? now,
    );
    return `cancelled ${id}; its agent was stopped`;
  });
}
