import { findCycles } from './dependency-cycles.js';
import { caseTwinProblem, idProblem } from './ids.js';
import { entryNames } from './plan-names.js';
import { problemsFromZod, unknownField, type Problem } from './problems.js';
import { closest } from './suggest.js';
import { taskSchema, validateTask } from './task-schema.js';
import type { StateFolder } from './state-folders.js';

const PLAN_KEYS = ['name', 'description', 'defaults', 'tasks'];
// Fields whose values name other tasks; in a plan they name entries (or ids of existing tasks).
const REFERENCE_FIELDS = ['depends_on', 'after'];
// `when:` maps a condition to task names (`when: {failed: build}`).
const CONDITION_FIELD = 'when';
// Written by the daemon at transitions (and created_at by the expansion), never by a plan.
const DAEMON_FIELDS = ['created_at', 'attempts', 'attempts_base', 'retry_after', 'result'];
// Per entry only: a shared prompt or shared dependencies would be a mistake, not a default.
const NOT_DEFAULTS = ['description', 'depends_on', 'after', 'when', 'parent', ...DAEMON_FIELDS];

// One edge of the plan's graph: this task runs after `id`, because of `field` (`depends_on`,
// `after`, `when.failed`).
export interface PlanEdge {
  id: string;
  field: string;
  // A task of this plan (else an existing task named by its id).
  internal: boolean;
}

// One task a plan expands into: its id and the fields of its task file, names turned into ids.
export interface PlanTask {
  id: string;
  name: string;
  fields: Record<string, unknown>;
  edges: PlanEdge[];
}

export interface Plan {
  name: string;
  tasks: PlanTask[];
}

export interface PlanContext {
  // The plan file's name without .yaml (the plan's name unless it has `name:`).
  stem: string;
  // created_at of the first task (ms); each later entry is 1 ms younger, so equal tasks start in the order written.
  now: number;
  parent?: string;
  // The state folder already holding an id, if any: a plan never overwrites a task.
  usedIn: (id: string) => StateFolder | undefined;
  // A task file whose id differs from `id` only in case (one file on macOS and Windows), if any.
  caseTwinOf: (id: string) => { state: StateFolder; id: string } | undefined;
}

export type PlanExpansion = { ok: true; plan: Plan } | { ok: false; problems: Problem[] };

type Mapping = Record<string, unknown>;

const isMapping = (value: unknown): value is Mapping =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// A file is a plan, not a task, when it is a mapping with a top-level `tasks:` key.
export function isPlanData(data: unknown): data is Mapping {
  return isMapping(data) && 'tasks' in data;
}

// The id of task `name` of plan `plan`.
function planTaskId(plan: string, name: string): string {
  return `${plan}.${name}`;
}

// The plan an id would belong to (what comes before its last dot), if it has one.
export function planOfId(id: string): string | undefined {
  const dot = id.lastIndexOf('.');
  return dot > 0 ? id.slice(0, dot) : undefined;
}

// The plan's name, or undefined (with a problem) when it cannot prefix task ids.
function planName(value: unknown, stem: string, problems: Problem[]): string | undefined {
  if (value === undefined) {
    if (idProblem(stem) === undefined) return stem;
    problems.push({
      path: 'name',
      message: `the file name "${stem}" cannot name the plan's tasks (add \`name: my-plan\`)`,
    });
    return undefined;
  }
  const problem = typeof value === 'string' ? idProblem(value) : 'must be a name';
  if (problem === undefined) return value as string;
  problems.push({
    path: 'name',
    message: `${problem.replace(/ \(.*\)$/, '')} (use letters, digits, ".", "_" and "-")`,
  });
  return undefined;
}

function planDefaults(value: unknown, problems: Problem[]): Mapping {
  if (value === undefined) return {};
  if (!isMapping(value)) {
    problems.push({
      path: 'defaults',
      message: 'must be a mapping of task fields (e.g. `defaults: { agent: claude }`)',
    });
    return {};
  }
  const before = problems.length;
  for (const key of Object.keys(value)) {
    if (NOT_DEFAULTS.includes(key))
      problems.push({ path: `defaults.${key}`, message: 'cannot be a default (set it on each task)' });
  }
  const allowed = Object.fromEntries(Object.entries(value).filter(([key]) => !NOT_DEFAULTS.includes(key)));
  const parsed = taskSchema.partial().safeParse(allowed);
  if (!parsed.success)
    problems.push(
      ...problemsFromZod(parsed.error, taskSchema).map((problem) => ({ ...problem, path: `defaults.${problem.path}` })),
    );
  return problems.length === before ? value : {};
}

interface EntryScope {
  // Undefined when the plan has no usable name: entries are still checked, ids are not.
  plan: string | undefined;
  names: ReadonlySet<string>;
  context: PlanContext;
  problems: Problem[];
  edges: PlanEdge[];
}

// Turns the task names in a reference field into ids, keeping its shape (one name or a list).
function translate(value: unknown, field: string, path: string, scope: EntryScope): unknown {
  const one = typeof value === 'string';
  if (!one && !(Array.isArray(value) && value.every((item) => typeof item === 'string'))) return value;
  const ids = (one ? [value] : (value as string[])).map((ref) => {
    if (scope.names.has(ref)) {
      const id = planTaskId(scope.plan ?? '', ref);
      scope.edges.push({ id, field, internal: true });
      return id;
    }
    if (idProblem(ref) === undefined && scope.context.usedIn(ref) !== undefined) {
      scope.edges.push({ id: ref, field, internal: false });
      return ref;
    }
    const guess = closest(ref, [...scope.names]);
    const hint = guess
      ? `did you mean "${guess}"?`
      : `names in this plan: ${[...scope.names].join(', ')}; or the id of an existing task`;
    scope.problems.push({ path, message: `unknown name "${ref}" (${hint})` });
    return ref;
  });
  return one ? ids[0] : ids;
}

function expandEntry(entry: Mapping, index: number, name: string, defaults: Mapping, scope: EntryScope): PlanTask {
  const { plan, context, problems } = scope;
  const prefix = `tasks[${index}]`;
  const fields: Mapping = {};
  for (const [key, value] of Object.entries(entry)) {
    if (key === 'name') continue;
    if (DAEMON_FIELDS.includes(key)) {
      problems.push({ path: `${prefix}.${key}`, message: 'is written by the daemon, not by a plan (remove it)' });
    } else if (REFERENCE_FIELDS.includes(key)) {
      fields[key] = translate(value, key, `${prefix}.${key}`, scope);
    } else if (key === CONDITION_FIELD && isMapping(value)) {
      fields[key] = Object.fromEntries(
        Object.entries(value).map(([condition, ref]) => [
          condition,
          translate(ref, `${key}.${condition}`, `${prefix}.${key}.${condition}`, scope),
        ]),
      );
    } else {
      fields[key] = value;
    }
  }
  for (const [key, value] of Object.entries(defaults)) if (!(key in fields)) fields[key] = value;
  if (context.parent !== undefined && !('parent' in fields)) fields.parent = context.parent;
  fields.created_at = new Date(context.now + index).toISOString();
  const id = planTaskId(plan ?? '', name);
  const badId = plan === undefined ? undefined : idProblem(id);
  if (badId)
    problems.push({
      path: `${prefix}.name`,
      message: `makes the id "${id}": ${badId.replace(/ \(.*\)$/, '')} (use a shorter name)`,
    });
  const validation = validateTask(plan === undefined || badId ? 'x' : id, fields);
  if (!validation.ok)
    problems.push(
      ...validation.problems.map((problem) => ({
        ...problem,
        path: problem.path === '' ? prefix : `${prefix}.${problem.path}`,
      })),
    );
  const used = plan === undefined ? undefined : context.usedIn(id);
  const twin = plan === undefined || used ? undefined : context.caseTwinOf(id);
  const taken = used
    ? `the id "${id}" is already used by tasks/${used}/${id}.yaml`
    : twin && caseTwinProblem(id, `tasks/${twin.state}/${twin.id}.yaml`);
  if (taken)
    problems.push({ path: `${prefix}.name`, message: `${taken} (rename this task, or the plan with \`name:\`)` });
  return { id, name, fields, edges: scope.edges };
}

// A cycle can never run: each one is reported once, at its first entry, with the names on it.
function cycleProblems(plan: string | undefined, tasks: readonly PlanTask[]): Problem[] {
  const graph = new Map(
    tasks.map((task) => [task.id, task.edges.filter((edge) => edge.internal).map((edge) => edge.id)]),
  );
  const indexOf = new Map(tasks.map((task, index) => [task.id, index]));
  const reported = new Set<string>();
  const problems: Problem[] = [];
  for (const [, cycle] of findCycles(graph)) {
    const ids = cycle.split(' -> ');
    const members = ids.slice(0, -1);
    const key = [...members].sort().join(' ');
    if (reported.has(key)) continue;
    reported.add(key);
    const start = members.reduce((a, b) => (indexOf.get(a)! <= indexOf.get(b)! ? a : b));
    const at = members.indexOf(start);
    const loop = [...members.slice(at), ...members.slice(0, at), start];
    const task = tasks[indexOf.get(start)!]!;
    const field = task.edges.find((edge) => edge.internal && edge.id === loop[1])?.field ?? 'depends_on';
    const names = loop.map((id) => id.slice((plan ?? '').length + 1)).join(' -> ');
    problems.push({
      path: `tasks[${indexOf.get(start)}].${field}`,
      message: `dependency cycle ${names} (remove one of these dependencies)`,
    });
  }
  return problems;
}

// Problems are shown in the order of the file: the plan's own fields, then entry by entry.
function entryIndex(problem: Problem): number {
  const match = /^tasks\[(\d+)\]/.exec(problem.path);
  return match ? Number(match[1]) : -1;
}

// Checks a plan and expands it into its tasks: all of them, or problems naming entry and field.
export function expandPlan(data: Mapping, context: PlanContext): PlanExpansion {
  const problems: Problem[] = [];
  for (const key of Object.keys(data)) if (!PLAN_KEYS.includes(key)) problems.push(unknownField(key, key, PLAN_KEYS));
  const name = planName(data.name, context.stem, problems);
  const defaults = planDefaults(data.defaults, problems);
  const entries = Array.isArray(data.tasks) ? data.tasks : [];
  if (entries.length === 0)
    problems.push({ path: 'tasks', message: 'must be a list of tasks, each with a name and a description' });
  const names = entryNames(
    entries.map((entry) => (isMapping(entry) ? entry : undefined)),
    problems,
  );
  const known = new Set(names.filter((entryName): entryName is string => entryName !== undefined));
  const tasks: PlanTask[] = [];
  entries.forEach((entry, index) => {
    if (!isMapping(entry)) {
      problems.push({
        path: `tasks[${index}]`,
        message: 'must be a mapping of task fields with a name (e.g. `- name: build`)',
      });
      return;
    }
    const entryName = names[index];
    const scope = { plan: name, names: known, context, problems, edges: [] };
    if (entryName !== undefined) tasks.push(expandEntry(entry, index, entryName, defaults, scope));
  });
  problems.push(...cycleProblems(name, tasks));
  if (problems.length > 0 || name === undefined)
    return { ok: false, problems: problems.sort((a, b) => entryIndex(a) - entryIndex(b)) };
  return { ok: true, plan: { name, tasks } };
}
