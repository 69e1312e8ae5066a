// Before signalling a recorded pid, check that it is still the same process (pid plus start time),
// whichever process table answers (`npm run test:posix` runs this file with the posix one). A pid
// recycled by an unrelated process (a `sleep` started here) and named by a run's pid file (the
// wrapper a launcher started, or a runner shell with its start time) or by a lockfile's owner is
// never taken for the run's: not adopted, not timed out, not signalled. A live owner whose start
// time the other table recorded still binds.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dropTask, waitFor, type DaemonProcess, type Workspace } from '../helpers/workspace.js';
import {
  cliAsync,
  faultWorkspace,
  foldersOf,
  killDaemon,
  pidAlive,
  readMarker,
  readTask,
  runFile,
  runPid,
  startDaemon,
  tearDown,
} from '../helpers/faults.js';

let workspace: (Workspace & { marker: string }) | undefined;
let daemon: DaemonProcess | undefined;
const standIns: ChildProcess[] = [];

afterEach(async () => {
  for (const child of standIns.splice(0)) child.kill('SIGKILL');
  await tearDown(daemon, workspace);
  daemon = workspace = undefined;
});

// A live process unrelated to the workspace, in its own process group (as a run's first process is).
function standIn(env: Record<string, string> = {}): number {
  const child = spawn('sleep', ['60'], { detached: true, stdio: 'ignore', env: { ...process.env, ...env } });
  standIns.push(child);
  return child.pid!;
}

// The start a process that had this pid long ago would have left, in either table's form.
const LONG_AGO = ['@1000000000', '1'];

// Kills a daemon and then its run's whole tree, leaving the run's files as they were.
async function killDaemonAndRun(root: string, id: string): Promise<void> {
  const pgid = await runPid(root, id);
  await killDaemon(daemon!);
  daemon = undefined;
  process.kill(-pgid, 'SIGKILL');
  await waitFor('the run to be gone', () => !pidAlive(pgid));
}

// Restarts the daemon on run `victim`, whose pid file names `other`, with its timeout due at once (a
// daemon that took `other` for the run's process would signal it): the attempt is recorded as lost
// and `other` lives on.
async function expectLostNotSignalled(root: string, other: number): Promise<void> {
  const record = runFile(root, 'victim', 1, 'run.json');
  writeFileSync(record, JSON.stringify({ ...JSON.parse(readFileSync(record, 'utf8')), timeout_ms: 100 }));
  daemon = await startDaemon(root);
  await waitFor('victim to be recorded', () => foldersOf(root, 'victim').join() === 'failed', 30_000);
  expect(readTask(root, 'failed', 'victim').attempts).toMatchObject([{ number: 1, outcome: 'lost' }]);
  expect(pidAlive(other)).toBe(true);
  expect(daemon.output()).not.toContain('re-adopted victim');
}

// A lockfile of `task` on `locks` whose owner is `pid` started at `start`, its run gone.
function plantLock(root: string, task: string, pid: number, start: string): void {
  const owner = { host: hostname(), pid, start };
  const held = { task, attempt: 1, locks: ['db'], owner, taken_at: new Date().toISOString() };
  writeFileSync(join(root, '.orchestrate/locks', `${task}.held`), `${JSON.stringify(held)}\n`);
}

// The start time of a live process as each table records it: clock ticks since boot (linux) and
// seconds since the epoch (posix), both read from /proc here.
function startRecords(pid: number): { ticks: string; seconds: string } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const ticks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
  const boot = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))![1]);
  return { ticks, seconds: `@${boot + Math.floor(Number(ticks) / 100)}` };
}

describe('recycled pids', () => {
  it("does not take a launcher's recorded wrapper pid, now another process's, for the run: lost, not signalled", async () => {
    workspace = faultWorkspace({ markerSleep: '60', maxRetries: 0 });
    const { root, marker } = workspace;
    daemon = await startDaemon(root);
    dropTask(root, 'victim', 'description: its pid is recycled\nagent: marker\n');
    await waitFor('the agent to start', () => readMarker(marker).length === 1);
    await killDaemonAndRun(root, 'victim');
    const other = standIn();
    writeFileSync(runFile(root, 'victim', 1, 'pid'), `${other}\n`);
    await expectLostNotSignalled(root, other);
  });

  it.each(LONG_AGO)(
    'does not take a runner shell of the workspace whose start is not the recorded one (%s) for the run',
    async (recorded) => {
      workspace = faultWorkspace({ withMarker: false, maxRetries: 0 });
      const { root, layout } = workspace;
      daemon = await startDaemon(root);
      dropTask(root, 'victim', 'description: its runner pid is recycled\ncommand: echo on > started; sleep 60\n');
      await waitFor('the task to start', () => existsSync(join(root, 'started')));
      await killDaemonAndRun(root, 'victim');
      // A process marked as a runner shell of this workspace now has the pid, but not the start recorded.
      const other = standIn({ ORCHESTRATE_RUNNER: layout.runsDir });
      writeFileSync(runFile(root, 'victim', 1, 'pid'), `${other}\n`);
      writeFileSync(runFile(root, 'victim', 1, 'pid.start'), `${recorded}\n`);
      await expectLostNotSignalled(root, other);
    },
  );

  it('releases a lock whose owner pid now names another process, and leaves that process alone', async () => {
    workspace = faultWorkspace({ withMarker: false });
    const { root } = workspace;
    const other = standIn();
    for (const [n, start] of LONG_AGO.entries()) plantLock(root, `gone-${n}`, other, start);
    dropTask(root, 'next', 'description: next\nlocks: [db]\ncommand: "true"\n');

    daemon = await startDaemon(root);
    await waitFor('next to complete', () => foldersOf(root, 'next').join() === 'completed', 30_000);
    expect(daemon.output()).toContain('released the locks of gone-0: its run is gone');
    expect(daemon.output()).toContain('released the locks of gone-1: its run is gone');
    expect(pidAlive(other)).toBe(true);
  });

  it("keeps a live owner's lock whichever table recorded its start, until the owner ends", async () => {
    workspace = faultWorkspace({ withMarker: false });
    const { root } = workspace;
    const owner = standIn();
    const records = startRecords(owner);
    plantLock(root, 'by-linux', owner, records.ticks);
    plantLock(root, 'by-posix', owner, records.seconds);
    dropTask(root, 'mine', 'description: mine\nlocks: [db]\ncommand: "true"\n');

    daemon = await startDaemon(root);
    await waitFor('mine to wait for the lock', async () => {
      const report = JSON.parse((await cliAsync(root, ['status', '--json'])).stdout) as {
        waiting: { rows: { id: string; reason: { kind: string } }[] };
      };
      return report.waiting.rows.some((row) => row.id === 'mine' && row.reason.kind === 'lock');
    });
    expect(daemon.output()).not.toContain('released the locks of');
    expect(foldersOf(root, 'mine')).toEqual(['pending']);

    process.kill(owner, 'SIGKILL');
    await waitFor('mine to complete', () => foldersOf(root, 'mine').join() === 'completed', 30_000);
    expect(daemon.output()).toContain('released the locks of by-linux: its run is gone');
    expect(daemon.output()).toContain('released the locks of by-posix: its run is gone');
  });
});
