import { existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { processTable } from '../process/process-table.js';
import { planOfId } from '../core/plan.js';
import { renderTaskText } from '../core/task-text.js';
import { linkFileSync, syncDirSync } from './atomic-write.js';
import type { Layout } from './layout.js';

// A plan is published all or none. Its task files are written into tasks/plans/.<plan>.staging/,
// then hard-linked into pending/ one by one. While that folder exists the daemon starts none of
// the plan's tasks (planGate), so half a plan never runs. The `committed` marker is written once
// every task and the plan's record are linked: a crash before it is rolled back (the links are
// removed; a plan file in pending/ is expanded again), a crash after it is finished.
const OWNER = 'owner';
const RECORD = 'plan.yaml';
const SOURCE = 'source';
const COMMITTED = 'committed';
// A staging folder without an owner file for this long was left by a crash right after its mkdir.
const OWNERLESS_STALE_MS = 10_000;

export interface PlanFiles {
  name: string;
  // Each task's fields, written as task files by the one renderer (core/task-text).
  tasks: { id: string; fields: Record<string, unknown> }[];
  // The plan as submitted: a file in pending/ (moved to tasks/plans/ at the end; `ino` as read) or bytes to copy there.
  record: { sourceId: string; ino: number } | { bytes: Uint8Array };
}

export type Publication =
  | { kind: 'published'; ids: string[]; record: string }
  // Another process is publishing a plan of this name right now.
  | { kind: 'busy'; pid: number | undefined }
  // An id was taken after the plan was checked (nothing was published).
  | { kind: 'taken'; id: string }
  // The plan file in pending/ was replaced after it was read (nothing was published).
  | { kind: 'changed' };

// Where plans are kept once expanded (and where they are staged).
export function plansDir(layout: Layout): string {
  return join(layout.tasksDir, 'plans');
}

function stagingDir(layout: Layout, plan: string): string {
  return join(plansDir(layout), `.${plan}.staging`);
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

function inodeOf(path: string): number | undefined {
  return lstatSync(path, { throwIfNoEntry: false })?.ino;
}

// A file of the staging folder, whole and fsynced; the folder is fsynced once, after all of them.
function stage(path: string, data: Uint8Array | string): void {
  if (!linkFileSync(path, data, { syncFolder: false })) throw new Error(`${path} exists already`);
}

function owner(): string {
  return `${process.pid} ${processTable.startTimeOf(process.pid) ?? ''}\n`;
}

function ownerPid(dir: string): number | undefined {
  try {
    return Number(readFileSync(join(dir, OWNER), 'utf8').split(' ')[0]) || undefined;
  } catch {
    return undefined;
  }
}

// Left by a crash: its owner is gone (or is this process, which publishes synchronously, so not
// now), or a recycled pid, or it never got an owner.
function isStale(dir: string, now: number): boolean {
  let text: string;
  try {
    text = readFileSync(join(dir, OWNER), 'utf8');
  } catch {
    const stats = lstatSync(dir, { throwIfNoEntry: false });
    return stats !== undefined && now - stats.mtimeMs > OWNERLESS_STALE_MS;
  }
  const [pidText, started] = text.trim().split(' ');
  const pid = Number(pidText);
  return !Number.isInteger(pid) || pid <= 0 || pid === process.pid || !processTable.isSameProcess(pid, started);
}

// Links `from` into `dir` as <name>.yaml, else <name>-2.yaml, ...: a plan's record never overwrites one.
function linkRecord(from: string, dir: string, name: string): string {
  for (let n = 1; ; n++) {
    const target = join(dir, n === 1 ? `${name}.yaml` : `${name}-${n}.yaml`);
    try {
      linkSync(from, target);
      return target;
    } catch (error) {
      if (code(error) !== 'EEXIST') throw error;
    }
  }
}

function unlinkIfSame(path: string, ino: number | undefined): void {
  if (ino !== undefined && inodeOf(path) === ino) unlinkSync(path);
}

// Undoes a publication that did not commit: removes what it linked, keeps everything else.
function rollBack(layout: Layout, dir: string): void {
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.yaml') || name === RECORD) continue;
    unlinkIfSame(layout.taskPath('pending', name.slice(0, -'.yaml'.length)), inodeOf(join(dir, name)));
  }
  const record = inodeOf(join(dir, RECORD));
  for (const name of readdirSync(plansDir(layout))) {
    if (name.endsWith('.yaml')) unlinkIfSame(join(plansDir(layout), name), record);
  }
  rmSync(dir, { recursive: true, force: true });
}

// Completes a committed publication: the plan file leaves pending/, the staging folder goes.
function finish(layout: Layout, dir: string): void {
  const source = existsSync(join(dir, SOURCE)) ? readFileSync(join(dir, SOURCE), 'utf8') : undefined;
  if (source) unlinkIfSame(layout.taskPath('pending', source), inodeOf(join(dir, RECORD)));
  rmSync(dir, { recursive: true, force: true });
}

function recover(layout: Layout, dir: string): void {
  if (existsSync(join(dir, COMMITTED))) finish(layout, dir);
  else rollBack(layout, dir);
}

// Finishes or rolls back every publication a crash left behind.
function sweepStaging(layout: Layout, now: number): void {
  for (const name of readdirSync(plansDir(layout))) {
    const dir = join(plansDir(layout), name);
    if (name.startsWith('.') && name.endsWith('.staging') && isStale(dir, now)) recover(layout, dir);
  }
}

// Whether a pending task may be looked at: not while its plan is being published. A publication
// whose publisher died is finished or rolled back here, so the daemon recovers from it by itself.
export function planGate(layout: Layout, id: string, now: number): 'open' | 'wait' {
  const plan = planOfId(id);
  if (plan === undefined) return 'open';
  const dir = stagingDir(layout, plan);
  if (!existsSync(dir)) return 'open';
  if (!isStale(dir, now)) return 'wait';
  recover(layout, dir);
  return 'open';
}

// Publishes a plan's task files into pending/ and its record into tasks/plans/, all or none.
// Synchronous, so a daemon publishing a plan never has one half done while it schedules.
export function publishPlan(layout: Layout, files: PlanFiles): Publication {
  mkdirSync(plansDir(layout), { recursive: true });
  const now = Date.now();
  sweepStaging(layout, now);
  const dir = stagingDir(layout, files.name);
  try {
    mkdirSync(dir);
  } catch (error) {
    if (code(error) === 'EEXIST') return { kind: 'busy', pid: ownerPid(dir) };
    throw error;
  }
  try {
    stage(join(dir, OWNER), owner());
    for (const task of files.tasks) stage(join(dir, `${task.id}.yaml`), renderTaskText(task.fields));
    if ('bytes' in files.record) {
      stage(join(dir, RECORD), files.record.bytes);
    } else {
      const { sourceId, ino } = files.record;
      try {
        linkSync(layout.taskPath('pending', sourceId), join(dir, RECORD));
      } catch (error) {
        if (code(error) === 'ENOENT') return abandon(layout, dir, { kind: 'changed' });
        throw error;
      }
      if (inodeOf(join(dir, RECORD)) !== ino) return abandon(layout, dir, { kind: 'changed' });
      stage(join(dir, SOURCE), sourceId);
    }
    syncDirSync(dir);
    for (const task of files.tasks) {
      try {
        linkSync(join(dir, `${task.id}.yaml`), layout.taskPath('pending', task.id));
      } catch (error) {
        if (code(error) === 'EEXIST') return abandon(layout, dir, { kind: 'taken', id: task.id });
        throw error;
      }
    }
    syncDirSync(layout.folder('pending'));
    const record = linkRecord(join(dir, RECORD), plansDir(layout), files.name);
    syncDirSync(plansDir(layout));
    stage(join(dir, COMMITTED), '');
    finish(layout, dir);
    return { kind: 'published', ids: files.tasks.map((task) => task.id), record };
  } catch (error) {
    if (existsSync(dir) && !existsSync(join(dir, COMMITTED))) rollBack(layout, dir);
    throw error;
  }
}

function abandon(layout: Layout, dir: string, outcome: Publication): Publication {
  rollBack(layout, dir);
  return outcome;
}
