import type { Task } from './task-schema.js';
import type { WaitReason } from './wait-reason.js';

// What the scheduler knows about other tasks: which ended where, and which exist at all.
export interface IdFacts {
  completed: { has(id: string): boolean };
  failed: { has(id: string): boolean };
  // Ids in pending/ or assigned/ (including files not read yet): known, not ended.
  present: { has(id: string): boolean };
}

// What the other tasks' ends mean for a task.
export type DependencyState =
  | { kind: 'ready' }
  // A depends_on ended in failed/: this task fails too, saying which.
  | { kind: 'fail'; error: string }
  // Its when.failed task completed: it is not needed and ends as skipped.
  | { kind: 'skip'; summary: string }
  | { kind: 'wait'; reason: WaitReason };

const READY: DependencyState = { kind: 'ready' };

// Whether a task names another at all (depends_on, after or when): only such a task can wait
// for one, or be on a cycle.
export function hasDependencies(task: Task): boolean {
  return task.dependsOn.length > 0 || task.after.length > 0 || task.whenFailed !== undefined;
}

// Whether a task's depends_on (success needed), after (any end) and when (a failure) let it run.
// Runs for every waiting task on every pass: plain loops, and arrays only when there is something to say.
export function dependencyState(task: Task, facts: IdFacts): DependencyState {
  if (!hasDependencies(task)) return READY;
  const { dependsOn, after, whenFailed } = task;
  for (const id of dependsOn) if (facts.failed.has(id)) return { kind: 'fail', error: `dependency ${id} failed` };
  if (whenFailed !== undefined && facts.completed.has(whenFailed)) {
    return {
      kind: 'skip',
      summary: `skipped: ${whenFailed} completed, and this task runs only if it fails (when: { failed: ${whenFailed} })`,
    };
  }
  let waitingFor: string[] | undefined;
  let unknown: string[] | undefined;
  for (const id of dependsOn) {
    if (facts.completed.has(id)) continue;
    if (facts.present.has(id)) (waitingFor ??= []).push(id);
    else (unknown ??= []).push(id);
  }
  for (let i = 0; i <= after.length; i++) {
    const id = i < after.length ? after[i]! : whenFailed;
    if (id === undefined || facts.completed.has(id) || facts.failed.has(id)) continue;
    if (facts.present.has(id)) (waitingFor ??= []).push(id);
    else (unknown ??= []).push(id);
  }
  if (unknown) return { kind: 'wait', reason: { kind: 'unknown', ids: unique(unknown) } };
  if (waitingFor) return { kind: 'wait', reason: { kind: 'dependency', ids: unique(waitingFor) } };
  return READY;
}

function unique(ids: string[]): string[] {
  return ids.length === 1 ? ids : [...new Set(ids)];
}

// Every edge of a task in the dependency graph (depends_on, after and when), for cycle detection.
export function dependencyIds(task: Task): string[] {
  return task.whenFailed === undefined
    ? [...task.dependsOn, ...task.after]
    : [...task.dependsOn, ...task.after, task.whenFailed];
}

// The field of `task` that names `id`, for messages that point at the line to fix.
export function fieldNaming(task: Task, id: string): 'depends_on' | 'after' | 'when.failed' {
  if (task.dependsOn.includes(id)) return 'depends_on';
  return task.after.includes(id) ? 'after' : 'when.failed';
}
