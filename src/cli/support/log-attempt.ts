import { setTimeout as sleep } from 'node:timers/promises';
import { describePending, type PendingView } from '../../core/wait-reason.js';
import { sendControl } from '../../control/control-socket.js';
import type { Layout } from '../../queue/layout.js';
import { agentStarted, hasExitFile, readRunRecord } from '../../queue/run-files.js';
import { orchestrateCommand } from './command-hint.js';
import { CliError } from './errors.js';
import { findTask } from './find-task.js';
import { attemptNumbers } from './runs.js';
import { readTaskEnd, type TaskEnd } from './task-end.js';

const START_POLL_MS = 200;
// Looks (of START_POLL_MS) at a task back in pending/ before its wait for a retry is said.
const PENDING_NOTICE_LOOKS = 5;

// "x did not run: dependency y failed": why an ended task has no output to show.
function noOutput(id: string, end: TaskEnd): string {
  if (end.outcome === 'spawn_error') return `${id} could not start: ${end.error ?? 'see its task file'}`;
  return `${id} did not run: ${end.invalid ?? end.error ?? end.summary ?? end.outcome ?? 'see its task file'}`;
}

// Says why a task that ended without a run has no output: exit 1 if it failed, 0 if it was skipped.
async function endedWithoutRun(layout: Layout, id: string, state: 'completed' | 'failed'): Promise<undefined> {
  const message = noOutput(id, await readTaskEnd(layout, id, state));
  if (state === 'failed') throw new CliError(message);
  process.stderr.write(`${message}\n`);
  return undefined;
}

// The attempt `logs` shows: the one asked for, else the latest. With follow, waits for the first to
// start, or for the task to end without one (a failed dependency, a cancel, a skip): then there is
// nothing to show (undefined) and that is said, never waited for.
export async function attemptToShow(
  layout: Layout,
  id: string,
  options: { follow?: boolean; attempt?: string },
): Promise<number | undefined> {
  if (options.attempt !== undefined) return Number(options.attempt);
  let said: string | undefined;
  for (;;) {
    const state = findTask(layout, id);
    const number = attemptNumbers(layout, id).at(-1);
    if (number !== undefined) return number;
    if (state === 'completed' || state === 'failed') return endedWithoutRun(layout, id, state);
    if (!options.follow)
      throw new CliError(
        `${id} has not started yet (follow it with \`${orchestrateCommand(layout, 'logs', '-f', id)}\`)`,
      );
    // Why it waits, once (and again when that changes): a task that can never start says so.
    if (state === 'pending') said = await sayWhyItWaits(layout, id, said);
    await sleep(START_POLL_MS);
  }
}

// Writes why a pending task waits on stderr when that differs from what was said last; returns it.
async function sayWhyItWaits(layout: Layout, id: string, said: string | undefined): Promise<string | undefined> {
  const reply = await sendControl(layout, { cmd: 'waiting' }, 1000);
  const view = reply?.ok ? (reply.waiting as Record<string, PendingView | undefined>)[id] : undefined;
  const why = reply
    ? view
      ? describePending(view, Date.now())
      : undefined
    : `no daemon is running (start one with \`${orchestrateCommand(layout, 'start')}\`)`;
  // The reason without its changing countdown, so "(in 4.1s)" does not print a line a second.
  const gist = why?.replace(/ \(in [^)]*\)$/, '');
  if (gist === undefined || gist === said) return said;
  process.stderr.write(`-- ${id} is pending: ${why} --\n`);
  return gist;
}

// With follow, how the followed task ended once its output is shown: a failure is the news, with
// exit 1 (so `logs -f x && next` does not go on); a success says nothing more.
export async function reportFollowedEnd(layout: Layout, id: string): Promise<void> {
  if (findTask(layout, id) !== 'failed') return;
  const end = await readTaskEnd(layout, id, 'failed');
  throw new CliError(`${id} failed${end.error ? `: ${end.error}` : ''}`);
}

// After attempt `number` (begun at `startedAt`) has ended: the next attempt's number once it starts
// (a retry waits in pending/ meanwhile; both are said on stderr), the same number when that attempt
// was begun anew (a run a crash kept from starting is claimed again as the same attempt), or
// undefined once the task has ended.
export async function nextAttempt(
  layout: Layout,
  id: string,
  number: number,
  startedAt: string | undefined,
): Promise<number | undefined> {
  let looks = 0;
  let said = false;
  for (;;) {
    looks++;
    const latest = attemptNumbers(layout, id).at(-1) ?? number;
    const again = latest === number ? readRunRecord(layout.runDir(id, number))?.started_at : undefined;
    if (latest > number || (again !== undefined && again !== startedAt)) {
      process.stderr.write(
        latest > number
          ? `-- ${id}: attempt ${number} ended; attempt ${latest} follows --\n`
          : `-- ${id}: attempt ${number} begins again --\n`,
      );
      return latest;
    }
    const state = findTask(layout, id);
    if (state === 'completed' || state === 'failed') return undefined;
    // A retry that starts at once needs no notice of its wait; one that waits a while gets it.
    if (state === 'pending' && !said && looks > PENDING_NOTICE_LOOKS) {
      process.stderr.write(`-- ${id}: attempt ${number} ended; it is back in pending/ and will run again --\n`);
      said = true;
    }
    await sleep(START_POLL_MS);
  }
}

// Once the output is shown: a run whose agent never started (a spawn error) has none, so its error is
// the news, with exit 1. Only a run its runner never began can be one, so others cost nothing.
export async function reportStartFailure(layout: Layout, id: string, number: number): Promise<void> {
  const dir = layout.runDir(id, number);
  if (hasExitFile(dir) || agentStarted(dir)) return;
  const state = findTask(layout, id);
  if (state !== 'completed' && state !== 'failed') return;
  const end = await readTaskEnd(layout, id, state);
  const attempt = end.attempts.find((recorded) => recorded.number === number);
  if (attempt?.outcome === 'spawn_error')
    throw new CliError(
      noOutput(id, {
        ...end,
        outcome: 'spawn_error',
        ...(typeof attempt.error === 'string' ? { error: attempt.error } : {}),
      }),
    );
}
