import { describe, expect, it } from 'vitest';
import { expandPlan, isPlanData, planOfId, type PlanContext } from '../../src/core/plan.js';
import { planWaves } from '../../src/core/plan-waves.js';
import type { StateFolder } from '../../src/core/state-folders.js';

const NOW = Date.parse('2030-01-01T00:00:00.000Z');

function context(used: Record<string, StateFolder> = {}, extra: Partial<PlanContext> = {}): PlanContext {
  return { stem: 'release', now: NOW, usedIn: (id) => used[id], caseTwinOf: () => undefined, ...extra };
}

function problemsOf(data: Record<string, unknown>, ctx = context()): string[] {
  const expansion = expandPlan(data, ctx);
  if (expansion.ok) throw new Error('expected problems');
  return expansion.problems.map((problem) => `${problem.path}: ${problem.message}`);
}

const release = {
  defaults: { agent: 'shell', priority: 'low' },
  tasks: [
    { name: 'build', description: 'Build it', command: 'make' },
    { name: 'test', description: 'Test it', depends_on: ['build'], priority: 'high' },
    { name: 'lint', description: 'Lint it', depends_on: 'build' },
    { name: 'deploy', description: 'Ship it', depends_on: ['test', 'lint'] },
    { name: 'rollback', description: 'Undo it', when: { failed: 'deploy' } },
  ],
};

describe('expandPlan', () => {
  it('expands each entry into a task <plan>.<name> with names turned into ids and defaults filled in', () => {
    const expansion = expandPlan(release, context());
    expect(expansion.ok).toBe(true);
    if (!expansion.ok) return;
    expect(expansion.plan.name).toBe('release');
    expect(expansion.plan.tasks.map((task) => task.id)).toEqual([
      'release.build',
      'release.test',
      'release.lint',
      'release.deploy',
      'release.rollback',
    ]);
    const [build, test, lint, deploy, rollback] = expansion.plan.tasks.map((task) => task.fields);
    expect(build).toEqual({
      description: 'Build it',
      command: 'make',
      agent: 'shell',
      priority: 'low',
      created_at: '2030-01-01T00:00:00.000Z',
    });
    expect(test).toMatchObject({
      depends_on: ['release.build'],
      priority: 'high',
      agent: 'shell',
      created_at: '2030-01-01T00:00:00.001Z',
    });
    expect(lint!.depends_on).toBe('release.build');
    expect(deploy!.depends_on).toEqual(['release.test', 'release.lint']);
    expect(rollback!.when).toEqual({ failed: 'release.deploy' });
  });

  it('takes the name from name:, sets parent on every task, and keeps ids of existing tasks as dependencies', () => {
    const expansion = expandPlan(
      {
        name: 'nightly',
        tasks: [
          { name: 'a', description: 'A', depends_on: ['db-schema'] },
          { name: 'b', description: 'B', parent: 'other' },
        ],
      },
      context({ 'db-schema': 'completed' }, { parent: 'boss' }),
    );
    expect(
      expansion.ok && expansion.plan.tasks.map((task) => [task.id, task.fields.depends_on, task.fields.parent]),
    ).toEqual([
      ['nightly.a', ['db-schema'], 'boss'],
      ['nightly.b', undefined, 'other'],
    ]);
  });

  it('names the entry and field of an unknown name, with a did-you-mean', () => {
    const plan = {
      tasks: [
        { name: 'test', description: 'T' },
        { name: 'build', description: 'B' },
        { name: 'ship', description: 'S', depends_on: ['tset'] },
      ],
    };
    expect(problemsOf(plan)).toEqual(['tasks[2].depends_on: unknown name "tset" (did you mean "test"?)']);
    const far = { tasks: [{ name: 'a', description: 'A', after: 'zzzzzz' }] };
    expect(problemsOf(far)).toEqual([
      'tasks[0].after: unknown name "zzzzzz" (names in this plan: a; or the id of an existing task)',
    ]);
  });

  it('reports each cycle once, with the names on it', () => {
    const plan = {
      tasks: [
        { name: 'a', description: 'A', depends_on: ['c'] },
        { name: 'b', description: 'B', depends_on: ['a'] },
        { name: 'c', description: 'C', after: ['b'] },
        { name: 'self', description: 'S', depends_on: ['self'] },
      ],
    };
    expect(problemsOf(plan)).toEqual([
      'tasks[0].depends_on: dependency cycle a -> c -> b -> a (remove one of these dependencies)',
      'tasks[3].depends_on: dependency cycle self -> self (remove one of these dependencies)',
    ]);
  });

  it('refuses duplicate and missing names, daemon fields, bad task fields and unknown plan fields', () => {
    const plan = {
      tsks: 1,
      defaults: { priority: 'urgent', depends_on: ['x'] },
      tasks: [
        { name: 'a', description: 'A' },
        { name: 'a', description: 'again' },
        { description: 'no name' },
        { name: 'b', description: 'B', timeout: 'soon', result: {} },
        'text',
      ],
    };
    expect(problemsOf(plan)).toEqual([
      'tsks: unknown field (did you mean "tasks"?)',
      'defaults.depends_on: cannot be a default (set it on each task)',
      'defaults.priority: must be high, normal or low (or 0, 1, 2)',
      'tasks[1].name: "a" is already the name of tasks[0] (names must be unique)',
      'tasks[2].name: is required: each task needs a name that others can depend on (add `name: build`)',
      'tasks[3].result: is written by the daemon, not by a plan (remove it)',
      'tasks[3].timeout: must be a duration such as 30m, 1h or 90s',
      'tasks[4]: must be a mapping of task fields with a name (e.g. `- name: build`)',
    ]);
  });

  it('never reuses an id: one already in any state folder is refused, naming where', () => {
    expect(
      problemsOf({ tasks: [{ name: 'build', description: 'B' }] }, context({ 'release.build': 'completed' })),
    ).toEqual([
      'tasks[0].name: the id "release.build" is already used by tasks/completed/release.build.yaml (rename this task, or the plan with `name:`)',
    ]);
  });

  it('refuses ids that differ only in case, within the plan and from existing tasks (one file on macOS and Windows)', () => {
    const existing = { id: 'release.Deploy', state: 'failed' as const };
    const twinOf = (id: string) => (id.toLowerCase() === 'release.deploy' && id !== existing.id ? existing : undefined);
    const plan = {
      tasks: [
        { name: 'build', description: 'B' },
        { name: 'Build', description: 'again' },
        { name: 'deploy', description: 'D' },
      ],
    };
    expect(problemsOf(plan, context({}, { caseTwinOf: twinOf }))).toEqual([
      'tasks[1].name: "Build" differs only in case from "build", the name of tasks[0]: on macOS and Windows their task files are one (use another name)',
      'tasks[2].name: the id "release.deploy" differs only in case from tasks/failed/release.Deploy.yaml: on macOS and Windows the two are one file (rename this task, or the plan with `name:`)',
    ]);
  });

  it('needs a non-empty task list and a usable name', () => {
    expect(problemsOf({ tasks: [] })).toEqual(['tasks: must be a list of tasks, each with a name and a description']);
    expect(problemsOf({ tasks: [{ name: 'a', description: 'A' }] }, context({}, { stem: 'my plan' }))).toEqual([
      'name: the file name "my plan" cannot name the plan\'s tasks (add `name: my-plan`)',
    ]);
  });
});

describe('plan helpers', () => {
  it('tells plans from tasks and finds the plan of an id', () => {
    expect(isPlanData({ tasks: [] })).toBe(true);
    expect(isPlanData({ description: 'x' })).toBe(false);
    expect(isPlanData(['tasks'])).toBe(false);
    expect(planOfId('v1.2.build')).toBe('v1.2');
    expect(planOfId('build')).toBeUndefined();
  });
});

describe('planWaves', () => {
  it('groups tasks into waves by dependency; within a wave by priority, then the order written', () => {
    const expansion = expandPlan(release, context());
    if (!expansion.ok) throw new Error('invalid');
    const waves = planWaves(expansion.plan).map((wave) => wave.map((task) => task.name));
    expect(waves).toEqual([['build'], ['test', 'lint'], ['deploy'], ['rollback']]);
  });

  it('puts independent tasks in one wave and external dependencies in none', () => {
    const expansion = expandPlan(
      {
        tasks: [
          { name: 'x', description: 'X', depends_on: ['old'] },
          { name: 'y', description: 'Y', priority: 'high' },
        ],
      },
      context({ old: 'completed' }),
    );
    if (!expansion.ok) throw new Error('invalid');
    expect(planWaves(expansion.plan).map((wave) => wave.map((task) => task.name))).toEqual([['y', 'x']]);
  });
});
