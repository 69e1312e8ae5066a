// Invariant 7, no orphans: cancel, timeout and stop leave no process of the agent's tree alive
// (SIGINT, grace period, SIGTERM, then SIGKILL to the whole process group and every process that
// carries the run's marker), even for an agent that ignores signals and escapes with setsid.
import { existsSync, readFileSync, watch } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { sendControl } from '../../src/control/control-socket.js';
import { layoutOf } from '../../src/index.js';
import { cli, dropTask, idsIn, waitFor, type DaemonProcess, type Workspace } from '../helpers/workspace.js';
import {
  agentProcesses,
  cliAsync,
  faultWorkspace,
  STUBBORN_AGENT,
  foldersOf,
  killDaemon,
  pidAlive,
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

// Every process of a stubborn run: the wrapper or runner (its process group) and the 5 pids it recorded.
async function stubbornTree(root: string, id: string): Promise<number[]> {
  const tree = [await runPid(root, id), ...(await stubbornPids(root, id))];
  for (const pid of tree) expect(pidAlive(pid), `pid ${pid} of ${id} before the stop`).toBe(true);
  return tree;
}

function survivors(tree: number[]): number[] {
  return tree.filter((pid) => pidAlive(pid));
}

describe('no orphans', () => {
  // The stubborn agent as an argv agent (under a wrapper) and as a `shell` task's command (on a runner shell).
  const ways = [
    { how: 'argv agent', agent: 'agent: stubborn\n' },
    { how: 'shell task', agent: `agent: shell\ncommand: ${STUBBORN_AGENT}\n` },
  ];

  it.each(ways)(
    '`orchestrate cancel` stops a stubborn agent and all its descendants, setsid ones included ($how)',
    async ({ agent }) => {
      workspace = faultWorkspace({ withMarker: false });
      const { root } = workspace;
      daemon = await startDaemon(root);
      dropTask(root, 'stubborn-cancel', `description: ignores signals\n${agent}`);
      const tree = await stubbornTree(root, 'stubborn-cancel');

      const cancelled = await cliAsync(root, ['cancel', 'stubborn-cancel']);
      expect(cancelled.code, cancelled.stderr).toBe(0);
      expect(survivors(tree)).toEqual([]);
      await waitFor('the cancel to be recorded', () => foldersOf(root, 'stubborn-cancel').join() === 'failed');
      expect(readTask(root, 'failed', 'stubborn-cancel').attempts).toMatchObject([{ number: 1, outcome: 'cancelled' }]);
      expect(agentProcesses(root)).toEqual([]);
    },
  );

  it.each(ways)('a timeout stops a stubborn agent and all its descendants ($how)', async ({ agent }) => {
    workspace = faultWorkspace({ withMarker: false });
    const { root } = workspace;
    daemon = await startDaemon(root);
    dropTask(root, 'stubborn-timeout', `description: runs past its timeout\n${agent}timeout: 1s\nmax_retries: 0\n`);
    const tree = await stubbornTree(root, 'stubborn-timeout');

    await waitFor('the timeout to be recorded', () => foldersOf(root, 'stubborn-timeout').join() === 'failed', 30_000);
    expect(readTask(root, 'failed', 'stubborn-timeout').attempts).toMatchObject([{ number: 1, outcome: 'timeout' }]);
    expect(survivors(tree)).toEqual([]);
    expect(agentProcesses(root)).toEqual([]);
  });

  it('`orchestrate stop --kill-agents` stops every agent tree and puts their tasks back in pending/', async () => {
    workspace = faultWorkspace({ withMarker: false });
    const { root } = workspace;
    daemon = await startDaemon(root);
    dropTask(root, 'stubborn-a', 'description: ignores signals (a)\nagent: stubborn\n');
    dropTask(root, 'stubborn-b', 'description: ignores signals (b)\nagent: stubborn\n');
    const tree = [...(await stubbornTree(root, 'stubborn-a')), ...(await stubbornTree(root, 'stubborn-b'))];

    // Not spawnSync: the daemon is this process's child, and `stop` waits until it is reaped.
    const stopped = await cliAsync(root, ['stop', '--kill-agents']);
    expect(stopped.code, stopped.stderr).toBe(0);
    await daemon.exited;
    expect(survivors(tree)).toEqual([]);
    expect(agentProcesses(root)).toEqual([]);
    expect(idsIn(root, 'pending')).toEqual(['stubborn-a', 'stubborn-b']);
    for (const id of ['stubborn-a', 'stubborn-b'])
      expect(readTask(root, 'pending', id).attempts, id).toMatchObject([{ number: 1, outcome: 'cancelled' }]);
  });

  it.each(ways)('`orchestrate cancel` with no daemon running stops the agent tree itself ($how)', async ({ agent }) => {
    workspace = faultWorkspace({ withMarker: false });
    const { root } = workspace;
    daemon = await startDaemon(root);
    dropTask(root, 'stubborn-orphaned', `description: its daemon dies\n${agent}`);
    const tree = await stubbornTree(root, 'stubborn-orphaned');
    await killDaemon(daemon);
    daemon = undefined;
    expect(survivors(tree)).toEqual(tree);

    const cancelled = cli(root, ['cancel', 'stubborn-orphaned']);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(survivors(tree)).toEqual([]);
    expect(foldersOf(root, 'stubborn-orphaned')).toEqual(['failed']);
    expect(readTask(root, 'failed', 'stubborn-orphaned').attempts).toMatchObject([{ number: 1, outcome: 'cancelled' }]);
    expect(agentProcesses(root)).toEqual([]);
  });

  it.each(ways)(
    '`orchestrate stop --kill-agents` with no daemon running stops the agent trees itself, back to pending ($how)',
    async ({ agent }) => {
      workspace = faultWorkspace({ withMarker: false });
      const { root } = workspace;
      daemon = await startDaemon(root);
      dropTask(root, 'left-a', `description: its daemon dies (a)\n${agent}`);
      dropTask(root, 'left-b', `description: its daemon dies (b)\n${agent}`);
      const tree = [...(await stubbornTree(root, 'left-a')), ...(await stubbornTree(root, 'left-b'))];
      await killDaemon(daemon);
      daemon = undefined;
      expect(survivors(tree)).toEqual(tree);

      const stopped = cli(root, ['stop', '--kill-agents']);
      expect(stopped).toEqual({
        code: 0,
        stdout: 'no daemon is running; stopped 2 agents (left-a, left-b); their tasks are back in pending/\n',
        stderr: '',
      });
      expect(survivors(tree)).toEqual([]);
      expect(agentProcesses(root)).toEqual([]);
      expect(idsIn(root, 'pending')).toEqual(['left-a', 'left-b']);
      for (const id of ['left-a', 'left-b'])
        expect(readTask(root, 'pending', id).attempts, id).toMatchObject([{ number: 1, outcome: 'cancelled' }]);
      expect(cli(root, ['stop', '--kill-agents']).stdout).toBe('no daemon is running; no agents were running\n');
    },
  );

  it('a restarted daemon still enforces the timeout and cancel of the runs it adopted, on the whole tree', async () => {
    workspace = faultWorkspace({ withMarker: false });
    const { root } = workspace;
    daemon = await startDaemon(root);
    dropTask(
      root,
      'adopted-timeout',
      'description: times out under the next daemon\nagent: stubborn\ntimeout: 3s\nmax_retries: 0\n',
    );
    dropTask(root, 'adopted-cancel', 'description: cancelled under the next daemon\nagent: stubborn\n');
    const timeoutTree = await stubbornTree(root, 'adopted-timeout');
    const cancelTree = await stubbornTree(root, 'adopted-cancel');
    await killDaemon(daemon);
    daemon = await startDaemon(root);
    await waitFor(
      'both runs to be adopted',
      () =>
        daemon!.output().includes('re-adopted adopted-timeout') &&
        daemon!.output().includes('re-adopted adopted-cancel'),
    );

    const cancelled = await cliAsync(root, ['cancel', 'adopted-cancel']);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(survivors(cancelTree)).toEqual([]);
    await waitFor('the timeout to be recorded', () => foldersOf(root, 'adopted-timeout').join() === 'failed', 30_000);
    expect(survivors(timeoutTree)).toEqual([]);
    expect(readTask(root, 'failed', 'adopted-timeout').attempts).toMatchObject([{ number: 1, outcome: 'timeout' }]);
    await waitFor('the cancel to be recorded', () => foldersOf(root, 'adopted-cancel').join() === 'failed');
    expect(readTask(root, 'failed', 'adopted-cancel').attempts).toMatchObject([{ number: 1, outcome: 'cancelled' }]);
    expect(agentProcesses(root)).toEqual([]);
  });

  it('a cancel that arrives while the task is being claimed leaves no agent running', async () => {
    workspace = faultWorkspace({ withMarker: false });
    const { root, marker } = workspace;
    daemon = await startDaemon(root);
    const layout = layoutOf(root);
    const ids = Array.from({ length: 12 }, (_, n) => `claim-race-${n}`);
    for (const id of ids) {
      dropTask(
        root,
        id,
        `description: cancelled as it starts\nagent: shell\ncommand: echo "start ${id}" >> marker.log; sleep 1.5; echo "end ${id}" >> marker.log\n`,
      );
      // What `orchestrate cancel` sends, the moment the run folder appears (the claim is under way),
      // and again a few times after, in case the first one came too early or too late.
      const requests: Promise<unknown>[] = [];
      const cancel = () => requests.push(sendControl(layout, { cmd: 'cancel', id }, 15_000));
      const watcher = watch(
        join(root, '.orchestrate/runs'),
        (_event, name) => name === id && requests.length === 0 && cancel(),
      );
      try {
        // The doorbell `orchestrate add` rings (no stability wait).
        await sendControl(layout, { cmd: 'ring', ids: [id] }, 5000);
        await waitFor('the run folder to appear', () => existsSync(join(root, '.orchestrate/runs', id)), 5000).catch(
          () => undefined,
        );
        for (let k = 0; k < 5; k++) {
          cancel();
          await sleep(k);
        }
        await Promise.all(requests);
      } finally {
        watcher.close();
      }
    }
    await waitFor(
      'every task to be cancelled',
      () => ids.every((id) => foldersOf(root, id).join() === 'failed'),
      30_000,
    );
    // Long enough for any agent that was started anyway to reach its end.
    await sleep(2500);
    const ended = (existsSync(marker) ? readFileSync(marker, 'utf8') : '')
      .split('\n')
      .filter((line) => line.startsWith('end '));
    expect(ended).toEqual([]);
    expect(agentProcesses(root)).toEqual([]);
    for (const id of ids) {
      const task = readTask(root, 'failed', id);
      expect(task.result?.outcome ?? task.attempts?.at(-1)?.outcome, id).toBe('cancelled');
    }
  });

  it('an agent that exits normally leaves no background process behind in its process group', async () => {
    workspace = faultWorkspace({ withMarker: false });
    const { root } = workspace;
    daemon = await startDaemon(root);
    const command = [
      `sh -c 'trap "" INT TERM; echo $$ > same-group.pid; exec sleep 1000' &`,
      'while [ ! -s same-group.pid ]; do sleep 0.05; done',
      'echo left one behind',
    ].join('\n');
    dropTask(
      root,
      'leaves-bg',
      `description: exits leaving a background process\nagent: shell\ncommand: ${JSON.stringify(command)}\n`,
    );
    await waitFor('the task to complete', () => foldersOf(root, 'leaves-bg').join() === 'completed', 30_000);
    const pid = Number(readFileSync(join(root, 'same-group.pid'), 'utf8').trim());
    await waitFor('the leftover to be stopped', () => !pidAlive(pid), 15_000).catch(() => undefined);
    expect(pidAlive(pid)).toBe(false);
  });
});
