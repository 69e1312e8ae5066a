// Invariant 8, the folders are the truth: moves made by hand, by scripts or by `git checkout` are
// honoured as transitions within one rescan period, even if the watcher missed them.
import { existsSync, mkdirSync, readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dropTask, idsIn, waitFor, type DaemonProcess, type Workspace } from '../helpers/workspace.js';
import {
  faultWorkspace,
  foldersOf,
  pidAlive,
  readMarker,
  readTask,
  runPid,
  startDaemon,
  stubbornPids,
  tearDown,
} from '../helpers/faults.js';

let workspace: (Workspace & { marker: string }) | undefined;
let daemon: DaemonProcess | undefined;

afterEach(async () => {
  await tearDown(daemon, workspace);
  daemon = workspace = undefined;
});

const alive = (daemon: DaemonProcess) => daemon.child.exitCode === null && daemon.child.signalCode === null;

async function stubbornTree(root: string, id: string, attempt = 1): Promise<number[]> {
  return [await runPid(root, id, attempt), ...(await stubbornPids(root, id, attempt))];
}

describe('the folders are the truth', () => {
  it('runs a task again when a person moves it from failed/ back to pending/', async () => {
    workspace = faultWorkspace({ withMarker: false });
    const { root, marker } = workspace;
    daemon = await startDaemon(root);
    dropTask(
      root,
      'fixable',
      'description: fails until ok exists\nagent: shell\nmax_retries: 0\ncommand: echo "$ORCHESTRATE_ATTEMPT" >> marker.log; test -f ok\n',
    );
    await waitFor('the first attempt to fail', () => foldersOf(root, 'fixable').join() === 'failed');
    expect(readTask(root, 'failed', 'fixable').attempts).toMatchObject([
      { number: 1, outcome: 'failed', exit_code: 1 },
    ]);

    writeFileSync(join(root, 'ok'), '');
    renameSync(join(root, 'tasks/failed/fixable.yaml'), join(root, 'tasks/pending/fixable.yaml'));
    await waitFor('the retry to complete', () => foldersOf(root, 'fixable').join() === 'completed', 30_000);
    const task = readTask(root, 'completed', 'fixable');
    expect(task.attempts?.map((attempt) => [attempt.number, attempt.outcome])).toEqual([
      [1, 'failed'],
      [2, 'success'],
    ]);
    expect(task.result?.outcome).toBe('success');
    expect(readMarker(marker).map((line) => line.id)).toEqual(['1', '2']);
  });

  it('stops the agent tree when a person deletes its task file from assigned/, and never restarts it', async () => {
    workspace = faultWorkspace({ withMarker: false });
    const { root } = workspace;
    daemon = await startDaemon(root);
    dropTask(root, 'deleted', 'description: deleted while running\nagent: stubborn\n');
    const tree = await stubbornTree(root, 'deleted');

    unlinkSync(join(root, 'tasks/assigned/deleted.yaml'));
    await waitFor('the agent tree to be stopped', () => tree.every((pid) => !pidAlive(pid)), 30_000);
    // A few rescans later: it was not started again and is in no folder.
    dropTask(root, 'canary', 'description: proves later rescans ran\nagent: shell\ncommand: sleep 1\n');
    await waitFor('a later task to complete', () => foldersOf(root, 'canary').join() === 'completed', 30_000);
    expect(foldersOf(root, 'deleted')).toEqual([]);
    expect(readdirSync(join(root, '.orchestrate/runs/deleted'))).toEqual(['1']);
    expect(alive(daemon)).toBe(true);
  });

  it('honours hand moves of a running task: assigned/ -> failed/ cancels it, assigned/ -> pending/ requeues it', async () => {
    workspace = faultWorkspace({ withMarker: false });
    const { root } = workspace;
    daemon = await startDaemon(root);
    dropTask(root, 'to-failed', 'description: moved to failed by hand\nagent: stubborn\n');
    dropTask(root, 'to-pending', 'description: moved back to pending by hand\nagent: stubborn\n');
    const failedTree = await stubbornTree(root, 'to-failed');
    const pendingTree = await stubbornTree(root, 'to-pending');

    renameSync(join(root, 'tasks/assigned/to-failed.yaml'), join(root, 'tasks/failed/to-failed.yaml'));
    renameSync(join(root, 'tasks/assigned/to-pending.yaml'), join(root, 'tasks/pending/to-pending.yaml'));
    await waitFor(
      'both agent trees to be stopped',
      () => [...failedTree, ...pendingTree].every((pid) => !pidAlive(pid)),
      30_000,
    );
    await waitFor(
      'the cancel to be recorded in failed/',
      () => (readTask(root, 'failed', 'to-failed').attempts?.length ?? 0) === 1,
      30_000,
    );
    expect(readTask(root, 'failed', 'to-failed').attempts).toMatchObject([{ number: 1, outcome: 'cancelled' }]);
    expect(foldersOf(root, 'to-failed')).toEqual(['failed']);

    // The requeued one starts again as attempt 2, with attempt 1 recorded as cancelled.
    const second = await stubbornTree(root, 'to-pending', 2);
    expect(foldersOf(root, 'to-pending')).toEqual(['assigned']);
    expect(readTask(root, 'assigned', 'to-pending').attempts).toMatchObject([{ number: 1, outcome: 'cancelled' }]);
    expect(second.every((pid) => pidAlive(pid))).toBe(true);
  });

  it('does not run a pending task that a person moved away before it could start', async () => {
    workspace = faultWorkspace({ withMarker: false });
    const { root, marker } = workspace;
    daemon = await startDaemon(root);
    dropTask(root, 'blocker', 'description: runs for a while\nagent: shell\ncommand: sleep 1.5\n');
    dropTask(
      root,
      'withdrawn',
      'description: waits for the blocker\nagent: shell\ndepends_on: [blocker]\ncommand: echo withdrawn >> marker.log\n',
    );
    await waitFor('the blocker to run', () => foldersOf(root, 'blocker').join() === 'assigned');
    renameSync(join(root, 'tasks/pending/withdrawn.yaml'), join(root, 'withdrawn.yaml'));
    await waitFor('the blocker to complete', () => foldersOf(root, 'blocker').join() === 'completed', 30_000);
    dropTask(root, 'canary', 'description: proves later passes ran\nagent: shell\ncommand: "true"\n');
    await waitFor('a later task to complete', () => foldersOf(root, 'canary').join() === 'completed', 30_000);
    expect(foldersOf(root, 'withdrawn')).toEqual([]);
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(root, '.orchestrate/runs/withdrawn'))).toBe(false);
  });

  it('picks up tasks the watcher cannot see (tasks/pending replaced by another folder) on a rescan', async () => {
    workspace = faultWorkspace({ withMarker: false });
    const { root } = workspace;
    daemon = await startDaemon(root);
    dropTask(root, 'before', 'description: seen by the watcher\nagent: shell\ncommand: "true"\n');
    await waitFor('the first task to complete', () => foldersOf(root, 'before').join() === 'completed');

    // As a checkout or sync tool does: a new folder takes the old one's place. The daemon's watcher
    // still watches the old folder, so only the periodic rescan can find what is in the new one.
    const fresh = join(root, 'tasks/.pending-new');
    mkdirSync(fresh);
    writeFileSync(
      join(fresh, 'checked-out.yaml'),
      'description: arrived with a checkout\nagent: shell\ncommand: "true"\n',
    );
    renameSync(join(root, 'tasks/pending'), join(root, 'tasks/.pending-old'));
    renameSync(fresh, join(root, 'tasks/pending'));
    await waitFor(
      'the checked-out task to complete',
      () => foldersOf(root, 'checked-out').join() === 'completed',
      30_000,
    );

    dropTask(root, 'after', 'description: dropped into the unwatched folder\nagent: shell\ncommand: "true"\n');
    await waitFor(
      'a task dropped into the new folder to complete',
      () => foldersOf(root, 'after').join() === 'completed',
      30_000,
    );
    expect(idsIn(root, 'failed')).toEqual([]);
    expect(alive(daemon)).toBe(true);
  });
});
