// Invariant 1, one place: each task id is in exactly one state folder whenever no transition is in
// flight; `status` and `tasks` never show an id twice; a re-used id never overwrites a task.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dropTask, idsIn, waitFor, type DaemonProcess, type Workspace } from '../helpers/workspace.js';
import {
  cliAsync,
  destroyWorkspace,
  faultWorkspace,
  foldersOf,
  readMarker,
  readTask,
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

function duplicates(ids: string[]): string[] {
  const seen = new Set<string>();
  return ids.filter((id) => {
    if (seen.has(id)) return true;
    seen.add(id);
    return false;
  });
}

describe('one place, during a busy run', () => {
  // One busy run of 300 quick tasks, snapshotted all along through the real CLI.
  const ids = Array.from({ length: 300 }, (_, n) => `busy-${String(n).padStart(3, '0')}`);
  const tasksProblems: string[] = [];
  const statusProblems: string[] = [];
  const snapshots = { tasks: 0, status: 0 };
  let busy: Workspace | undefined;
  let busyDaemon: DaemonProcess | undefined;

  beforeAll(async () => {
    busy = faultWorkspace({ withMarker: false });
    const { root } = busy;
    for (const id of ids.slice(0, 150)) dropTask(root, id, `description: busy task ${id}\ncommand: sleep 0.1\n`);
    busyDaemon = await startDaemon(root);
    for (const id of ids.slice(150)) dropTask(root, id, `description: busy task ${id}\ncommand: sleep 0.1\n`);

    let done = false;
    const snapshotLoop = async (command: 'tasks' | 'status') => {
      while (!done) {
        const result = await cliAsync(root, [command, '--json']);
        const problems = command === 'tasks' ? tasksProblems : statusProblems;
        if (result.code !== 0) {
          problems.push(`${command} --json exited ${result.code}: ${result.stderr}`);
          continue;
        }
        snapshots[command]++;
        if (command === 'tasks') {
          const listed = (JSON.parse(result.stdout) as { id: string; state: string }[]).map((task) => task.id);
          const twice = duplicates(listed);
          if (twice.length > 0) problems.push(`tasks --json listed ${twice.join(', ')} twice`);
        } else {
          const report = JSON.parse(result.stdout) as { counts: Record<string, number>; running: { id: string }[] };
          const twice = duplicates(report.running.map((row) => row.id));
          if (twice.length > 0) problems.push(`status --json listed running ${twice.join(', ')} twice`);
          const total = Object.values(report.counts).reduce((sum, n) => sum + n, 0);
          if (total > ids.length)
            problems.push(
              `status --json counted ${total} tasks for ${ids.length} ids (${JSON.stringify(report.counts)})`,
            );
        }
      }
    };
    const loops = [snapshotLoop('tasks'), snapshotLoop('status'), snapshotLoop('status'), snapshotLoop('status')];
    try {
      await waitAllFinished(root, ids);
    } finally {
      done = true;
      await Promise.all(loops);
    }
  }, 180_000);

  afterAll(async () => {
    if (busyDaemon) await stopDaemon(busyDaemon);
    if (busy) await destroyWorkspace(busy);
  });

  it('ends with each id in exactly one folder', async () => {
    const { root } = busy!;
    for (const id of ids) expect(foldersOf(root, id), id).toEqual(['completed']);
    expect(idsIn(root, 'completed')).toEqual(ids);
    const listed = JSON.parse((await cliAsync(root, ['tasks', '--json'])).stdout) as { id: string; state: string }[];
    expect(listed.map((task) => task.id).sort()).toEqual(ids);
  });

  it('`status --json` never shows an id twice while tasks move', () => {
    expect(snapshots.status).toBeGreaterThan(3);
    expect(statusProblems.slice(0, 10)).toEqual([]);
  });

  it('`tasks --json` never lists an id twice while tasks move', () => {
    expect(snapshots.tasks).toBeGreaterThan(3);
    expect(tasksProblems.slice(0, 10)).toEqual([]);
  });
});

describe('one place', () => {
  it('does not run or overwrite a task whose id is already in completed/', async () => {
    workspace = faultWorkspace();
    const { root, marker } = workspace;
    daemon = await startDaemon(root);
    dropTask(root, 'reused', 'description: the first task with this id\n');
    await waitFor('the first task to complete', () => foldersOf(root, 'reused').join() === 'completed');
    const completedPath = join(root, 'tasks/completed/reused.yaml');
    const before = readFileSync(completedPath);

    const second =
      '# a different task that re-uses the id\ndescription: the second task with this id\npriority: high\n';
    dropTask(root, 'reused', second);
    await waitFor('the re-used id to be set aside', () => idsIn(root, 'failed').includes('reused.duplicate-1'));
    // Prove the daemon is still working and has passed over the duplicate: a later task completes.
    dropTask(root, 'after', 'description: a task submitted after the duplicate\n');
    await waitFor('the later task to complete', () => foldersOf(root, 'after').join() === 'completed');

    // `orchestrate add` refuses the id outright.
    const added = await cliAsync(root, ['add', '--id', 'reused', 'a third task with this id']);
    expect(added.code).not.toBe(0);
    expect(added.stderr).toContain('already used');

    expect(readFileSync(completedPath)).toEqual(before);
    expect(foldersOf(root, 'reused')).toEqual(['completed']);
    expect(readFileSync(join(root, 'tasks/failed/reused.duplicate-1.yaml'), 'utf8')).toBe(second);
    expect(readFileSync(join(root, 'tasks/failed/reused.duplicate-1.error'), 'utf8')).toContain(
      'already used by tasks/completed/reused.yaml',
    );
    expect(readMarker(marker).filter((line) => line.id === 'reused')).toHaveLength(1);
    expect(readTask(root, 'completed', 'reused').attempts).toHaveLength(1);
  });

  it('does not run or overwrite a task whose id is running, whether that run succeeds or is retried', async () => {
    workspace = faultWorkspace();
    const { root, marker } = workspace;
    daemon = await startDaemon(root);
    // ok succeeds; flaky fails on its first attempt and is retried (max_retries 1).
    dropTask(
      root,
      'ok',
      'description: succeeds\nagent: shell\ncommand: echo "ok $ORCHESTRATE_ATTEMPT" >> marker.log; sleep 1.5\n',
    );
    dropTask(
      root,
      'flaky',
      'description: fails once\nagent: shell\nmax_retries: 1\ncommand: echo "flaky $ORCHESTRATE_ATTEMPT" >> marker.log; sleep 1.5; test "$ORCHESTRATE_ATTEMPT" != 1\n',
    );
    await waitFor('both to be running', () => readMarker(marker).length === 2);
    const okCopy = 'description: another task named ok\nagent: shell\ncommand: echo "ok-copy" >> marker.log\n';
    const flakyCopy = 'description: another task named flaky\nagent: shell\ncommand: echo "flaky-copy" >> marker.log\n';
    dropTask(root, 'ok', okCopy);
    dropTask(root, 'flaky', flakyCopy);

    await waitFor('ok to complete', () => foldersOf(root, 'ok').join() === 'completed', 30_000);
    await waitFor('flaky to complete on its retry', () => foldersOf(root, 'flaky').join() === 'completed', 30_000);
    await waitFor(
      'both copies to be set aside',
      () => idsIn(root, 'failed').filter((id) => id.includes('.duplicate-')).length === 2,
      30_000,
    );

    const lines = readFileSync(marker, 'utf8').trim().split('\n').sort();
    expect(lines).toEqual(['flaky 1', 'flaky 2', 'ok 1']);
    expect(readTask(root, 'completed', 'ok').attempts?.map((a) => a.outcome)).toEqual(['success']);
    expect(readTask(root, 'completed', 'flaky').attempts?.map((a) => [a.number, a.outcome])).toEqual([
      [1, 'failed'],
      [2, 'success'],
    ]);
    expect(readFileSync(join(root, 'tasks/failed/ok.duplicate-1.yaml'), 'utf8')).toBe(okCopy);
    expect(readFileSync(join(root, 'tasks/failed/flaky.duplicate-1.yaml'), 'utf8')).toBe(flakyCopy);
    for (const id of ['ok', 'flaky']) expect(foldersOf(root, id)).toEqual(['completed']);
  });
});
