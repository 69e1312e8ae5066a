// Invariant 4, agents outlive the daemon: a crash or restart does not kill running agents; their
// output and real exit status are collected by the next daemon. An agent that died unwatched,
// leaving no exit status, is recorded as `lost` and retried per policy.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, dropTask, idsIn, waitFor, type DaemonProcess, type Workspace } from '../helpers/workspace.js';
import {
  faultWorkspace,
  foldersOf,
  killDaemon,
  pidAlive,
  readTask,
  runFile,
  runPid,
  startDaemon,
  tearDown,
  workspaceProcesses,
} from '../helpers/faults.js';

let workspace: (Workspace & { marker: string }) | undefined;
let daemon: DaemonProcess | undefined;

afterEach(async () => {
  await tearDown(daemon, workspace);
  daemon = workspace = undefined;
});

function lines(path: string): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [];
}

describe('agents outlive the daemon', () => {
  it('keeps an agent running through kill -9 of the daemon; the next daemon adopts it and records its real exit code', async () => {
    workspace = faultWorkspace({ withMarker: false });
    const { root, marker } = workspace;
    daemon = await startDaemon(root);
    dropTask(
      root,
      'survivor',
      'description: outlives its daemon\nagent: shell\nmax_retries: 0\ncommand: echo "$ORCHESTRATE_ATTEMPT" >> marker.log; sleep 3; echo hello-from-survivor; exit 7\n',
    );
    const pid = await runPid(root, 'survivor');
    await waitFor('the agent to start', () => lines(marker).length === 1);

    await killDaemon(daemon);
    expect(pidAlive(pid)).toBe(true);
    expect(existsSync(runFile(root, 'survivor', 1, 'exit'))).toBe(false);
    expect(foldersOf(root, 'survivor')).toEqual(['assigned']);

    daemon = await startDaemon(root);
    await waitFor('the adopted run to be recorded', () => foldersOf(root, 'survivor').join() === 'failed', 30_000);
    expect(daemon.output()).toContain('re-adopted survivor');
    const task = readTask(root, 'failed', 'survivor');
    expect(task.attempts).toHaveLength(1);
    expect(task.attempts![0]).toMatchObject({ number: 1, outcome: 'failed', exit_code: 7 });
    expect(task.result?.outcome).toBe('failed');
    expect(readFileSync(join(root, 'context/agent_outputs/survivor.md'), 'utf8')).toContain('hello-from-survivor');
    expect(lines(marker)).toEqual(['1']);
    expect(pidAlive(pid)).toBe(false);
  });

  it('keeps the exit status of an agent that ended unwatched from a cancel without a daemon, for the next daemon', async () => {
    workspace = faultWorkspace({ withMarker: false });
    const { root } = workspace;
    daemon = await startDaemon(root);
    dropTask(
      root,
      'ended',
      'description: ends while no daemon runs\nagent: shell\nmax_retries: 0\ncommand: sleep 0.5; exit 7\n',
    );
    await runPid(root, 'ended');
    await killDaemon(daemon);
    daemon = undefined;
    await waitFor('the agent to end', () => existsSync(runFile(root, 'ended', 1, 'exit')));
    const cancelled = cli(root, ['cancel', 'ended']);
    expect(cancelled.code).toBe(1);
    expect(cancelled.stderr).toBe(
      'orchestrate: ended has already ended (its agent exited with 7 while no daemon ran); orchestrate start records how\n',
    );
    expect(foldersOf(root, 'ended')).toEqual(['assigned']);
    // status and stop --kill-agents tell it apart from an agent that still runs.
    expect(cli(root, ['status']).stdout).toContain('ended (exit 7) while no daemon ran; recorded when one starts');
    expect(cli(root, ['stop', '--kill-agents']).stdout).toBe(
      'no daemon is running; no agents were running; 1 task in assigned/ no longer ran (`orchestrate start` records it: see `orchestrate status`)\n',
    );
    daemon = await startDaemon(root);
    await waitFor('the run to be recorded', () => foldersOf(root, 'ended').join() === 'failed', 30_000);
    expect(readTask(root, 'failed', 'ended').attempts).toMatchObject([{ outcome: 'failed', exit_code: 7 }]);
  });

  it('collects the exit status of agents that ended while no daemon ran', async () => {
    workspace = faultWorkspace({ withMarker: false });
    const { root, marker } = workspace;
    daemon = await startDaemon(root);
    dropTask(
      root,
      'alone-ok',
      'description: ends while no daemon watches\nagent: shell\ncommand: echo "alone-ok $ORCHESTRATE_ATTEMPT" >> marker.log; sleep 1; echo finished-alone\n',
    );
    dropTask(
      root,
      'alone-bad',
      'description: fails while no daemon watches\nagent: shell\nmax_retries: 0\ncommand: echo "alone-bad $ORCHESTRATE_ATTEMPT" >> marker.log; sleep 1; echo broke-alone >&2; exit 5\n',
    );
    const pids = [await runPid(root, 'alone-ok'), await runPid(root, 'alone-bad')];
    await waitFor('both agents to start', () => lines(marker).length === 2);
    await killDaemon(daemon);
    daemon = undefined;

    await waitFor(
      'both agents to end unwatched',
      () =>
        pids.every((pid) => !pidAlive(pid)) &&
        ['alone-ok', 'alone-bad'].every((id) => existsSync(runFile(root, id, 1, 'exit'))),
      30_000,
    );
    expect(idsIn(root, 'assigned')).toEqual(['alone-bad', 'alone-ok']);

    daemon = await startDaemon(root);
    await waitFor(
      'both to be recorded',
      () => foldersOf(root, 'alone-ok').join() === 'completed' && foldersOf(root, 'alone-bad').join() === 'failed',
      30_000,
    );
    expect(readTask(root, 'completed', 'alone-ok').attempts).toMatchObject([
      { number: 1, outcome: 'success', exit_code: 0 },
    ]);
    expect(readFileSync(join(root, 'context/agent_outputs/alone-ok.md'), 'utf8')).toContain('finished-alone');
    const bad = readTask(root, 'failed', 'alone-bad');
    expect(bad.attempts).toMatchObject([{ number: 1, outcome: 'failed', exit_code: 5 }]);
    expect(bad.attempts![0]!.error).toContain('broke-alone');
    expect(lines(marker).sort()).toEqual(['alone-bad 1', 'alone-ok 1']);
  });

  it('records an agent that vanished with its daemon, leaving no exit status, as lost and retries it', async () => {
    workspace = faultWorkspace({ withMarker: false });
    const { root, marker } = workspace;
    daemon = await startDaemon(root);
    dropTask(
      root,
      'vanished',
      'description: killed with its daemon\nagent: shell\nmax_retries: 1\ncommand: echo "$ORCHESTRATE_ATTEMPT" >> marker.log; if [ "$ORCHESTRATE_ATTEMPT" = 1 ]; then sleep 60; fi; echo second-try\n',
    );
    const pgid = await runPid(root, 'vanished');
    await waitFor('the agent to start', () => lines(marker).length === 1);

    await killDaemon(daemon);
    daemon = undefined;
    process.kill(-pgid, 'SIGKILL');
    await waitFor('the agent group to be gone', () => !pidAlive(pgid) && workspaceProcesses(root).length === 0);
    expect(existsSync(runFile(root, 'vanished', 1, 'exit'))).toBe(false);

    daemon = await startDaemon(root);
    await waitFor('the retry to complete', () => foldersOf(root, 'vanished').join() === 'completed', 30_000);
    const task = readTask(root, 'completed', 'vanished');
    expect(task.attempts?.map((attempt) => [attempt.number, attempt.outcome, attempt.exit_code])).toEqual([
      [1, 'lost', null],
      [2, 'success', 0],
    ]);
    expect(lines(marker)).toEqual(['1', '2']);
  });

  it('leaves agents running through `orchestrate stop`; a daemon started later collects them', async () => {
    workspace = faultWorkspace({ withMarker: false });
    const { root, marker } = workspace;
    expect(cli(root, ['start']).code).toBe(0);
    // The agent runs until the test releases it, however long `stop` and `start` take.
    dropTask(
      root,
      'through-stop',
      'description: outlives a graceful stop\nagent: shell\ncommand: echo "$ORCHESTRATE_ATTEMPT" >> marker.log; while [ ! -f release ]; do sleep 0.1; done; echo after-stop\n',
    );
    const pid = await runPid(root, 'through-stop');
    await waitFor('the agent to start', () => lines(marker).length === 1);
    const stopped = cli(root, ['stop']);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(pidAlive(pid)).toBe(true);
    expect(foldersOf(root, 'through-stop')).toEqual(['assigned']);

    expect(cli(root, ['start']).code).toBe(0);
    writeFileSync(join(root, 'release'), '');
    await waitFor('the task to complete', () => foldersOf(root, 'through-stop').join() === 'completed', 30_000);
    expect(readTask(root, 'completed', 'through-stop').attempts).toMatchObject([
      { number: 1, outcome: 'success', exit_code: 0 },
    ]);
    expect(lines(marker)).toEqual(['1']);
    expect(cli(root, ['stop']).code).toBe(0);
  });
});
