import { readFileSync, type Stats } from 'node:fs';
import type { Problem } from '../core/problems.js';
import type { Layout } from '../queue/layout.js';
import { expandInWorkspace, planData } from '../queue/plan-source.js';
import { publishPlan } from '../queue/plan-staging.js';

// How soon to look again at a plan (or a plan's task) that another process is publishing.
export const PLAN_BUSY_RETRY_MS = 100;

export type PlanVerdict =
  | { kind: 'published' }
  | { kind: 'wait'; until: number }
  | { kind: 'invalid'; problems: Problem[] };

export interface PlanInspection {
  now: number;
  stableWindowMs: number;
  // Set while a file that fails to parse may still be half written: not invalid before then.
  graceUntil: number | undefined;
}

// A plan dropped into pending/: expanded into its tasks, all or none, and moved to tasks/plans/;
// a plan with problems is bad input like an invalid task. Undefined when the file is no plan.
export function inspectPendingPlan(
  layout: Layout,
  id: string,
  stats: Stats,
  options: PlanInspection,
): PlanVerdict | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(layout.taskPath('pending', id));
  } catch {
    return undefined;
  }
  const found = planData(bytes);
  if (found === undefined || 'problem' in found) return undefined;
  const expansion = expandInWorkspace(layout, found.data, id);
  if (!expansion.ok)
    return options.graceUntil !== undefined
      ? { kind: 'wait', until: options.graceUntil }
      : { kind: 'invalid', problems: expansion.problems };
  const { plan } = expansion;
  const published = publishPlan(layout, {
    name: plan.name,
    tasks: plan.tasks,
    record: { sourceId: id, ino: stats.ino },
  });
  switch (published.kind) {
    case 'published':
      return { kind: 'published' };
    case 'busy':
      return { kind: 'wait', until: options.now + PLAN_BUSY_RETRY_MS };
    case 'changed':
      return { kind: 'wait', until: options.now + options.stableWindowMs };
    case 'taken': {
      const index = plan.tasks.findIndex((task) => task.id === published.id);
      return {
        kind: 'invalid',
        problems: [
          {
            path: `tasks[${index}].name`,
            message: `the id "${published.id}" was taken while the plan was expanded (rename this task, or the plan with \`name:\`)`,
          },
        ],
      };
    }
  }
}
