import type { Attempt, AttemptOutcome, TaskFields } from './task-schema.js';

// Where a task goes after an attempt, and what is written into it on the way.
export type NextStep = { to: 'completed' } | { to: 'failed' } | { to: 'pending'; retryAfterMs: number | undefined };

export interface RetryPolicy {
  maxRetries: number;
  retryDelayMs: number;
}

const MAX_BACKOFF_FACTOR = 32;

// Attempts made since the task last entered the queue afresh (a retry by hand or `orchestrate retry`).
// Attempts stopped by a usage or rate limit do not count: waiting for a limit is not a failure.
export function attemptsInRound(fields: Pick<TaskFields, 'attempts' | 'attempts_base'>): number {
  return (fields.attempts ?? [])
    .slice(fields.attempts_base ?? 0)
    .filter((attempt) => attempt.outcome !== 'rate_limited').length;
}

// The number the next attempt gets: one past the highest recorded.
export function nextAttemptNumber(fields: Pick<TaskFields, 'attempts'>): number {
  return (fields.attempts ?? []).reduce((max, attempt) => Math.max(max, attempt.number), 0) + 1;
}

// Exponential backoff: retry_delay, then twice that, and so on, capped at 32 times.
export function backoffMs(retryDelayMs: number, failuresInRound: number): number {
  return retryDelayMs * Math.min(2 ** Math.max(0, failuresInRound - 1), MAX_BACKOFF_FACTOR);
}

// Decides the next folder once an attempt has ended and been appended to `fields.attempts`.
// `retryAtMs`: when a rate-limited task may run again; `final`: a failure retrying cannot fix.
export function nextStepAfter(
  outcome: AttemptOutcome,
  fields: TaskFields,
  policy: RetryPolicy,
  now: number,
  options: { requeue?: boolean; retryAtMs?: number; final?: boolean } = {},
): NextStep {
  if (outcome === 'success') return { to: 'completed' };
  if (options.requeue) return { to: 'pending', retryAfterMs: undefined };
  if (outcome === 'rate_limited') return { to: 'pending', retryAfterMs: options.retryAtMs };
  if (options.final) return { to: 'failed' };
  if (outcome === 'cancelled' || outcome === 'spawn_error') return { to: 'failed' };
  const used = attemptsInRound(fields);
  const allowed = (fields.max_retries ?? policy.maxRetries) + 1;
  if (used >= allowed) return { to: 'failed' };
  return { to: 'pending', retryAfterMs: now + backoffMs(policy.retryDelayMs, used) };
}

export type { Attempt };
