// Property tests of the scheduler over random workloads: passes are simulated to a fixed point
// (runs end in a random order, with random outcomes) and every pass is checked against the
// promises of the scheduling design.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { validateConfig } from '../../src/core/config-schema.js';
import { locksOverlap } from '../../src/core/lock-overlap.js';
import { compareAge, orderPending, schedule, type PendingTask, type RunningTask } from '../../src/core/scheduler.js';
import { validateTask } from '../../src/core/task-schema.js';

const LOCKS = ['src/a', 'src/a/**', 'src/b', 'docs/**', 'db', '*.md', 'README.md'];

const taskSpec = fc.record({
  agent: fc.constantFrom(undefined, 'a', 'b'),
  locks: fc.subarray(LOCKS, { maxLength: 2 }),
  priority: fc.constantFrom('high', 'normal', 'low'),
  createdAtMs: fc.nat({ max: 10_000 }),
  // Indices into earlier tasks (so the graph is acyclic), reduced modulo the task's own index.
  dependsOn: fc.array(fc.nat(), { maxLength: 2 }),
  after: fc.array(fc.nat(), { maxLength: 2 }),
  whenFailed: fc.option(fc.nat(), { nil: undefined }),
  // A dependency on an id that no task has: the task must wait, without blocking the others.
  ghost: fc.nat({ max: 9 }).map((n) => n === 0),
  succeeds: fc.boolean(),
});

const workload = fc.record({
  tasks: fc.array(taskSpec, { minLength: 1, maxLength: 25 }),
  maxConcurrent: fc.integer({ min: 1, max: 4 }),
  slots: fc.record({ a: fc.integer({ min: 1, max: 3 }), b: fc.integer({ min: 1, max: 3 }) }),
  // Which running task ends next, consumed in turn.
  endChoices: fc.array(fc.nat(), { minLength: 1, maxLength: 20 }),
  agingMs: fc.constantFrom(0, 500, 5_000),
});

type Spec = typeof taskSpec extends fc.Arbitrary<infer T> ? T : never;

function build(specs: Spec[]): PendingTask[] {
  return specs.map((spec, index) => {
    const earlier = (picks: number[]) => (index === 0 ? [] : [...new Set(picks.map((pick) => `t${pick % index}`))]);
    const dependsOn = earlier(spec.dependsOn);
    const fields: Record<string, unknown> = {
      description: 'x',
      locks: spec.locks,
      priority: spec.priority,
      depends_on: spec.ghost ? [...dependsOn, `ghost${index}`] : dependsOn,
      after: earlier(spec.after),
    };
    if (spec.agent) fields.agent = spec.agent;
    if (spec.whenFailed !== undefined && index > 0) fields.when = { failed: `t${spec.whenFailed % index}` };
    const result = validateTask(`t${index}`, fields);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    return { task: result.task, createdAtMs: spec.createdAtMs, retryAfterMs: undefined };
  });
}

// Tasks that may never run: they name an id nobody has, or wait (by any kind of edge) on such a
// task. (Some of them still end: a failed dependency fails them, a completed when-task skips them.)
function stuckIds(tasks: PendingTask[]): Set<string> {
  const stuck = new Set<string>();
  const ids = new Set(tasks.map((entry) => entry.task.id));
  for (const { task } of tasks) {
    const edges = [...task.dependsOn, ...task.after, ...(task.whenFailed ? [task.whenFailed] : [])];
    if (edges.some((id) => !ids.has(id) || stuck.has(id))) stuck.add(task.id);
  }
  return stuck;
}

describe('the scheduler, over random workloads', () => {
  it('keeps every cap, lock and dependency promise on every pass, and runs every runnable task', () => {
    fc.assert(
      fc.property(workload, ({ tasks: specs, maxConcurrent, slots, endChoices, agingMs }) => {
        const validated = validateConfig(
          {
            max_concurrent: maxConcurrent,
            agents: { a: { preset: 'shell', max_instances: slots.a }, b: { preset: 'shell', max_instances: slots.b } },
          },
          ['shell'],
        );
        if (!validated.ok) throw new Error('bad config');
        const config = validated.config;
        const all = build(specs);
        const byId = new Map(all.map((entry) => [entry.task.id, entry]));
        const outcome = new Map(specs.map((spec, index) => [`t${index}`, spec.succeeds]));
        let pending = [...all].sort(compareAge);
        let running: RunningTask[] = [];
        const completed = new Set<string>();
        const failed = new Set<string>();
        const ran = new Set<string>();
        let now = 0;
        let choice = 0;
        for (let pass = 0; pass < 500; pass++) {
          now += 250;
          const order = orderPending(pending, { now, agingMs, defaultPriority: 1 }).order;
          const result = schedule({ now, config, pending: order, running, completed, failed, blocked: new Set() });
          const starts = result.decisions.flatMap((d) =>
            d.kind === 'start' ? [{ id: d.id, agent: d.agent, locks: byId.get(d.id)!.task.fields.locks ?? [] }] : [],
          );
          const live = [...running, ...starts];
          expect(live.length).toBeLessThanOrEqual(maxConcurrent);
          for (const agent of ['a', 'b'] as const)
            expect(live.filter((run) => run.agent === agent).length).toBeLessThanOrEqual(slots[agent]);
          for (const [i, one] of live.entries())
            for (const other of live.slice(i + 1))
              expect(
                one.locks.some((l) => other.locks.some((o) => locksOverlap(l, o))),
                `${one.id} and ${other.id} overlap`,
              ).toBe(false);
          for (const start of starts) {
            const { task } = byId.get(start.id)!;
            if (task.fields.agent) expect(start.agent).toBe(task.fields.agent);
            for (const id of task.dependsOn)
              expect(completed.has(id), `${start.id} started before ${id} completed`).toBe(true);
            for (const id of task.after)
              expect(completed.has(id) || failed.has(id), `${start.id} started before ${id} ended`).toBe(true);
            if (task.whenFailed)
              expect(failed.has(task.whenFailed), `${start.id} started though ${task.whenFailed} did not fail`).toBe(
                true,
              );
            ran.add(start.id);
          }
          for (const decision of result.decisions) {
            const { task } = byId.get(decision.id)!;
            if (decision.kind === 'fail') expect(task.dependsOn.some((id) => failed.has(id))).toBe(true);
            if (decision.kind === 'skip') expect(completed.has(task.whenFailed!)).toBe(true);
            if (decision.kind === 'fail') failed.add(decision.id);
            if (decision.kind === 'skip') completed.add(decision.id);
          }
          const decided = new Set(result.decisions.map((d) => d.id));
          pending = pending.filter((entry) => !decided.has(entry.task.id));
          running = live;
          if (running.length > 0) {
            const [ended] = running.splice(endChoices[choice++ % endChoices.length]! % running.length, 1);
            (outcome.get(ended!.id) ? completed : failed).add(ended!.id);
          } else if (result.decisions.length === 0) {
            break;
          }
        }
        // The fixed point: only tasks that can never run are left, each waiting for an unknown id
        // or for another task left; every other task ended.
        expect(running).toEqual([]);
        const stuck = stuckIds(all);
        const left = new Set(pending.map((entry) => entry.task.id));
        for (const id of left) expect(stuck.has(id), `${id} was left though it can run`).toBe(true);
        const last = schedule({ now, config, pending, running, completed, failed, blocked: new Set() });
        for (const id of left) {
          const reason = last.waiting.get(id);
          expect(reason?.kind === 'unknown' || reason?.kind === 'dependency', `${id}: ${JSON.stringify(reason)}`).toBe(
            true,
          );
          if (reason?.kind === 'dependency') for (const waited of reason.ids) expect(left.has(waited)).toBe(true);
        }
        for (const { task } of all) {
          if (left.has(task.id)) continue;
          const mustFail = task.dependsOn.some((id) => failed.has(id) && !ran.has(task.id));
          const skipped = task.whenFailed !== undefined && completed.has(task.whenFailed) && !ran.has(task.id);
          expect(ran.has(task.id) || mustFail || skipped, `${task.id} never ran`).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
