import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { validateConfig } from '../../src/core/config-schema.js';
import { locksOverlap } from '../../src/core/lock-overlap.js';
import { schedule, sortPending, type PendingTask, type SchedulerInput } from '../../src/core/scheduler.js';
import { validateTask } from '../../src/core/task-schema.js';

function config(data: unknown = { max_concurrent: 4, agents: { a: { preset: 'shell', max_instances: 2 }, b: { preset: 'shell', max_instances: 2 } } }) {
  const result = validateConfig(data, ['shell']);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

function pending(id: string, fields: Record<string, unknown> = {}, createdAtMs = 0, retryAfterMs?: number): PendingTask {
  const result = validateTask(id, { description: id, ...fields });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return { task: result.task, createdAtMs, retryAfterMs };
}

function input(overrides: Partial<SchedulerInput>): SchedulerInput {
  const base = { now: 1000, config: config(), pending: [], running: [], completed: new Set<string>(), failed: new Set<string>(), blocked: new Set<string>(), ...overrides };
  return { ...base, pending: sortPending(base.pending, base.config.defaults.priority) };
}

const started = (decisions: ReturnType<typeof schedule>['decisions']) => decisions.filter((d) => d.kind === 'start').map((d) => d.id);

describe('schedule', () => {
  it('starts highest priority first, then oldest, then by id', () => {
    const result = schedule(
      input({
        config: config({ max_concurrent: 3, agents: { a: { preset: 'shell', max_instances: 3 } } }),
        pending: [pending('low', { priority: 'low' }, 0), pending('n2', {}, 20), pending('n1b', {}, 10), pending('n1a', {}, 10), pending('high', { priority: 'high' }, 99)],
      }),
    );
    expect(started(result.decisions)).toEqual(['high', 'n1a', 'n1b']);
  });

  it('holds tasks of an agent paused by a rate limit until it resumes, while other agents go on', () => {
    const tasks = [pending('for-a', { agent: 'a' }), pending('any')];
    const result = schedule(input({ pending: tasks, paused: new Map([['a', 5000]]) }));
    expect(result.decisions).toEqual([{ kind: 'start', id: 'any', agent: 'b' }]);
    expect(result.waiting.get('for-a')).toBe('paused');
    expect(result.nextWakeMs).toBe(5000);
    expect(started(schedule(input({ now: 5000, pending: tasks, paused: new Map([['a', 5000]]) })).decisions)).toEqual(['any', 'for-a']);
  });

  it('rejects an unknown role with a did-you-mean, and knows the built-in ones', () => {
    const result = schedule(input({ pending: [pending('r1', { role: 'reviewr' }), pending('r2', { role: 'reviewer' })] }));
    expect(result.decisions).toContainEqual({ kind: 'reject', id: 'r1', field: 'role', message: expect.stringContaining('unknown role "reviewr" (did you mean "reviewer"?') });
    expect(started(result.decisions)).toEqual(['r2']);
  });

  it('respects per-agent slots and the global cap', () => {
    const result = schedule(input({ pending: ['t1', 't2', 't3', 't4', 't5'].map((id) => pending(id, { agent: 'a' })) }));
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
    expect(result.waiting.get('t1')).toBe('backoff');
    expect(result.nextWakeMs).toBe(5000);
  });

  it('waits for dependencies and fails a task whose dependency failed', () => {
    const result = schedule(input({ pending: [pending('t1', { depends_on: ['d1'] }), pending('t2', { depends_on: ['d2'] }), pending('t3', { depends_on: ['d3'] })], completed: new Set(['d3']), failed: new Set(['d2']) }));
    expect(result.waiting.get('t1')).toBe('dependency');
    expect(result.decisions).toContainEqual({ kind: 'fail', id: 't2', error: 'dependency d2 failed' });
    expect(started(result.decisions)).toEqual(['t3']);
  });

  it('never starts two tasks with overlapping locks', () => {
    const result = schedule(input({ pending: [pending('t1', { locks: ['src/auth/**'] }), pending('t2', { locks: ['src/auth/login.ts'] }), pending('t3', { locks: ['docs/'] })] }));
    expect(started(result.decisions)).toEqual(['t1', 't3']);
    expect(result.waiting.get('t2')).toBe('lock');
  });

  it('rejects an unknown agent with the known ones', () => {
    const result = schedule(input({ pending: [pending('t1', { agent: 'nope' })] }));
    expect(result.decisions).toEqual([{ kind: 'reject', id: 't1', field: 'agent', message: expect.stringMatching(/unknown agent "nope".*a, b/) }]);
  });

  it('holds back ids whose previous run is still stopping', () => {
    const result = schedule(input({ pending: [pending('t1')], blocked: new Set(['t1']) }));
    expect(result.waiting.get('t1')).toBe('blocked');
  });

  it('never exceeds caps and never overlaps locks, for any state', () => {
    const lockNames = ['src/a', 'src/a/**', 'src/b', 'docs/**', 'x'];
    fc.assert(
      fc.property(
        fc.array(fc.record({ agent: fc.constantFrom(undefined, 'a', 'b'), locks: fc.subarray(lockNames, { maxLength: 2 }), priority: fc.constantFrom('high', 'normal', 'low') }), { maxLength: 30 }),
        fc.array(fc.record({ agent: fc.constantFrom('a', 'b'), locks: fc.subarray(lockNames, { maxLength: 1 }) }), { maxLength: 3 }),
        (tasks, runningSpecs) => {
          const running = runningSpecs.map((spec, i) => ({ id: `r${i}`, agent: spec.agent, locks: spec.locks }));
          const result = schedule(input({ pending: tasks.map((spec, i) => pending(`t${i}`, { ...(spec.agent ? { agent: spec.agent } : {}), locks: spec.locks, priority: spec.priority }, i)), running }));
          const starts = result.decisions.filter((d) => d.kind === 'start');
          const all = [...running, ...starts.map((d) => ({ id: d.id, agent: d.agent, locks: tasks[Number(d.id.slice(1))]!.locks }))];
          if (starts.length > 0 && all.length > 4) return false;
          for (const start of starts) if (all.filter((r) => r.agent === start.agent).length > 2) return false;
          for (const start of starts) {
            const mine = tasks[Number(start.id.slice(1))]!.locks;
            for (const other of all) if (other.id !== start.id && mine.some((l) => other.locks.some((o) => locksOverlap(l, o)))) return false;
          }
          return true;
        },
      ),
    );
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
