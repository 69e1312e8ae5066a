// Invariant 3, nothing lost: after kill -9 of the daemon at any moment and a restart, every
// submitted task ends in completed/ or failed/, and every attempt is recorded.
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { retryTask } from '../../src/cli/retry.js';
import { layoutOf } from '../../src/index.js';
import { dropTask, idsIn, waitFor, type DaemonProcess, type Workspace } from '../helpers/workspace.js';
import {
  agentProcesses,
  deadPid,
  faultWorkspace,
  MARKER_AGENT,
  foldersOf,
  killDaemon,
  readMarker,
  readTask,
  runFile,
  startDaemon,
  stopDaemon,
  tearDown,
  waitAllFinished,
} from '../helpers/faults.js';

let workspace: (Workspace & { marker: string }) | undefined;
let daemon: DaemonProcess | undefined;

afterEach(async () => {
  await tearDown(daemon, workspace);
  daemon = workspace = undefined;
});

// A small seeded generator, so a failing run can be replayed with KILL_SEED=<seed>.
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('nothing lost', () => {
  // The marker agent runs as an argv agent and as the command of `shell` tasks, both on runner
  // shells: an argv agent's command file holds its quoted words, a shell task's its script.
  it.each([
    { how: 'argv agents', task: (id: string) => `description: marker job ${id}\n` },
    {
      how: 'shell tasks on runner shells',
      task: (id: string, marker: string) =>
        `description: marker job ${id}\nagent: shell\ncommand: ${JSON.stringify(`MARKER_SLEEP=0.15 ${MARKER_AGENT} ${marker}`)}\n`,
    },
  ])('finishes and records every task across repeated kill -9 of the daemon ($how)', async ({ task }) => {
    const seed = Number(process.env.KILL_SEED ?? Date.now() % 1_000_000);
    const next = random(seed);
    // No retries: only the daemon dies, so every agent runs once and every task succeeds at its
    // first attempt; a run the crash kept from starting must not use one up (or the task fails).
    workspace = faultWorkspace({ markerSleep: '0.15', maxRetries: 0 });
    const { root, marker } = workspace;
    const ids = Array.from({ length: 240 }, (_, n) => `job-${String(n).padStart(3, '0')}`);
    const batches = [ids.slice(0, 120), ids.slice(120, 180), ids.slice(180)];
    const submit = (batch: string[]) => {
      for (const id of batch) dropTask(root, id, task(id, marker));
    };

    submit(batches[0]!);
    daemon = await startDaemon(root);
    const kills = 7;
    const delays: number[] = [];
    for (let kill = 0; kill < kills; kill++) {
      const delay = Math.round(200 + next() * 1500);
      delays.push(delay);
      await sleep(delay);
      await killDaemon(daemon);
      // Submissions also land while no daemon runs.
      if (kill === 2) submit(batches[1]!);
      if (kill === 4) submit(batches[2]!);
      daemon = await startDaemon(root);
    }
    const context = `seed ${seed}, kill delays ${delays.join(',')}ms`;
    await waitAllFinished(root, ids, 150_000);
    await stopDaemon(daemon);
    daemon = undefined;

    const markers = readMarker(marker);
    const ranAttempts = new Set<string>();
    for (const line of markers) {
      const key = `${line.id}#${line.attempt}`;
      expect(ranAttempts.has(key), `${key} started twice (${context})`).toBe(false);
      ranAttempts.add(key);
    }
    for (const id of ids) {
      expect(foldersOf(root, id), `${id} (${context})`).toEqual(['completed']);
      const task = readTask(root, 'completed', id);
      const attempts = task.attempts ?? [];
      const numbers = attempts.map((attempt) => attempt.number);
      // Attempts are numbered 1..n, each once; only the last succeeded.
      expect(numbers, `${id} (${context})`).toEqual([1]);
      expect(attempts.at(-1)?.outcome, `${id} (${context})`).toBe('success');
      expect(
        attempts.slice(0, -1).every((attempt) => attempt.outcome !== 'success'),
        `${id} (${context})`,
      ).toBe(true);
      expect(task.result?.outcome).toBe('success');
      // The agent ran at least once, never more often than attempts were recorded, and the
      // successful attempt is one that really ran.
      const ran = markers.filter((line) => line.id === id);
      expect(ran.length, `${id} marker lines (${context})`).toBeGreaterThanOrEqual(1);
      expect(ran.length, `${id} marker lines vs attempts (${context})`).toBeLessThanOrEqual(attempts.length);
      expect(ranAttempts.has(`${id}#${attempts.at(-1)!.number}`), `${id} (${context})`).toBe(true);
      for (const line of ran) expect(numbers, `${id} ran attempt ${line.attempt} (${context})`).toContain(line.attempt);
      // Every run the daemon recorded before spawning is an attempt in the task file.
      const runsDir = join(root, '.orchestrate/runs', id);
      const recordedRuns = readdirSync(runsDir)
        .filter((name) => existsSync(join(runsDir, name, 'run.json')))
        .map(Number);
      for (const run of recordedRuns) expect(numbers, `${id} run ${run} (${context})`).toContain(run);
    }
    expect(idsIn(root, 'pending')).toEqual([]);
    expect(idsIn(root, 'assigned')).toEqual([]);
    expect(idsIn(root, 'failed')).toEqual([]);
    expect(agentProcesses(root)).toEqual([]);
  });

  it('recovers each state a kill -9 can leave behind, without losing or re-running anything', async () => {
    workspace = faultWorkspace({ maxRetries: 2 });
    const { root, marker } = workspace;
    const dead = deadPid();
    const task = (id: string) => `description: crash point ${id}\n`;
    const path = (state: string, id: string) => join(root, 'tasks', state, `${id}.yaml`);
    const runRecord = (id: string, attempt: number) => {
      mkdirSync(join(root, '.orchestrate/runs', id, String(attempt)), { recursive: true });
      const record = {
        task_id: id,
        attempt,
        agent: 'marker',
        slot: 'marker#1',
        worker: `crashed:${dead}`,
        started_at: new Date(Date.now() - 5000).toISOString(),
        timeout_ms: 60_000,
      };
      writeFileSync(runFile(root, id, attempt, 'run.json'), `${JSON.stringify(record)}\n`);
    };
    const attemptYaml = (number: number, outcome: string, exit: number | null) =>
      `  - number: ${number}\n    agent: marker#1\n    worker: crashed:${dead}\n    started_at: ${new Date(Date.now() - 5000).toISOString()}\n    ended_at: ${new Date(Date.now() - 4000).toISOString()}\n    exit_code: ${exit}\n    outcome: ${outcome}\n`;

    // 1. Killed between the claim's link and unlink: one inode in pending/ and assigned/.
    writeFileSync(path('pending', 'mid-claim'), task('mid-claim'));
    linkSync(path('pending', 'mid-claim'), path('assigned', 'mid-claim'));
    // 2. Killed after the claim, before the run was recorded.
    writeFileSync(path('assigned', 'claimed-only'), task('claimed-only'));
    // 3. Killed after the run was recorded, before the agent was spawned: no attempt is used.
    writeFileSync(path('assigned', 'recorded-only'), task('recorded-only'));
    runRecord('recorded-only', 1);
    // 3b. The agent started (its wrapper opened the run's output) and died unwatched, leaving no status: lost.
    writeFileSync(path('assigned', 'died-unwatched'), task('died-unwatched'));
    runRecord('died-unwatched', 1);
    writeFileSync(runFile(root, 'died-unwatched', 1, 'stdout'), '');
    // 4. The agent finished (exit 0) while no daemon ran, and nothing was recorded yet.
    writeFileSync(path('assigned', 'exited'), task('exited'));
    runRecord('exited', 1);
    writeFileSync(runFile(root, 'exited', 1, 'exit'), '0\n');
    writeFileSync(runFile(root, 'exited', 1, 'stdout'), 'the answer of exited\n');
    // 5. Killed while moving a finished task to completed/: the new copy is linked, the old one not yet removed.
    writeFileSync(path('assigned', 'mid-finish'), task('mid-finish'));
    runRecord('mid-finish', 1);
    writeFileSync(runFile(root, 'mid-finish', 1, 'exit'), '0\n');
    const finished = `${task('mid-finish')}created_at: ${new Date(Date.now() - 6000).toISOString()}\nattempts:\n${attemptYaml(1, 'success', 0)}result:\n  outcome: success\n  duration_ms: 1000\n`;
    writeFileSync(path('completed', 'mid-finish'), finished);
    // 6. Killed while moving a failed attempt back to pending/ for a retry.
    writeFileSync(path('assigned', 'mid-retry'), task('mid-retry'));
    runRecord('mid-retry', 1);
    writeFileSync(runFile(root, 'mid-retry', 1, 'exit'), '1\n');
    writeFileSync(
      path('pending', 'mid-retry'),
      `${task('mid-retry')}created_at: ${new Date(Date.now() - 6000).toISOString()}\nattempts:\n${attemptYaml(1, 'failed', 1)}`,
    );
    // 7. Killed while writing the new copy: only a temp file of the completed/ version exists.
    writeFileSync(path('assigned', 'mid-write'), task('mid-write'));
    runRecord('mid-write', 1);
    writeFileSync(runFile(root, 'mid-write', 1, 'exit'), '0\n');
    writeFileSync(
      join(root, 'tasks/completed', `.mid-write.yaml.${dead}.1.tmp`),
      `${task('mid-write')}attempts:\n  - num`,
    );

    daemon = await startDaemon(root);
    const ids = [
      'mid-claim',
      'claimed-only',
      'recorded-only',
      'died-unwatched',
      'exited',
      'mid-finish',
      'mid-retry',
      'mid-write',
    ];
    await waitAllFinished(root, ids, 60_000);
    for (const id of ids) expect(foldersOf(root, id), id).toEqual(['completed']);
    const outcomes = (id: string) =>
      readTask(root, 'completed', id).attempts?.map((attempt) => [attempt.number, attempt.outcome]);
    expect(outcomes('mid-claim')).toEqual([[1, 'success']]);
    expect(outcomes('claimed-only')).toEqual([[1, 'success']]);
    expect(outcomes('recorded-only')).toEqual([[1, 'success']]);
    expect(outcomes('died-unwatched')).toEqual([
      [1, 'lost'],
      [2, 'success'],
    ]);
    expect(outcomes('exited')).toEqual([[1, 'success']]);
    expect(readFileSync(join(root, 'context/agent_outputs/exited.md'), 'utf8')).toBe('the answer of exited\n');
    expect(readFileSync(path('completed', 'mid-finish'), 'utf8')).toBe(finished);
    expect(outcomes('mid-retry')).toEqual([
      [1, 'failed'],
      [2, 'success'],
    ]);
    expect(outcomes('mid-write')).toEqual([[1, 'success']]);
    expect(readdirSync(join(root, 'tasks/completed')).filter((name) => name.startsWith('.'))).toEqual([]);
    // Which agents really ran: each task that needed a run got exactly one, the rest none.
    const ran = readMarker(marker)
      .map((line) => `${line.id}#${line.attempt}`)
      .sort();
    expect(ran).toEqual(['claimed-only#1', 'died-unwatched#2', 'mid-claim#1', 'mid-retry#2', 'recorded-only#1']);
  });

  // `orchestrate retry` moves failed/x -> pending/x with link + unlink. A slow (or crashed) mover
  // leaves one file in two folders for a while; the daemon must neither run it twice nor lose it.
  // The test makes the two halves of the move itself, with real link/unlink calls and a pause.
  it('never loses or runs a task while a move from failed/ to pending/ is half done', async () => {
    workspace = faultWorkspace({ withMarker: false, instances: 1 });
    const { root } = workspace;
    daemon = await startDaemon(root);
    dropTask(root, 'retried', 'description: fails, then is retried\nmax_retries: 0\ncommand: test -f ok\n');
    await waitFor('the task to fail', () => foldersOf(root, 'retried').join() === 'failed');
    writeFileSync(join(root, 'ok'), '');
    linkSync(join(root, 'tasks/failed/retried.yaml'), join(root, 'tasks/pending/retried.yaml'));
    await sleep(1500);
    expect(foldersOf(root, 'retried'), 'untouched while the move is under way').toEqual(['pending', 'failed']);
    unlinkSync(join(root, 'tasks/failed/retried.yaml'));
    await waitFor('the retried task to complete', () => foldersOf(root, 'retried').join() === 'completed', 30_000);
    expect(readTask(root, 'completed', 'retried').attempts).toHaveLength(2);
  });

  it('finishes a move from failed/ to pending/ that a crash left half done', async () => {
    workspace = faultWorkspace({ withMarker: false, instances: 1 });
    const { root } = workspace;
    daemon = await startDaemon(root);
    dropTask(root, 'stranded', 'description: fails, then is half retried\nmax_retries: 0\ncommand: test -f ok\n');
    await waitFor('the task to fail', () => foldersOf(root, 'stranded').join() === 'failed');
    writeFileSync(join(root, 'ok'), '');
    linkSync(join(root, 'tasks/failed/stranded.yaml'), join(root, 'tasks/pending/stranded.yaml'));
    await waitFor(
      'the stranded move to be finished and run',
      () => foldersOf(root, 'stranded').join() === 'completed',
      30_000,
    );
  });

  it('`orchestrate retry` racing the daemon never loses a task', async () => {
    workspace = faultWorkspace({ withMarker: false, instances: 4 });
    const { root } = workspace;
    daemon = await startDaemon(root);
    const ids = Array.from({ length: 40 }, (_, i) => `r${i}`);
    for (const id of ids) dropTask(root, id, `description: ${id}\nmax_retries: 0\ncommand: test -f ok\n`);
    await waitAllFinished(root, ids);
    writeFileSync(join(root, 'ok'), '');
    await Promise.all(ids.map((id) => retryTask(layoutOf(root), id)));
    await waitFor(
      'every retried task to complete',
      () => ids.every((id) => foldersOf(root, id).join() === 'completed'),
      60_000,
    );
  });
});
