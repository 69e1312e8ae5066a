import { expandPlan, isPlanData, type PlanExpansion } from '../core/plan.js';
import type { Problem } from '../core/problems.js';
import { contextFileProblems } from './input-paths.js';
import { CaseTwins } from './case-twins.js';
import type { Layout } from './layout.js';
import { locateTask } from './locate-task.js';
import { decodeText, parseYaml } from './task-file.js';

// The bytes of a file as plan data: undefined when it is no plan (no top-level `tasks:`), a problem
// when it is not even YAML.
export function planData(bytes: Uint8Array): { data: Record<string, unknown> } | { problem: Problem } | undefined {
  const decoded = decodeText(bytes);
  if ('problem' in decoded) return decoded;
  const parsed = parseYaml(decoded.text);
  // What a plan must start with, not what a task must.
  if ('problem' in parsed && parsed.problem.message.startsWith('must be a YAML mapping'))
    return {
      problem: {
        path: '',
        message: 'must be a YAML mapping with a top-level `tasks:` list (see "Plans and delegation" in the README)',
      },
    };
  if ('problem' in parsed) return parsed;
  return isPlanData(parsed.data) ? { data: parsed.data } : undefined;
}

// Checks and expands plan data against the workspace: ids already used anywhere, in any case, are refused.
// Its entries' context_files must not lead outside the workspace through a symlink either.
export function expandInWorkspace(
  layout: Layout,
  data: Record<string, unknown>,
  stem: string,
  parent?: string,
): PlanExpansion {
  const twins = new CaseTwins(layout);
  const expansion = expandPlan(data, {
    stem,
    now: Date.now(),
    usedIn: (id) => locateTask(layout, id),
    caseTwinOf: (id) => twins.twinsOf(id)[0],
    ...(parent === undefined ? {} : { parent }),
  });
  if (!expansion.ok) return expansion;
  const outside = expansion.plan.tasks.flatMap((task, index) =>
    contextFileProblems(
      layout.root,
      task.fields.context_files as string[] | undefined,
      `tasks[${index}].context_files`,
    ),
  );
  return outside.length > 0 ? { ok: false, problems: outside } : expansion;
}
