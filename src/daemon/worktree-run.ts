import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AttemptOutcome } from '../core/task-schema.js';
import {
  commitParagraphs,
  shownPath,
  type RunWorktree,
  type WorktreePlan,
  type WorktreeResult,
} from '../core/worktree.js';
import { settleWork } from '../worktrees/merge.js';
import { prepareWorktree } from '../worktrees/prepare.js';
import { runSetup } from '../worktrees/setup.js';
import type { DaemonContext } from './context.js';
import type { LiveRun } from './live-run.js';

export type WorktreeStart =
  | { ok: true; workdir: string }
  | { ok: false; outcome: AttemptOutcome; error: string }
  | { aborted: true };

// Before a worktree task's agent starts: its worktree (made, or found again for a retry), and in a
// worktree whose setup has not succeeded yet, worktree.setup. Stopping the run aborts the setup.
export async function prepareRunWorktree(
  ctx: DaemonContext,
  run: LiveRun,
  plan: WorktreePlan,
  timeoutMs: number | null,
): Promise<WorktreeStart> {
  const config = ctx.config();
  const preparing = new AbortController();
  run.preparing = preparing;
  try {
    const prepared = await prepareWorktree(ctx.layout.root, run.id, plan, config.worktree.dir);
    if (!prepared.ok) return { ok: false, outcome: 'spawn_error', error: prepared.error };
    const { worktree } = prepared;
    run.worktree = { path: worktree.path, branch: worktree.branch, merge: plan.merge };
    if (worktree.warning) ctx.log.warn({ task: run.id }, worktree.warning);
    if (worktree.created)
      ctx.log.info(
        { task: run.id, worktree: worktree.path },
        `${run.id} works in ${shownPath(ctx.layout.root, worktree.path)} on ${worktree.branch}`,
      );
    // A workspace folder that is not committed (nothing in it is tracked) is missing from the checkout.
    mkdirSync(worktree.workdir, { recursive: true });
    const setup = config.worktree.setup;
    if (setup !== undefined && !existsSync(worktree.setupMarker)) {
      if (preparing.signal.aborted) return { aborted: true };
      mkdirSync(run.runDir, { recursive: true });
      const env = {
        ...ctx.environment(),
        ORCHESTRATE_ROOT: ctx.layout.root,
        ORCHESTRATE_TASK_ID: run.id,
        ORCHESTRATE_WORKTREE: worktree.workdir,
      };
      const deadlineMs = timeoutMs === null || timeoutMs <= 0 ? undefined : Date.parse(run.startedAt) + timeoutMs;
      const logPath = join(run.runDir, 'setup.log');
      const result = await runSetup({
        script: setup,
        cwd: worktree.workdir,
        env,
        runDir: run.runDir,
        logPath,
        deadlineMs,
        graceMs: config.killGraceMs,
        signal: preparing.signal,
      });
      if (!result.ok)
        return 'aborted' in result
          ? { aborted: true }
          : {
              ok: false,
              outcome: result.outcome,
              error: result.error.replace(logPath, shownPath(ctx.layout.root, logPath)),
            };
      writeFileSync(worktree.setupMarker, `${new Date().toISOString()}\n`);
    }
    return preparing.signal.aborted ? { aborted: true } : { ok: true, workdir: worktree.workdir };
  } finally {
    run.preparing = undefined;
  }
}

// What a worktree run adds to its task's result: where the work is and, after a success, the
// commit of the agent's work, the files it changed and what became of the merge.
export async function settleRunWorktree(
  ctx: DaemonContext,
  run: LiveRun,
  worktree: RunWorktree,
  success: boolean,
): Promise<WorktreeResult> {
  const where = { branch: worktree.branch, worktree: shownPath(ctx.layout.root, worktree.path) };
  if (!success) return where;
  const work = await settleWork({
    root: ctx.layout.root,
    path: worktree.path,
    branch: worktree.branch,
    mode: worktree.merge,
    paragraphs: commitParagraphs(run.description, run.id, run.slot),
  });
  const level = work.merge === 'error' || work.merge === 'conflict' ? 'warn' : 'info';
  ctx.log[level](
    { task: run.id, branch: worktree.branch, merge: work.merge },
    `${run.id}: ${worktree.branch} ${work.merge}${work.note ? `: ${work.note}` : ''}`,
  );
  return {
    ...where,
    ...(work.commit ? { commit: work.commit } : {}),
    files_modified: work.files,
    merge: work.merge,
    ...(work.note ? { merge_note: work.note } : {}),
  };
}
