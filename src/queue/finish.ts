import { nextStepAfter, type RetryPolicy } from '../core/transitions.js';
import type { StateFolder } from '../core/state-folders.js';
import type { AgentUsage } from '../agents/preset.js';
import type { Attempt, AttemptOutcome, TaskFields, TaskResult } from '../core/task-schema.js';
import type { WorktreeResult } from '../core/worktree.js';
import { writeFileAtomic } from './atomic-write.js';
import type { Layout } from './layout.js';
import { moveTaskWithContent, rewriteTask, type MoveResult } from './moves.js';
import { renderTask, type DaemonFields } from './task-document.js';
import { readTaskFile, type FileSignature } from './task-file.js';

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

// A task file as it was read: what a transition's new content is made from.
export interface TaskSource {
  text: string;
  fields: TaskFields;
  signature: FileSignature;
}

// Where a transition goes and what it adds, worked out from the task's fields as they are.
interface TransitionPlan {
  to: StateFolder;
  update: DaemonFields;
}

// A file that keeps changing under us is given up on after this many reads (the caller retries later).
const MAX_READS = 5;

// Appends an attempt to a task file and moves it where the lifecycle says, in one transition.
export async function recordAttempt(
  layout: Layout,
  id: string,
  from: StateFolder,
  source: TaskSource,
  end: AttemptEnd,
  policy: RetryPolicy,
  createdAt: string,
): Promise<Recorded> {
  if (end.answer) await writeFileAtomic(layout.outputPath(id), end.answer, { durable: false });
  return transition(layout, id, from, source, (fields) => attemptPlan(id, fields, end, policy, createdAt));
}

function attemptPlan(
  id: string,
  fields: TaskFields,
  end: AttemptEnd,
  policy: RetryPolicy,
  createdAt: string,
): TransitionPlan {
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
  const step = nextStepAfter(
    end.outcome,
    { ...fields, attempts, attempts_base: attemptsBase, result: undefined },
    policy,
    Date.parse(end.endedAt),
    {
      requeue: end.requeue ?? false,
      ...(end.retryAtMs === undefined ? {} : { retryAtMs: end.retryAtMs }),
      ...(end.final ? { final: true } : {}),
    },
  );
  const output = end.answer ? `context/agent_outputs/${id}.md` : undefined;
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
  const retryAfter =
    step.to === 'pending' && step.retryAfterMs !== undefined ? new Date(step.retryAfterMs).toISOString() : undefined;
  return {
    to: step.to,
    update: { created_at: createdAt, attempts, attempts_base: attemptsBase, retry_after: retryAfter, result },
  };
}

// Ends a task that never got an attempt: cancelled while pending or its dependency failed
// (failed/), or skipped because its condition did not hold (completed/). `decidedFromSource`: the
// ending was decided from the fields read (a failed dependency, a skip), so a changed file is not
// read again here but returned as 'changed', for the decision to be made anew.
export function recordEndWithoutAttempt(
  layout: Layout,
  id: string,
  from: StateFolder,
  source: TaskSource,
  result: TaskResult,
  createdAt: string,
  options: { to?: 'completed' | 'failed'; decidedFromSource?: boolean } = {},
): Promise<Recorded> {
  const plan = () => ({
    to: options.to ?? 'failed',
    update: { created_at: createdAt, retry_after: undefined, result },
  });
  return transition(layout, id, from, source, plan, options.decidedFromSource ? 1 : MAX_READS);
}

// Renders the task's new content from the file as it was read and writes it, unless the file
// changed meanwhile: then it is read again and the content made anew, so no byte a person wrote
// is ever overwritten by a copy made before it. 'changed' when it keeps changing (past `maxReads`)
// or turned invalid.
async function transition(
  layout: Layout,
  id: string,
  from: StateFolder,
  source: TaskSource,
  plan: (fields: TaskFields) => TransitionPlan,
  maxReads = MAX_READS,
): Promise<Recorded> {
  let current = source;
  for (let reads = 1; ; reads++) {
    const { to, update } = plan(current.fields);
    const content = renderTask(current.text, update);
    const moved = await moveOrRewrite(layout, id, from, to, content, current.signature);
    const recorded: Recorded = { to, moved, content, fields: { ...current.fields, ...update } };
    if (moved !== 'changed' || reads >= maxReads) return recorded;
    const reread = readTaskFile(layout.taskPath(from, id), id);
    if (reread.kind === 'missing') return { ...recorded, moved: 'gone' };
    if (reread.kind === 'invalid') return recorded;
    current = { text: reread.text, fields: reread.task.fields, signature: reread.signature };
  }
}

async function moveOrRewrite(
  layout: Layout,
  id: string,
  from: StateFolder,
  to: StateFolder,
  content: string,
  expected: FileSignature,
): Promise<MoveResult> {
  // Leaving pending/ races with a claim, so a vanished source means we lost and must undo.
  if (from !== to) return moveTaskWithContent(layout, id, from, to, content, { strict: from === 'pending', expected });
  return rewriteTask(layout, id, to, content, expected);
}
