// The daemon's run order is kept between passes (tasks put in and taken out one at a time, cycles
// searched only when one can have formed): after any history of arrivals, departures and aging, it
// must be exactly what ordering the same tasks from nothing gives, and so must the schedule made
// from it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/core/config-schema.js';
import { findCycles } from '../../src/core/dependency-cycles.js';
import { dependencyIds, hasDependencies } from '../../src/core/dependency-state.js';
import { compareAge, orderPending, PendingColumns, schedule } from '../../src/core/scheduler.js';
import { validateTask } from '../../src/core/task-schema.js';
import type { ReadyTask } from '../../src/daemon/inspect-pending.js';
import { ReadyOrder } from '../../src/daemon/ready-order.js';

const POOL = 40;
const id = fc.nat({ max: POOL - 1 }).map((n) => `t${n}`);

const taskSpec = fc.record({
  priority: fc.constantFrom(undefined, 'high', 'normal', 'low'),
  createdAtMs: fc.nat({ max: 3_000 }),
  // Any ids of the pool, earlier or later: cycles form and break as tasks come and go.
  dependsOn: fc.uniqueArray(id, { maxLength: 2 }),
  after: fc.uniqueArray(id, { maxLength: 1 }),
  agent: fc.constantFrom(undefined, 'a', 'b', 'nobody'),
  role: fc.constantFrom(undefined, 'tests'),
  locks: fc.constantFrom(undefined, [], ['src/**'], ['src/a', 'docs/**'], ['docs/x']),
  retryAfterMs: fc.option(fc.nat({ max: 6_000 }), { nil: undefined }),
});

// `churn`: every task leaves and comes back before the next pass (more changes than are kept one by one).
const step = fc.oneof(
  fc.record({ kind: fc.constant('toggle' as const), index: fc.nat({ max: POOL - 1 }) }),
  fc.record({ kind: fc.constant('pass' as const), advanceMs: fc.nat({ max: 700 }) }),
  fc.record({ kind: fc.constant('churn' as const) }),
);

type Spec = typeof taskSpec extends fc.Arbitrary<infer T> ? T : never;

function entries(specs: Spec[]): ReadyTask[] {
  return specs.map((spec, index) => {
    const fields: Record<string, unknown> = { description: 'x', depends_on: spec.dependsOn, after: spec.after };
    for (const key of ['priority', 'agent', 'role', 'locks'] as const)
      if (spec[key] !== undefined) fields[key] = spec[key];
    const result = validateTask(`t${index}`, fields);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    return {
      task: result.task,
      createdAtMs: spec.createdAtMs,
      retryAfterMs: spec.retryAfterMs,
      text: '',
      signature: { size: 0, mtimeMs: 0, ino: 0 },
    };
  });
}

// What a column holds for each position, as plain data.
function columnRows(columns: PendingColumns, length: number) {
  return Array.from({ length }, (_, i) => ({
    wish: columns.wishes[columns.wish[i]!],
    locks: columns.lockSet[i]! < 0 ? undefined : columns.lockSets[columns.lockSet[i]!],
    flags: columns.flags[i],
    retryAfterMs: columns.retryAfterMs[i],
  }));
}

const config = (() => {
  const result = validateConfig(
    {
      max_concurrent: 3,
      agents: { a: { preset: 'shell', max_instances: 1 }, b: { preset: 'shell', max_instances: 2, roles: ['tests'] } },
      defaults: { priority_aging: '500ms' },
    },
    ['shell'],
  );
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
})();

describe('ReadyOrder', () => {
  it('after any arrivals, departures and aging, gives the order, facts, cycles and schedule of a fresh start', () => {
    fc.assert(
      fc.property(
        fc.array(taskSpec, { minLength: POOL, maxLength: POOL }),
        fc.array(step, { maxLength: 120 }),
        (specs, steps) => {
          const pool = entries(specs);
          const kept = new ReadyOrder();
          const present = new Set<ReadyTask>();
          let now = 0;
          const toggle = (entry: ReadyTask) => {
            if (present.delete(entry)) kept.removed(entry);
            else {
              present.add(entry);
              kept.added(entry);
            }
          };
          for (const next of [...steps, { kind: 'pass' as const, advanceMs: 0 }]) {
            if (next.kind === 'toggle') toggle(pool[next.index]!);
            if (next.kind === 'churn')
              for (const entry of [...present]) {
                toggle(entry);
                toggle(entry);
              }
            if (next.kind !== 'pass') continue;
            now += next.advanceMs;
            const { pending, columns } = kept.ordered(now, config.defaults);
            const byAge = [...present].sort(compareAge);
            const options = {
              now,
              agingMs: config.defaults.priorityAgingMs,
              defaultPriority: config.defaults.priority,
            };
            const fresh = orderPending(byAge, options).order;
            expect(pending.map((entry) => entry.task.id)).toEqual(fresh.map((entry) => entry.task.id));
            expect(columnRows(columns, pending.length)).toEqual(columnRows(PendingColumns.of(fresh), fresh.length));
            const naming = byAge.filter((entry) => hasDependencies(entry.task));
            const cycles = findCycles(new Map(naming.map((entry) => [entry.task.id, dependencyIds(entry.task)])));
            expect(kept.cycles).toEqual(cycles);
            const input = {
              now,
              config,
              running: [],
              completed: new Set(['t1', 't2']),
              failed: new Set(['t3']),
              blocked: new Set<string>(),
              cycles,
              explain: true,
            };
            const fromKept = schedule({ ...input, pending, columns });
            const fromScratch = schedule({ ...input, pending: fresh });
            expect(fromKept.decisions).toEqual(fromScratch.decisions);
            expect([...fromKept.reasons()]).toEqual([...fromScratch.reasons()]);
            expect(fromKept.nextWakeMs).toEqual(fromScratch.nextWakeMs);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
