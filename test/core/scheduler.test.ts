import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { withAgentSlots } from '../../src/core/agent-slots.js';
import { validateConfig } from '../../src/core/config-schema.js';
import { locksOverlap } from '../../src/core/lock-overlap.js';
import { compareAge, orderPending, schedule, type PendingTask, type SchedulerInput } from '../../src/core/scheduler.js';
import { validateTask } from '../../src/core/task-schema.js';

function config(
  data: unknown = {
    max_concurrent: 4,
    agents: { a: { preset: 'shell', max_instances: 2 }, b: { preset: 'shell', max_instances: 2 } },
  },
) {
  const result = validateConfig(data, ['shell']);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

function pending(
  id: string,
  fields: Record<string, unknown> = {},
  createdAtMs = 0,
  retryAfterMs?: number,
): PendingTask {
  const result = validateTask(id, { description: id, ...fields });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return { task: result.task, createdAtMs, retryAfterMs };
}

// Pending tasks in run order, as the daemon keeps them.
const sortPending = (tasks: readonly PendingTask[], defaultPriority: 0 | 1 | 2, now = 0, agingMs = 0) =>
  orderPending([...tasks].sort(compareAge), { now, agingMs, defaultPriority }).order;

function input(overrides: Partial<SchedulerInput>): SchedulerInput {
  const base = {
    now: 1000,
    config: config(),
    pending: [],
    running: [],
    completed: new Set<string>(),
    failed: new Set<string>(),
    blocked: new Set<string>(),
    ...overrides,
  };
  return { ...base, pending: sortPending(base.pending, base.config.defaults.priority) };
}

const started = (decisions: ReturnType<typeof schedule>['decisions']) =>
  decisions.filter((d) => d.kind === 'start').map((d) => d.id);

describe('schedule', () => {
  it('starts highest priority first, then oldest, then by id', () => {
    const result = schedule(
      input({
        config: config({ max_concurrent: 3, agents: { a: { preset: 'shell', max_instances: 3 } } }),
        pending: [
          pending('low', { priority: 'low' }, 0),
          pending('n2', {}, 20),
          pending('n1b', {}, 10),
          pending('n1a', {}, 10),
          pending('high', { priority: 'high' }, 99),
        ],
      }),
    );
    expect(started(result.decisions)).toEqual(['high', 'n1a', 'n1b']);
  });

  it('holds tasks of an agent paused by a rate limit until it resumes, while other agents go on', () => {
    const tasks = [pending('for-a', { agent: 'a' }), pending('any')];
    const result = schedule(input({ pending: tasks, paused: new Map([['a', 5000]]) }));
    expect(result.decisions).toEqual([{ kind: 'start', id: 'any', agent: 'b' }]);
    expect(result.waiting.get('for-a')).toEqual({ kind: 'paused', agent: 'a', until: 5000 });
    expect(result.nextWakeMs).toBe(5000);
    expect(started(schedule(input({ now: 5000, pending: tasks, paused: new Map([['a', 5000]]) })).decisions)).toEqual([
      'any',
      'for-a',
    ]);
  });

  it('rejects an unknown role with a did-you-mean, and knows the built-in ones', () => {
    const result = schedule(
      input({ pending: [pending('r1', { role: 'reviewr' }), pending('r2', { role: 'reviewer' })] }),
    );
    expect(result.decisions).toContainEqual({
      kind: 'reject',
      id: 'r1',
      field: 'role',
      message: expect.stringContaining('unknown role "reviewr" (did you mean "reviewer"?'),
    });
    expect(started(result.decisions)).toEqual(['r2']);
  });

  it('respects per-agent slots and the global cap', () => {
    const result = schedule(
      input({ pending: ['t1', 't2', 't3', 't4', 't5'].map((id) => pending(id, { agent: 'a' })) }),
    );
    expect(started(result.decisions)).toEqual(['t1', 't2']);
    const spread = schedule(input({ pending: ['t1', 't2', 't3', 't4', 't5'].map((id) => pending(id)) }));
    expect(started(spread.decisions)).toHaveLength(4);
  });

  it('picks the least loaded agent when none is named', () => {
    const result = schedule(input({ pending: [pending('t1')], running: [{ id: 'r', agent: 'a', locks: [] }] }));
    expect(result.decisions).toEqual([{ kind: 'start', id: 't1', agent: 'b' }]);
  });

  it('waits for backoff and says when to wake', () => {
    const result = schedule(input({ pending: [pending('t1', {}, 0, 5000)] }));
    expect(result.decisions).toEqual([]);
    expect(result.waiting.get('t1')).toEqual({ kind: 'backoff', until: 5000 });
    expect(result.nextWakeMs).toBe(5000);
  });

  it('waits for dependencies and fails a task whose dependency failed', () => {
    const result = schedule(
      input({
        pending: [
          pending('t1', { depends_on: ['d1'] }),
          pending('t2', { depends_on: ['d2'] }),
          pending('t3', { depends_on: ['d3'] }),
        ],
        completed: new Set(['d3']),
        failed: new Set(['d2']),
      }),
    );
    expect(result.waiting.get('t1')).toEqual({ kind: 'unknown', ids: ['d1'] });
    expect(result.decisions).toContainEqual({ kind: 'fail', id: 't2', error: 'dependency d2 failed' });
    expect(started(result.decisions)).toEqual(['t3']);
  });

  it('never starts two tasks with overlapping locks', () => {
    const result = schedule(
      input({
        pending: [
          pending('t1', { locks: ['src/auth/**'] }),
          pending('t2', { locks: ['src/auth/login.ts'] }),
          pending('t3', { locks: ['docs/'] }),
        ],
      }),
    );
    expect(started(result.decisions)).toEqual(['t1', 't3']);
    expect(result.waiting.get('t2')).toEqual({ kind: 'lock', lock: 'src/auth/**', heldBy: 't1' });
  });

  it('rejects an unknown agent with the known ones', () => {
    const result = schedule(input({ pending: [pending('t1', { agent: 'nope' })] }));
    expect(result.decisions).toEqual([
      { kind: 'reject', id: 't1', field: 'agent', message: expect.stringMatching(/unknown agent "nope".*a, b/) },
    ]);
  });

  it('holds back ids whose previous run is still stopping', () => {
    const result = schedule(input({ pending: [pending('t1')], blocked: new Set(['t1']) }));
    expect(result.waiting.get('t1')).toEqual({ kind: 'blocked' });
  });

  it('never exceeds caps and never overlaps locks, for any state', () => {
    const lockNames = ['src/a', 'src/a/**', 'src/b', 'docs/**', 'x'];
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            agent: fc.constantFrom(undefined, 'a', 'b'),
            locks: fc.subarray(lockNames, { maxLength: 2 }),
            priority: fc.constantFrom('high', 'normal', 'low'),
          }),
          { maxLength: 30 },
        ),
        fc.array(fc.record({ agent: fc.constantFrom('a', 'b'), locks: fc.subarray(lockNames, { maxLength: 1 }) }), {
          maxLength: 3,
        }),
        (tasks, runningSpecs) => {
          const running = runningSpecs.map((spec, i) => ({ id: `r${i}`, agent: spec.agent, locks: spec.locks }));
          const result = schedule(
            input({
              pending: tasks.map((spec, i) =>
                pending(
                  `t${i}`,
                  { ...(spec.agent ? { agent: spec.agent } : {}), locks: spec.locks, priority: spec.priority },
                  i,
                ),
              ),
              running,
            }),
          );
          const starts = result.decisions.filter((d) => d.kind === 'start');
          const all = [
            ...running,
            ...starts.map((d) => ({ id: d.id, agent: d.agent, locks: tasks[Number(d.id.slice(1))]!.locks })),
          ];
          if (starts.length > 0 && all.length > 4) return false;
          for (const start of starts) if (all.filter((r) => r.agent === start.agent).length > 2) return false;
          for (const start of starts) {
            const mine = tasks[Number(start.id.slice(1))]!.locks;
            for (const other of all)
              if (other.id !== start.id && mine.some((l) => other.locks.some((o) => locksOverlap(l, o)))) return false;
          }
          return true;
        },
      ),
    );
  });
});

describe('schedule: dependencies, conditions and agents', () => {
  it('runs an after-task once its ids ended, whatever the outcome, and names what it waits for', () => {
    const tasks = [pending('tidy', { after: ['build', 'lint'] })];
    expect(schedule(input({ pending: [...tasks, pending('build')] })).waiting.get('tidy')).toEqual({
      kind: 'unknown',
      ids: ['lint'],
    });
    expect(
      schedule(
        input({ pending: tasks, running: [{ id: 'lint', agent: 'a', locks: [] }], failed: new Set(['build']) }),
      ).waiting.get('tidy'),
    ).toEqual({ kind: 'dependency', ids: ['lint'] });
    expect(
      started(schedule(input({ pending: tasks, completed: new Set(['lint']), failed: new Set(['build']) })).decisions),
    ).toEqual(['tidy']);
  });

  it('runs a when-failed task only after its task failed, and skips it when that task completed', () => {
    const fix = pending('fix', { when: { failed: 'tests' } });
    expect(schedule(input({ pending: [fix, pending('tests')] })).waiting.get('fix')).toEqual({
      kind: 'dependency',
      ids: ['tests'],
    });
    expect(started(schedule(input({ pending: [fix], failed: new Set(['tests']) })).decisions)).toEqual(['fix']);
    expect(schedule(input({ pending: [fix], completed: new Set(['tests']) })).decisions).toEqual([
      { kind: 'skip', id: 'fix', summary: expect.stringContaining('tests completed') },
    ]);
  });

  it('keeps tasks on a cycle waiting, named, while the others start', () => {
    const result = schedule(
      input({
        pending: [pending('a', { depends_on: ['b'] }), pending('b', { after: ['a'] }), pending('free')],
        cycles: new Map([
          ['a', 'a -> b -> a'],
          ['b', 'b -> a -> b'],
        ]),
      }),
    );
    expect(result.waiting.get('a')).toEqual({ kind: 'cycle', cycle: 'a -> b -> a' });
    expect(started(result.decisions)).toEqual(['free']);
  });

  it('gives a task with a role an agent configured for that role, else the default or least loaded', () => {
    const roles = config({
      max_concurrent: 4,
      agents: { a: { preset: 'shell', max_instances: 2 }, b: { preset: 'shell', max_instances: 2, roles: ['tests'] } },
    });
    const result = schedule(
      input({
        config: roles,
        pending: [
          pending('t1', { role: 'tests' }),
          pending('t2', { role: 'tests' }),
          pending('t3', { role: 'tests' }),
          pending('d1', { role: 'docs' }),
          pending('x', { role: 'tests', agent: 'a' }),
        ],
      }),
    );
    expect(result.decisions.filter((d) => d.kind === 'start')).toEqual([
      { kind: 'start', id: 'd1', agent: 'a' },
      { kind: 'start', id: 't1', agent: 'b' },
      { kind: 'start', id: 't2', agent: 'b' },
      { kind: 'start', id: 'x', agent: 'a' },
    ]);
    expect(result.waiting.get('t3')).toEqual({ kind: 'slot', agents: ['b'] });
  });

  it('says max_concurrent is reached, and explains every task when asked', () => {
    const full = input({
      config: config({ max_concurrent: 1, agents: { a: { preset: 'shell', max_instances: 2 } } }),
      pending: [pending('t1'), pending('t2'), pending('t3', { depends_on: ['t1'] })],
    });
    expect(schedule(full).waiting.size).toBe(0);
    const explained = schedule({ ...full, explain: true });
    expect(started(explained.decisions)).toEqual(['t1']);
    expect(Object.fromEntries(explained.waiting)).toEqual({
      t2: { kind: 'slot', agents: [] },
      t3: { kind: 'dependency', ids: ['t1'] },
    });
  });

  it('counts locks held by another daemon, but not its slots', () => {
    const result = schedule(
      input({ pending: [pending('t1', { locks: ['db'] }), pending('t2')], held: [{ id: 'theirs', locks: ['db'] }] }),
    );
    expect(result.waiting.get('t1')).toEqual({ kind: 'lock', lock: 'db', heldBy: 'theirs' });
    expect(started(result.decisions)).toEqual(['t2']);
  });

  it('holds back an agent given 0 slots for this run', () => {
    const result = schedule(
      input({
        config: config({ max_concurrent: 4, agents: { a: { preset: 'shell', max_instances: 2 } } }),
        pending: [pending('t1')],
      }),
    );
    expect(started(result.decisions)).toEqual(['t1']);
    const zero = config({ max_concurrent: 4, agents: { a: { preset: 'shell', max_instances: 2 } } });
    zero.agents.a!.max_instances = 0;
    expect(schedule(input({ config: zero, pending: [pending('t1')] })).waiting.get('t1')).toEqual({
      kind: 'slot',
      agents: ['a'],
      heldBack: ['a'],
    });
  });
});

describe("schedule: this run's pool (--agents)", () => {
  // claude is the default agent; the run is started with --agents codex:2,gemini:2 and maybe more.
  const base = config({
    max_concurrent: 8,
    agents: {
      claude: { preset: 'shell', max_instances: 4 },
      codex: { preset: 'shell', max_instances: 1, roles: ['tests'] },
      gemini: { preset: 'shell', max_instances: 1, roles: ['tests'] },
      qwen: { preset: 'shell', max_instances: 1, roles: ['docs'] },
    },
    defaults: { agent: 'claude' },
  });
  const pooled = (slots: Record<string, number>) => withAgentSlots(base, slots).config;
  const starts = (result: ReturnType<typeof schedule>) =>
    result.decisions.filter((d) => d.kind === 'start').map((d) => `${d.id}:${d.agent}`);

  it('sends tasks that name no agent to the pool, not defaults.agent: least loaded first, ties to the agent named first', () => {
    const result = schedule(
      input({
        config: pooled({ gemini: 2, codex: 2 }),
        pending: ['t1', 't2', 't3', 't4', 't5'].map((id) => pending(id)),
        explain: true,
      }),
    );
    expect(starts(result)).toEqual(['t1:gemini', 't2:codex', 't3:gemini', 't4:codex']);
    expect(result.waiting.get('t5')).toEqual({ kind: 'slot', agents: ['gemini', 'codex'] });
    const busy = schedule(
      input({
        config: pooled({ gemini: 2, codex: 2 }),
        pending: [pending('t1')],
        running: [{ id: 'r', agent: 'gemini', locks: [] }],
      }),
    );
    expect(starts(busy)).toEqual(['t1:codex']);
  });

  it("still runs a task's own agent outside the pool, but not one held back with :0", () => {
    const result = schedule(
      input({
        config: pooled({ codex: 2, qwen: 0 }),
        pending: [pending('mine', { agent: 'claude' }), pending('held', { agent: 'qwen' })],
        explain: true,
      }),
    );
    expect(starts(result)).toEqual(['mine:claude']);
    expect(result.waiting.get('held')).toEqual({ kind: 'slot', agents: ['qwen'], heldBack: ['qwen'] });
  });

  it('routes a role to its agents in the pool if any, else to its agents outside it', () => {
    const result = schedule(
      input({
        config: pooled({ gemini: 2, claude: 1 }),
        pending: [
          pending('unit', { role: 'tests' }),
          pending('readme', { role: 'docs' }),
          pending('plain', { role: 'reviewer' }),
        ],
      }),
    );
    expect(starts(result)).toEqual(['plain:gemini', 'readme:qwen', 'unit:gemini']);
  });

  it('has no pool when every agent named is held back: defaults.agent as without --agents', () => {
    const result = schedule(
      input({ config: pooled({ codex: 0 }), pending: [pending('t1'), pending('t2', { role: 'tests' })] }),
    );
    expect(starts(result)).toEqual(['t1:claude', 't2:gemini']);
  });
});

describe('orderPending', () => {
  const HOUR = 3_600_000;
  it('raises a waiting task one level per aging period, so old low-priority work runs before new high', () => {
    const tasks = [
      pending('old-low', { priority: 'low' }, 0),
      pending('new-high', { priority: 'high' }, 2 * HOUR),
      pending('mid-normal', {}, HOUR),
    ];
    const at = (now: number, agingMs: number) => sortPending(tasks, 1, now, agingMs).map((entry) => entry.task.id);
    expect(at(2 * HOUR, 0)).toEqual(['new-high', 'mid-normal', 'old-low']);
    expect(at(2 * HOUR + 1, HOUR)).toEqual(['old-low', 'mid-normal', 'new-high']);
    expect(at(HOUR + 1, HOUR)).toEqual(['new-high', 'old-low', 'mid-normal']);
  });

  it('says when aging next changes the order', () => {
    const HALF = HOUR / 2;
    const result = orderPending([pending('high', { priority: 'high' }, 0), pending('low', { priority: 'low' }, 0)], {
      now: 10,
      agingMs: HALF,
      defaultPriority: 1,
    });
    expect(result.changesAtMs).toBe(HALF);
    expect(
      orderPending([pending('high', { priority: 'high' }, 0)], { now: 10, agingMs: HALF, defaultPriority: 1 })
        .changesAtMs,
    ).toBeUndefined();
  });
});

describe('locksOverlap', () => {
  it.each([
    ['src/auth/**', 'src/auth/login.ts', true],
    ['src/auth', 'src/auth/login.ts', true],
    ['src/auth/**', 'src/billing/**', false],
    ['src/a', 'src/ab', false],
    ['db', 'db', true],
    ['*.md', 'README.md', true],
  ])('%s vs %s: %s', (a, b, overlap) => {
    expect(locksOverlap(a, b)).toBe(overlap);
    expect(locksOverlap(b, a)).toBe(overlap);
  });
});
