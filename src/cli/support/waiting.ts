import { findCycles } from '../../core/dependency-cycles.js';
import { dependencyIds, dependencyState } from '../../core/dependency-state.js';
import type { Task } from '../../core/task-schema.js';
import { describePending, type PendingView } from '../../core/wait-reason.js';
import { sendControl } from '../../control/control-socket.js';
import type { Layout } from '../../queue/layout.js';
import { readTaskFile } from '../../queue/task-file.js';

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

// Why each pending task waits: asked of the daemon when one runs, else read from the task files.
export async function waitingReport(layout: Layout, ids: FolderIds, daemonRunning: boolean): Promise<WaitingReport> {
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
  const rows = fromFiles(layout, ids, now);
  // A daemon that runs but did not answer in time is busy, not absent: do not say to start one.
  if (daemonRunning)
    for (const entry of rows)
      if (entry.reason.kind === 'ready')
        entry.text = 'ready as far as its file says (the daemon did not answer in time; ask again)';
  return { source: 'files', rows };
}

// What the files alone say: a task's dependencies, condition, cycle and backoff.
function fromFiles(layout: Layout, ids: FolderIds, now: number): WaitingRow[] {
  const tasks = new Map<string, Task>();
  const rows = new Map<string, WaitingRow>();
  for (const id of [...ids.pending].sort()) {
    const read = readTaskFile(layout.taskPath('pending', id), id);
    if (read.kind === 'task') tasks.set(id, read.task);
    else if (read.kind === 'invalid')
      rows.set(
        id,
        row(
          id,
          {
            kind: 'invalid',
            problem: read.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; '),
          },
          now,
        ),
      );
  }
  const graph = new Map([...tasks].map(([id, task]) => [id, dependencyIds(task)]));
  const cycles = findCycles(graph);
  const facts = {
    completed: new Set(ids.completed),
    failed: new Set(ids.failed),
    present: new Set([...ids.pending, ...ids.assigned]),
  };
  for (const [id, task] of tasks) rows.set(id, row(id, viewFromFile(task, facts, cycles.get(id), now), now));
  return [...ids.pending]
    .sort()
    .filter((id) => rows.has(id))
    .map((id) => rows.get(id)!);
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
