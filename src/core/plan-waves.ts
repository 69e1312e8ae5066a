import type { Plan, PlanTask } from './plan.js';
import { priorityLevel } from './priority.js';

const NORMAL = 1;

// The order a plan runs in, given free slots: wave 1 needs no task of the plan, each later wave only
// earlier ones. Within a wave, as the daemon picks: priority, then the order written.
// The plan must be free of cycles (expandPlan guarantees it).
export function planWaves(plan: Plan): PlanTask[][] {
  const waveOf = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  const waitingOn = new Map<string, number>();
  for (const task of plan.tasks) {
    const needs = new Set(task.edges.filter((edge) => edge.internal).map((edge) => edge.id));
    waitingOn.set(task.id, needs.size);
    for (const need of needs) dependents.set(need, [...(dependents.get(need) ?? []), task.id]);
  }
  let current = plan.tasks.filter((task) => waitingOn.get(task.id) === 0).map((task) => task.id);
  for (let wave = 0; current.length > 0; wave++) {
    const next: string[] = [];
    for (const id of current) {
      waveOf.set(id, wave);
      for (const dependent of dependents.get(id) ?? []) {
        const left = waitingOn.get(dependent)! - 1;
        waitingOn.set(dependent, left);
        if (left === 0) next.push(dependent);
      }
    }
    current = next;
  }
  const waves: PlanTask[][] = [];
  for (const task of plan.tasks) (waves[waveOf.get(task.id)!] ??= []).push(task);
  const order = new Map(plan.tasks.map((task, index) => [task.id, index]));
  const level = (task: PlanTask) => priorityLevel(task.fields.priority) ?? NORMAL;
  return waves.map((wave) => wave.sort((a, b) => level(a) - level(b) || order.get(a.id)! - order.get(b.id)!));
}
