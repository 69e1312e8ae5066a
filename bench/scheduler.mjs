// (h) the scheduler's time per decision pass, as the daemon makes it: the run order kept by
// ReadyOrder (aging re-levels it; a changed set is re-sorted and searched for cycles), then the
// pure `schedule`. 10,000 pending tasks, a 1,000-edge dependency graph, 100 locks held.
import { importFromSources, median, now, percentile, progress } from './lib.mjs';

// The scheduler's modules, as the daemon uses them.
function loadScheduler() {
  return importFromSources('scheduler', [
    "export { LockVerdicts, schedule } from './src/core/scheduler.ts';",
    "export { ReadyOrder } from './src/daemon/ready-order.ts';",
    "export { validateTask } from './src/core/task-schema.ts';",
    "export { validateConfig } from './src/core/config-schema.ts';",
  ]);
}

// A small seeded generator, so every run schedules the same workload.
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The workload: agent `a` is full (8 running, holding 8 locks; 92 more held by another daemon), so
// every pending task waits and each pass walks all 10,000: a dependency, a lock, a slot.
function workload(m, { count, edges, heldLocks }) {
  const rand = random(42);
  const pick = (n) => Math.floor(rand() * n);
  const config = m.validateConfig(
    {
      max_concurrent: 16,
      agents: { a: { preset: 'shell', max_instances: 8 }, b: { preset: 'shell', max_instances: 8 } },
      defaults: { priority_aging: '30m' },
    },
    ['shell'],
  ).config;
  const start = Date.now() - 3 * 3_600_000;
  const withEdge = new Set();
  while (withEdge.size < edges) withEdge.add(1 + pick(count - 1));
  const ready = new Map();
  for (let i = 0; i < count; i++) {
    const fields = { description: `task ${i}`, priority: ['high', 'normal', 'low'][pick(3)], agent: 'a' };
    if (withEdge.has(i)) fields.depends_on = [`t${pick(i)}`];
    if (rand() < 0.3) fields.locks = [`src/module-${pick(heldLocks * 2)}/**`];
    const task = m.validateTask(`t${i}`, fields).task;
    ready.set(task.id, {
      task,
      createdAtMs: start + pick(3 * 3_600_000),
      retryAfterMs: undefined,
      text: '',
      signature: { size: 0, mtimeMs: 0, ino: 0 },
    });
  }
  const running = Array.from({ length: 8 }, (_, i) => ({ id: `run${i}`, agent: 'a', locks: [`src/module-${i}/**`] }));
  const held = Array.from({ length: heldLocks - 8 }, (_, i) => ({
    id: `theirs${i}`,
    locks: [`src/module-${i + 8}/**`],
  }));
  return { config, ready, running, held };
}

// Passes not timed: the JIT compiles the scheduler, and the heap built for the workload settles.
const WARM_UP = 50;

// Passes as the daemon makes them. `changed`: before each, one task (with a dependency) leaves and
// comes back, as when its file is edited: it is put back in the kept order, and checked for a cycle.
function timePasses(m, work, { passes, changed }) {
  const order = new m.ReadyOrder();
  for (const entry of work.ready.values()) order.added(entry);
  const lockVerdicts = new m.LockVerdicts();
  const present = { has: (id) => work.ready.has(id) };
  const empty = new Set();
  const edited = [...work.ready.values()].filter((entry) => entry.task.dependsOn.length > 0);
  const times = [];
  let last;
  for (let i = 0; i < passes + WARM_UP; i++) {
    const t0 = now();
    if (changed) {
      const entry = edited[i % edited.length];
      order.removed(entry);
      order.added(entry);
    }
    const at = Date.now();
    last = m.schedule({
      now: at,
      config: work.config,
      ...order.ordered(at, work.config.defaults),
      running: work.running,
      completed: empty,
      failed: empty,
      blocked: empty,
      paused: new Map(),
      present,
      cycles: order.cycles,
      held: work.held,
      lockVerdicts,
    });
    if (i >= WARM_UP) times.push(now() - t0);
  }
  return {
    p50: median(times),
    p99: percentile(times, 99),
    passes: times.length,
    counts: last.waitCounts,
    starts: last.decisions.length,
  };
}

// A full re-sort of all 10,000 (what a daemon does once, at start-up).
function timeFirstOrder(m, work, runs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = now();
    const order = new m.ReadyOrder();
    for (const entry of [...work.ready.values()].sort(() => 0)) order.added(entry);
    order.ordered(Date.now(), work.config.defaults);
    times.push(now() - t0);
  }
  return median(times);
}

export async function benchScheduler({ passes }) {
  const sizes = { count: 10_000, edges: 1_000, heldLocks: 100 };
  progress(`(h) building a workload of ${sizes.count.toLocaleString('en')} pending tasks...`);
  const m = await loadScheduler();
  const work = workload(m, sizes);
  progress(`(h) ${passes} decision passes, then ${passes} with the set changed before each...`);
  const steady = timePasses(m, work, { passes, changed: false });
  const changed = timePasses(m, work, { passes, changed: true });
  return { ...sizes, steady, changed, firstOrderMs: timeFirstOrder(m, work, 5) };
}
