import type { PriorityLevel } from './priority.js';

// Steps of aging a task has taken by `now`: one per `agingMs` since it was created (0: aging off).
function stepsTaken(createdAtMs: number, now: number, agingMs: number): number {
  if (agingMs <= 0 || now <= createdAtMs) return 0;
  return Math.floor((now - createdAtMs) / agingMs);
}

// A waiting task's priority after aging: one level higher per `agingMs` since its created_at, so
// low-priority work is never starved by a steady stream of higher-priority work.
export function agedPriority(base: PriorityLevel, createdAtMs: number, now: number, agingMs: number): PriorityLevel {
  return Math.max(0, base - stepsTaken(createdAtMs, now, agingMs)) as PriorityLevel;
}

// When a task's aged priority rises next; undefined when it is already high or aging is off.
export function nextPromotionMs(
  base: PriorityLevel,
  createdAtMs: number,
  now: number,
  agingMs: number,
): number | undefined {
  if (agingMs <= 0) return undefined;
  const steps = stepsTaken(createdAtMs, now, agingMs);
  return base - steps <= 0 ? undefined : createdAtMs + (steps + 1) * agingMs;
}
