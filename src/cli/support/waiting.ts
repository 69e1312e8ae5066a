import { findCycles } from '../../core/dependency-cycles.js';
import { dependencyIds, dependencyState } from '../../core/dependency-state.js';
import type { Task } from '../../core/task-schema.js';
import { describePending, type PendingView } from '../../core/wait-reason.js';
import { sendControl } from '../../control/control-socket.js';
import type { Layout } from '../../queue/layout.js';
import { readTaskFile, type TaskFileRead } from '../../queue/task-file.js';

// How long `status` waits for a busy daemon before working the reasons out from the files.
const ASK_TIMEOUT_MS = 1500;

// One pending task in `status`: its reason as data and as a line for people.
export interface WaitingRow {
  id: string;
  // The reason as data; times as ISO strings.
  reason: Record<string, unknown> & { kind: PendingView['kind'] };
  text: string;
}

// The reasons, and where they came from.
export interface WaitingReport {
  // `daemon`: the running daemon's scheduler said so; `files`: worked out from the task files
  // (dependencies, conditions, cycles, backoff; slots and locks need a daemon).
  source: 'daemon' | 'files';
  rows: WaitingRow[];
  // Pending tasks left out, unread (set when only the first ones were asked for).
  omitted?: number;
}

// The task ids found in each folder (status has listed them already).
export interface FolderIds {
  pending: readonly string[];
  assigned: readonly string[];
  completed: readonly string[];
  failed: readonly string[];
}

function row(id: string, view: PendingView, now: number): WaitingRow {
  const reason: WaitingRow['reason'] = { ...view };
  if ('until' in view) reason.until = new Date(view.until).toISOString();
  return { id, reason, text: describePending(view, now) };
}

// Why each pending task waits: asked of the daemon when one runs, else read from the task files
// (with `limit`, only the first ones by id: people are shown 20 of them).
export async function waitingReport(
  layout: Layout,
  ids: FolderIds,
  daemonRunning: boolean,
  limit = Number.POSITIVE_INFINITY,
): Promise<WaitingReport> {
  const now = Date.now();
  if (daemonRunning && ids.pending.length > 0) {
    const reply = await sendControl(layout, { cmd: 'waiting' }, ASK_TIMEOUT_MS);
    if (reply?.ok) {
      const views = reply.waiting as Record<string, PendingView>;
      const inFolder = new Set(ids.pending);
      const rows = Object.entries(views)
        .filter(([id]) => inFolder.has(id))
        .map(([id, view]) => row(id, view, now));
      const told = new Set(Object.keys(views));
      for (const id of [...ids.pending].sort()) if (!told.has(id)) rows.push(row(id, { kind: 'starting' }, now));
      return { source: 'daemon', rows };
    }
  }
  const { rows, omitted } = fromFiles(layout, ids, now, limit);
  // A daemon that runs but did not answer in time is busy, not absent: do not say to start one.
  if (daemonRunning)
    for (const entry of rows)
      if (entry.reason.kind === 'ready')
        entry.text = 'ready as far as its file says (the daemon did not answer in time; ask again)';
  return omitted > 0 ? { source: 'files', rows, omitted } : { source: 'files', rows };
}

// What the files alone say: a task's dependencies, condition, cycle and backoff, for the first
// `limit` pending tasks by id, reading their files and those of the tasks they wait for, directly or
// not (a cycle through one of them runs through those only); the others are counted, unread.
function fromFiles(
  layout: Layout,
  ids: FolderIds,
  now: number,
  limit: number,
): { rows: WaitingRow[]; omitted: number } {
  const pending = [...ids.pending].sort();
  const inPending = new Set(pending);
  const reads = new Map<string, TaskFileRead>();
  const read = (id: string): TaskFileRead => {
    let result = reads.get(id);
    if (!result) reads.set(id, (result = readTaskFile(layout.taskPath('pending', id), id)));
    return result;
  };
  const shown: string[] = [];
  let next = 0;
  for (; next < pending.length && shown.length < limit; next++)
    if (read(pending[next]!).kind !== 'missing') shown.push(pending[next]!);
  const toFollow = [...shown];
  for (let id = toFollow.pop(); id !== undefined; id = toFollow.pop()) {
    const result = read(id);
    if (result.kind !== 'task') continue;
    for (const other of dependencyIds(result.task))
      if (inPending.has(other) && !reads.has(other)) {
        read(other);
        toFollow.push(other);
      }
  }
  const tasks = new Map<string, Task>();
  for (const id of pending) {
    const result = reads.get(id);
    if (result?.kind === 'task') tasks.set(id, result.task);
  }
  const cycles = findCycles(new Map([...tasks].map(([id, task]) => [id, dependencyIds(task)])));
  const facts = {
    completed: new Set(ids.completed),
    failed: new Set(ids.failed),
    present: new Set([...ids.pending, ...ids.assigned]),
  };
  const rows = shown.map((id) => {
    const result = reads.get(id)!;
    if (result.kind === 'task') return row(id, viewFromFile(result.task, facts, cycles.get(id), now), now);
    const problems = result.kind === 'invalid' ? result.problems : [];
    const problem = problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ');
    return row(id, { kind: 'invalid', problem }, now);
  });
  return { rows, omitted: pending.length - next };
}

function viewFromFile(
  task: Task,
  facts: Parameters<typeof dependencyState>[1],
  cycle: string | undefined,
  now: number,
): PendingView {
  const state = dependencyState(task, facts);
  if (state.kind === 'fail') return { kind: 'ends', outcome: 'failed', why: state.error };
  if (state.kind === 'skip') return { kind: 'ends', outcome: 'skipped', why: state.summary };
  const retryAfter = task.fields.retry_after ? Date.parse(task.fields.retry_after) : NaN;
  if (retryAfter > now) return { kind: 'backoff', until: retryAfter };
  if (cycle !== undefined) return { kind: 'cycle', cycle };
  if (state.kind === 'wait') return state.reason;
  return { kind: 'ready' };
}
