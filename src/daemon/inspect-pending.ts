import { lstatSync, unlinkSync, type Stats } from 'node:fs';
import type { OpenWriter } from '../process/process-table.js';
import { caseTwinProblem } from '../core/ids.js';
import type { Problem } from '../core/problems.js';
import type { PendingTask } from '../core/scheduler.js';
import type { StateFolder } from '../core/state-folders.js';
import { contextFileProblems } from '../queue/input-paths.js';
import type { Layout } from '../queue/layout.js';
import type { CaseTwin } from '../queue/case-twins.js';
import { readTaskFile, sameSignature, type FileSignature } from '../queue/task-file.js';
import { planGate } from '../queue/plan-staging.js';
import { inspectPendingPlan, PLAN_BUSY_RETRY_MS } from './pending-plan.js';

// A file that fails to parse while younger than this may still be being written: not yet invalid.
const PARSE_GRACE_MS = 2000;
// A file linked into two folders for longer than this was left by a crash mid-move.
const MOVE_SETTLE_MS = 5000;

export interface ReadyTask extends PendingTask {
  text: string;
  signature: FileSignature;
}

// What a file in pending/ is right now.
export type PendingVerdict =
  | { kind: 'gone' }
  | { kind: 'unchanged' }
  | { kind: 'wait'; until: number; writer?: OpenWriter }
  | { kind: 'invalid'; problems: Problem[]; rename: boolean }
  | { kind: 'ready'; entry: ReadyTask };

export interface InspectOptions {
  now: number;
  stableWindowMs: number;
  // Written atomically by `orchestrate add`, which rang the daemon: no stability window needed.
  trusted: boolean;
  known: FileSignature | undefined;
  // The process that still holds the file open for writing, if any (looked at only when needed).
  writerOf: (stats: Stats) => OpenWriter | undefined;
  // A stale hard link in another folder was removed (a crash's half-done move, finished here).
  onMoveFinished: (state: StateFolder) => void;
  // The task file this one must yield to because their ids differ only in case, if any.
  caseTwinOf: (stats: Stats) => CaseTwin | undefined;
}

// Decides what a file in pending/ is: not ready yet, a valid task, or bad input to set aside.
// A plan is expanded here: its tasks appear in pending/, the plan file leaves it.
export function inspectPending(layout: Layout, id: string, options: InspectOptions): PendingVerdict {
  const path = layout.taskPath('pending', id);
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch {
    return { kind: 'gone' };
  }
  const signature = { size: stats.size, mtimeMs: stats.mtimeMs, ino: stats.ino };
  if (options.known && sameSignature(options.known, signature)) return { kind: 'unchanged' };
  const age = options.now - stats.mtimeMs;
  if (stats.isFile() && !options.trusted && age < options.stableWindowMs)
    return { kind: 'wait', until: stats.mtimeMs + options.stableWindowMs };
  // A writer that pauses longer than the window (an editor, `cat >`, a script) must not be read half done.
  const writer = stats.isFile() && !options.trusted ? options.writerOf(stats) : undefined;
  if (writer) return { kind: 'wait', until: options.now + options.stableWindowMs, writer };
  // A task of a plan being published waits until the whole plan is there.
  if (planGate(layout, id, options.now) === 'wait') return { kind: 'wait', until: options.now + PLAN_BUSY_RETRY_MS };
  const read = readTaskFile(path, id, stats);
  if (read.kind === 'missing') return { kind: 'gone' };
  if (read.kind === 'invalid') {
    const young = stats.isFile() && !options.trusted && age < PARSE_GRACE_MS;
    const plan = read.unread
      ? undefined
      : inspectPendingPlan(layout, id, stats, {
          now: options.now,
          stableWindowMs: options.stableWindowMs,
          graceUntil: young ? stats.mtimeMs + PARSE_GRACE_MS : undefined,
        });
    // The plan file has left pending/; its id waits one more window, so the doorbell for the new
    // tasks rings before the daemon could think itself idle (`run --until-idle`).
    if (plan?.kind === 'published') return { kind: 'wait', until: options.now + options.stableWindowMs };
    if (plan) return plan.kind === 'wait' ? plan : { kind: 'invalid', problems: plan.problems, rename: false };
    if (young && !read.unread) return { kind: 'wait', until: stats.mtimeMs + PARSE_GRACE_MS };
    return { kind: 'invalid', problems: read.problems, rename: false };
  }
  const elsewhere = stateElsewhere(layout, id, stats.ino, stats.ctimeMs, options);
  if (elsewhere === 'moving') return { kind: 'wait', until: stats.ctimeMs + MOVE_SETTLE_MS };
  if (elsewhere) {
    const message = `the id "${id}" is already used by tasks/${elsewhere}/${id}.yaml (rename this file to a new id)`;
    return { kind: 'invalid', problems: [{ path: '', message }], rename: true };
  }
  const twin = options.caseTwinOf(stats);
  if (twin) {
    const message = `${caseTwinProblem(id, `tasks/${twin.state}/${twin.id}.yaml`)} (rename this file to a new id)`;
    return { kind: 'invalid', problems: [{ path: '', message }], rename: true };
  }
  const fields = read.task.fields;
  const outside = contextFileProblems(layout.root, fields.context_files);
  if (outside.length > 0) return { kind: 'invalid', problems: outside, rename: false };
  return {
    kind: 'ready',
    entry: {
      task: read.task,
      text: read.text,
      signature,
      createdAtMs: (fields.created_at ? Date.parse(fields.created_at) : NaN) || stats.mtimeMs,
      retryAfterMs: fields.retry_after ? Date.parse(fields.retry_after) || undefined : undefined,
    },
  };
}

// Where else an id lives. The same file in two folders is a move under way (`orchestrate retry`
// links, then unlinks): wait for it, and finish it only if it was left half done by a crash.
function stateElsewhere(
  layout: Layout,
  id: string,
  ino: number,
  ctimeMs: number,
  options: InspectOptions,
): StateFolder | 'moving' | undefined {
  for (const state of ['assigned', 'completed', 'failed'] as const) {
    const other = layout.taskPath(state, id);
    let otherIno: number;
    try {
      otherIno = lstatSync(other).ino;
    } catch {
      continue;
    }
    if (otherIno !== ino) return state;
    if (options.now - ctimeMs < MOVE_SETTLE_MS) return 'moving';
    unlinkSync(other);
    options.onMoveFinished(state);
  }
  return undefined;
}
