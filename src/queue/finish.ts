import { nextStepAfter, type RetryPolicy, type StateFolder } from '../core/transitions.js';
import type { AgentUsage } from '../agents/preset.js';
import type { Attempt, AttemptOutcome, TaskFields, TaskResult } from '../core/task-schema.js';
import type { WorktreeResult } from '../core/worktree.js';
import { writeFileAtomic } from './atomic-write.js';
import type { Layout } from './layout.js';
import { moveTaskWithContent, rewriteTask, type MoveResult } from './moves.js';
import { renderTask } from './task-document.js';

// How an attempt ended, as the daemon (or `orchestrate cancel`) learnt it.
export interface AttemptEnd {
  number: number;
  slot: string;
  worker: string;
  startedAt: string;
  endedAt: string;
  exitCode: number | null;
  outcome: AttemptOutcome;
  error: string | undefined;
  answer?: string;
  summary?: string;
  // Tokens, cost, turns and tool calls, as far as the agent's CLI reported them.
  usage?: AgentUsage;
  // A worktree task's branch and worktree, and after a success its commit, files and merge.
  workspace?: WorktreeResult;
  // Rate-limited: when the task may run again. Final: a failure retrying cannot fix (authentication).
  retryAtMs?: number;
  final?: boolean;
  // Put the task back in pending without using up a retry (the daemon was stopped with --kill-agents).
  requeue?: boolean;
}

export interface Recorded {
  to: StateFolder;
  moved: MoveResult;
  fields: TaskFields;
  content: string;
}

// Appends an attempt to a task file and moves it where the lifecycle says, in one transition.
export async function recordAttempt(
  layout: Layout,
  id: string,
  from: StateFolder,
  text: string,
  fields: TaskFields,
  end: AttemptEnd,
  policy: RetryPolicy,
  createdAt: string,
): Promise<Recorded> {
  const previous = fields.attempts ?? [];
  // A task that carries a result has come back from failed/: a new round of retries starts.
  const attemptsBase = fields.result !== undefined ? previous.length : fields.attempts_base;
  const attempt: Attempt = {
    number: end.number,
    agent: end.slot,
    worker: end.worker,
    started_at: end.startedAt,
    ended_at: end.endedAt,
    exit_code: end.exitCode,
    outcome: end.outcome,
    ...(end.error === undefined ? {} : { error: end.error }),
    ...end.usage,
  };
  const attempts = [...previous, attempt];
  const step = nextStepAfter(end.outcome, { ...fields, attempts, attempts_base: attemptsBase, result: undefined }, policy, Date.parse(end.endedAt), {
    requeue: end.requeue ?? false,
    ...(end.retryAtMs === undefined ? {} : { retryAtMs: end.retryAtMs }),
    ...(end.final ? { final: true } : {}),
  });
  const output = end.answer ? `context/agent_outputs/${id}.md` : undefined;
  if (end.answer) await writeFileAtomic(layout.outputPath(id), end.answer, { durable: false });
  const result: TaskResult | undefined =
    step.to === 'pending'
      ? undefined
      : {
          outcome: end.outcome,
          ...(output ? { output } : {}),
          ...(end.summary ? { summary: end.summary } : {}),
          ...(end.error && end.outcome !== 'success' ? { error: end.error } : {}),
          duration_ms: Math.max(0, Date.parse(end.endedAt) - Date.parse(end.startedAt)),
          ...end.usage,
          ...end.workspace,
        };
  const retryAfter = step.to === 'pending' && step.retryAfterMs !== undefined ? new Date(step.retryAfterMs).toISOString() : undefined;
  const update = { created_at: createdAt, attempts, attempts_base: attemptsBase, retry_after: retryAfter, result };
  const content = renderTask(text, update);
  const moved = await moveOrRewrite(layout, id, from, step.to, content);
  return { to: step.to, moved, content, fields: { ...fields, ...update } };
}

// Ends a task that never got an attempt: cancelled while pending or its dependency failed
// (failed/), or skipped because its condition did not hold (completed/).
export async function recordEndWithoutAttempt(
  layout: Layout,
  id: string,
  from: StateFolder,
  text: string,
  fields: TaskFields,
  result: TaskResult,
  createdAt: string,
  to: 'completed' | 'failed' = 'failed',
): Promise<Recorded> {
  const update = { created_at: createdAt, retry_after: undefined, result };
  const content = renderTask(text, update);
  const moved = await moveOrRewrite(layout, id, from, to, content);
  return { to, moved, content, fields: { ...fields, ...update } };
}

async function moveOrRewrite(layout: Layout, id: string, from: StateFolder, to: StateFolder, content: string): Promise<MoveResult> {
  // Leaving pending/ races with a claim, so a vanished source means we lost and must undo.
  if (from !== to) return moveTaskWithContent(layout, id, from, to, content, { strict: from === 'pending' });
  await rewriteTask(layout, id, to, content);
  return 'moved';
}
