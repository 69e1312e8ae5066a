import type { AttemptOutcome } from './task-schema.js';

// The one-line error a finished attempt carries, for people reading the task file.
export function attemptError(outcome: AttemptOutcome, exitCode: number | null, detail?: string): string | undefined {
  if (detail) return detail;
  switch (outcome) {
    case 'success':
      return undefined;
    case 'failed':
      return exitCode === null ? 'the agent was killed by a signal' : `the agent exited with code ${exitCode}`;
    case 'timeout':
      return 'the agent ran past its timeout and was stopped';
    case 'cancelled':
      return 'cancelled';
    case 'lost':
      return 'the agent ended while no daemon watched and left no exit status';
    case 'spawn_error':
      return 'the agent could not be started';
    case 'rate_limited':
      return 'the agent hit a usage or rate limit';
  }
}

// How the attempt was ended by the daemon (a timeout, a cancel, a stall), when it was.
export interface EndRequest {
  outcome: AttemptOutcome;
  error: string;
}

// What an agent's exit means, from the facts the daemon gathered once it ended.
export interface ExitFacts {
  agent: string;
  exitCode: number | null;
  signal: NodeJS.Signals | undefined;
  stopping: EndRequest | undefined;
  // What the agent's preset read from its output.
  report: { success: boolean; error?: string | undefined };
  // When the agent's usage limit resets, if this exit was one.
  limitedUntil: number | undefined;
}

// The attempt's outcome and the one line people read about it: a stop the daemon asked for wins,
// then a signal, a usage limit, the preset's reading of the output, and the exit code.
export function attemptOutcome(facts: ExitFacts): { outcome: AttemptOutcome; error: string | undefined } {
  const { exitCode, signal, stopping, report, limitedUntil } = facts;
  const outcome: AttemptOutcome =
    stopping?.outcome ??
    (exitCode === null
      ? signal
        ? 'failed'
        : 'lost'
      : exitCode === 0 && report.success
        ? 'success'
        : limitedUntil !== undefined
          ? 'rate_limited'
          : 'failed');
  const error =
    stopping?.error ??
    (signal
      ? `the agent was killed by ${signal}`
      : limitedUntil !== undefined
        ? `${facts.agent} hit a usage or rate limit; it is paused until ${new Date(limitedUntil).toISOString()} and this task waits in pending without using a retry (${report.error})`
        : outcome === 'failed' && report.error
          ? `exit ${exitCode}: ${report.error}`
          : attemptError(outcome, exitCode));
  return { outcome, error };
}
