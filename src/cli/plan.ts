import { existsSync, readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import type { Plan, PlanEdge, PlanTask } from '../core/plan.js';
import { planWaves } from '../core/plan-waves.js';
import { formatProblem } from '../core/problems.js';
import type { Layout } from '../queue/layout.js';
import { locateTask } from '../queue/locate-task.js';
import { expandInWorkspace, planData } from '../queue/plan-source.js';
import { publishPlan } from '../queue/plan-staging.js';
import { orchestrateCommand } from './support/command-hint.js';
import { CliError } from './support/errors.js';
import { unreadableFile } from './support/read-error.js';

export interface PlanOptions {
  dryRun?: boolean;
  parent?: string;
}

export interface PlanReport {
  plan: string;
  // Where the plan was recorded (tasks/plans/<plan>.yaml); null for a dry run.
  record: string | null;
  waves: string[][];
}

// What a task waits for, grouped by field: "needs a, b; after c; if d failed".
function edgeLabels(edges: readonly PlanEdge[]): string[] {
  const groups = new Map<string, string[]>();
  for (const edge of edges) groups.set(edge.field, [...(groups.get(edge.field) ?? []), edge.id]);
  return [...groups].map(([field, ids]) => {
    if (field === 'depends_on') return `needs ${ids.join(', ')}`;
    if (field.startsWith('when.')) return `if ${ids.join(' or ')} ${field.slice('when.'.length)}`;
    return `${field} ${ids.join(', ')}`;
  });
}

function taskLine(task: PlanTask, width: number): string {
  const facts = [
    task.fields.agent === undefined ? '' : `agent ${String(task.fields.agent)}`,
    task.fields.priority === undefined ? '' : `priority ${String(task.fields.priority)}`,
  ];
  const details = [...edgeLabels(task.edges), ...facts].filter((part) => part !== '').join('; ');
  return `  ${details === '' ? task.id : `${task.id.padEnd(width)}  ${details}`}`;
}

// The graph a plan makes, wave by wave: what `--dry-run` prints.
function renderPlan(plan: Plan, waves: readonly PlanTask[][]): string {
  const width = Math.max(...plan.tasks.map((task) => task.id.length));
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const lines = [
    `plan ${plan.name}: ${count(plan.tasks.length, 'task')} in ${count(waves.length, 'wave')} (dry run: nothing written)`,
  ];
  for (const [index, wave] of waves.entries())
    lines.push(`wave ${index + 1}`, ...wave.map((task) => taskLine(task, width)));
  return lines.join('\n');
}

function readPlanFile(layout: Layout, file: string, options: PlanOptions): { plan: Plan; bytes: Buffer } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new CliError(unreadableFile(file, error));
  }
  const found = planData(bytes);
  if (found === undefined) {
    const parent = options.parent === undefined ? [] : ['--parent', options.parent];
    throw new CliError(
      `${file}: is not a plan: a plan has a top-level \`tasks:\` list (submit a single task with \`${orchestrateCommand(layout, 'add', ...parent, '--file', file)}\`)`,
    );
  }
  if ('problem' in found) throw new CliError(formatProblem(file, found.problem));
  if (options.parent !== undefined && locateTask(layout, options.parent) === undefined) {
    throw new CliError(
      `--parent: no task "${options.parent}" in tasks/ (the parent is a task's id, e.g. $ORCHESTRATE_TASK_ID)`,
      2,
    );
  }
  const expansion = expandInWorkspace(layout, found.data, basename(file).replace(/\.ya?ml$/, ''), options.parent);
  if (!expansion.ok) throw new CliError(expansion.problems.map((problem) => formatProblem(file, problem)).join('\n'));
  return { plan: expansion.plan, bytes };
}

// `orchestrate plan FILE`: checks a plan and submits all of its tasks, or none; `--dry-run` only
// shows the waves it would run in. The tasks' ids come first in the report, in the order written.
export function submitPlan(
  layout: Layout,
  file: string,
  options: PlanOptions,
): { report: PlanReport; ids: string[]; text: string } {
  if (!existsSync(layout.folder('pending')))
    throw new CliError(
      `${layout.folder('pending')} does not exist; run \`${orchestrateCommand(layout, 'init')}\` first`,
    );
  const { plan, bytes } = readPlanFile(layout, file, options);
  const waves = planWaves(plan);
  const ids = plan.tasks.map((task) => task.id);
  const report = (record: string | null): PlanReport => ({
    plan: plan.name,
    record,
    waves: waves.map((wave) => wave.map((task) => task.id)),
  });
  if (options.dryRun) return { report: report(null), ids, text: renderPlan(plan, waves) };
  const published = publishPlan(layout, { name: plan.name, tasks: plan.tasks, record: { bytes } });
  switch (published.kind) {
    case 'published':
      return { report: report(relative(layout.root, published.record)), ids, text: ids.join('\n') };
    case 'busy':
      throw new CliError(
        `the plan "${plan.name}" is being submitted by another process${published.pid ? ` (pid ${published.pid})` : ''}; try again when it is done`,
      );
    case 'taken':
    case 'changed':
      throw new CliError(
        `${file}: ${published.kind === 'taken' ? `the id "${published.id}" was taken meanwhile` : 'changed while it was read'}; nothing was submitted (check it and submit it again)`,
      );
  }
}
