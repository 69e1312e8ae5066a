import { existsSync, lstatSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { firstRunProcess } from '../process/process-table.js';
import { stopRunTree } from '../process/stop-run.js';
import { nextAttemptNumber } from '../core/transitions.js';
import type { Problem } from '../core/problems.js';
import { moveTask } from '../queue/moves.js';
import { agentStarted, readExitCode, readRunRecord, runProcess } from '../queue/run-files.js';
import { parseTaskText } from '../queue/task-file.js';
import type { DaemonContext } from './context.js';
import { describeRun } from './live-run.js';
import type { Runner } from './runner.js';

export type Recovery = 'adopted' | 'collected' | 'requeued' | 'resolved' | 'duplicate' | { invalid: Problem[] };

// Puts a task whose agent never started back in pending/, without using an attempt.
async function requeueUnstarted(ctx: DaemonContext, id: string, why: string): Promise<Recovery> {
  const moved = await moveTask(ctx.layout, id, 'assigned', 'pending');
  ctx.log.info({ task: id }, `${id} ${why}; back to pending without using an attempt (${moved})`);
  return 'requeued';
}

function attemptsIn(path: string, id: string): number | undefined {
  try {
    const read = parseTaskText(readFileSync(path), id, { size: 0, mtimeMs: 0, ino: 0 });
    return read.kind === 'task' ? (read.task.fields.attempts?.length ?? 0) : undefined;
  } catch {
    return undefined;
  }
}

// Brings a task found in assigned/ without a run back under control: finish an interrupted move,
// re-adopt its live agent, collect the exit status it left, or record it as lost.
export async function recoverAssigned(ctx: DaemonContext, runner: Runner, id: string): Promise<Recovery> {
  const { layout, log } = ctx;
  const path = layout.taskPath('assigned', id);
  const read = parseTaskText(readFileSync(path), id, { size: 0, mtimeMs: 0, ino: 0 });
  if (read.kind !== 'task') return { invalid: read.kind === 'invalid' ? read.problems : [] };
  const fields = read.task.fields;
  const ours = fields.attempts?.length ?? 0;
  for (const state of ['pending', 'completed', 'failed'] as const) {
    const other = layout.taskPath(state, id);
    if (!existsSync(other)) continue;
    if (state === 'pending' && lstatSync(other).ino === lstatSync(path).ino) {
      unlinkSync(path);
      log.info({ task: id }, `undid the interrupted claim of ${id}; it waits in pending/`);
      return 'requeued';
    }
    const theirs = attemptsIn(other, id);
    if (theirs !== undefined && theirs > ours) {
      unlinkSync(path);
      log.info({ task: id }, `finished the interrupted move of ${id} to ${state}/`);
      return 'resolved';
    }
    log.error({ task: id }, `${id} is in both assigned/ and ${state}/; keeping both untouched (remove the wrong copy)`);
    return 'duplicate';
  }
  const number = nextAttemptNumber(fields);
  const runDir = layout.runDir(id, number);
  const record = readRunRecord(runDir);
  if (!record) {
    // A worktree.setup the previous daemon was running for this attempt must not run on beside the next one.
    const setup = firstRunProcess(runDir);
    if (setup !== undefined) await stopRunTree(setup, runDir, ctx.config().killGraceMs);
    return requeueUnstarted(ctx, id, 'was claimed but never started');
  }
  const createdAt = fields.created_at ?? new Date(lstatSync(path).mtimeMs).toISOString();
  const run = describeRun({
    id,
    number,
    agent: record.agent,
    slot: record.slot,
    runDir,
    startedAt: record.started_at,
    createdAt,
    fields,
  });
  // Its worktree's work is committed and merged when the run is collected, as if nothing happened.
  if (record.worktree) run.worktree = record.worktree;
  if (readExitCode(runDir) !== undefined) {
    await runner.collect(run);
    return 'collected';
  }
  const pid = runProcess(runDir);
  // A runner shell never starts a run after its daemon died (its reply to the dead daemon ends it
  // first), so a run nothing began is not started later either.
  if (pid === undefined && !agentStarted(runDir)) {
    rmSync(runDir, { recursive: true, force: true });
    return requeueUnstarted(ctx, id, 'was recorded, but the daemon stopped before its agent started');
  }
  if (pid !== undefined) {
    runner.adopt(run, pid, record.timeout_ms);
    return 'adopted';
  }
  await runner.collect(run);
  return 'collected';
}
