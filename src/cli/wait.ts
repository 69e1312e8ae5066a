import { watch, type FSWatcher } from 'node:fs';
import { parseDuration } from '../core/duration.js';
import type { Layout } from '../queue/layout.js';
import { locateTask } from '../queue/locate-task.js';
import { orchestrateCommand } from './support/command-hint.js';
import { CliError } from './support/errors.js';
import { readTaskEnd } from './support/task-end.js';

// The folders are watched, so an end is seen at once; this poll covers what a watcher misses (NFS).
const POLL_MS = 500;

export interface WaitOptions {
  timeout?: string;
}

// How one awaited task ended (or did not).
export interface WaitResult {
  id: string;
  outcome: 'completed' | 'failed' | 'removed' | 'timed out';
  error?: string;
}

// Why a task in failed/ failed: the reason it was set aside (.error), else its result's error.
async function failure(layout: Layout, id: string): Promise<WaitResult> {
  const end = await readTaskEnd(layout, id, 'failed');
  const reason =
    end.invalid ??
    [end.outcome !== undefined && end.outcome !== 'failed' ? end.outcome : '', end.error ?? '']
      .filter((part) => part !== '')
      .join(': ');
  return reason === '' ? { id, outcome: 'failed' } : { id, outcome: 'failed', error: reason };
}

// The line printed for a task as it ends.
export function waitLine(result: WaitResult): string {
  return `${result.id}: ${result.outcome}${result.error ? `: ${result.error}` : ''}`;
}

function checkIds(layout: Layout, ids: string[]): void {
  if (ids.length === 0) throw new CliError('name at least one task id: orchestrate wait ID...', 2);
  const self = process.env.ORCHESTRATE_TASK_ID;
  if (self !== undefined && ids.includes(self))
    throw new CliError(`${self} is the task running this command; a task cannot wait for itself`, 2);
  for (const id of ids) {
    if (locateTask(layout, id) === undefined)
      throw new CliError(`no task "${id}" in tasks/ (list them with \`${orchestrateCommand(layout, 'tasks')}\`)`, 2);
  }
}

// `orchestrate wait ID...`: blocks until every task is in completed/ or failed/, reporting each as
// it ends. Works with or without a daemon: it only looks at the folders. Exit code 0 when all
// completed, else 1 (a failure, a task removed from tasks/, or the timeout).
export async function waitForTasks(
  layout: Layout,
  ids: string[],
  options: WaitOptions,
  report: (result: WaitResult) => void,
): Promise<{ code: 0 | 1; results: WaitResult[] }> {
  const timeoutMs = options.timeout === undefined ? undefined : parseDuration(options.timeout);
  if (options.timeout !== undefined && timeoutMs === undefined)
    throw new CliError(`--timeout: "${options.timeout}" is not a duration (use e.g. 30m, 1h, 90s)`, 2);
  const waiting = [...new Set(ids)];
  checkIds(layout, waiting);
  const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
  const results: WaitResult[] = [];
  const missing = new Set<string>();
  let wake: (() => void) | undefined;
  const watchers: FSWatcher[] = [];
  for (const state of ['completed', 'failed'] as const) {
    try {
      watchers.push(watch(layout.folder(state), { persistent: false }, () => wake?.()));
    } catch {
      // The poll covers it.
    }
  }
  const end = (result: WaitResult) => {
    results.push(result);
    report(result);
  };
  try {
    while (waiting.length > 0) {
      for (const id of [...waiting]) {
        const state = locateTask(layout, id);
        // Gone from every folder twice in a row (a move never leaves a task in none): removed.
        if (state === undefined && !missing.has(id)) missing.add(id);
        else if (state === 'pending' || state === 'assigned') missing.delete(id);
        else {
          waiting.splice(waiting.indexOf(id), 1);
          end(
            state === 'completed'
              ? { id, outcome: 'completed' }
              : state === 'failed'
                ? await failure(layout, id)
                : { id, outcome: 'removed', error: 'its task file is no longer in tasks/' },
          );
        }
      }
      if (waiting.length === 0) break;
      if (deadline !== undefined && Date.now() >= deadline) {
        for (const id of waiting)
          end({
            id,
            outcome: 'timed out',
            error: `still ${locateTask(layout, id) ?? 'missing'} after ${options.timeout}`,
          });
        break;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(
          resolve,
          Math.min(POLL_MS, deadline === undefined ? POLL_MS : Math.max(0, deadline - Date.now())),
        );
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    for (const watcher of watchers) watcher.close();
  }
  return { code: results.every((result) => result.outcome === 'completed') ? 0 : 1, results };
}
