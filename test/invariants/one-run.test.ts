// Invariant 2, one run at a time: a task never has two live attempts, across any number of daemons.
import { readdirSync, readFileSync, symlinkSync, unlinkSync, watch } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { sendControl } from '../../src/control/control-socket.js';
import { layoutOf } from '../../src/index.js';
import {
  cli,
  dropTask,
  idsIn,
  spawnDaemon,
  waitFor,
  type DaemonProcess,
  type Workspace,
} from '../helpers/workspace.js';
import {
  agentProcesses,
  destroyWorkspace,
  faultWorkspace,
  markerCounts,
  readMarker,
  readTask,
  startDaemon,
  stopDaemon,
  waitAllFinished,
} from '../helpers/faults.js';

let workspace: (Workspace & { marker: string }) | undefined;
let daemons: DaemonProcess[] = [];

afterEach(async () => {
  await Promise.all(daemons.map((daemon) => stopDaemon(daemon)));
  if (workspace) await destroyWorkspace(workspace);
  daemons = [];
  workspace = undefined;
});

describe('one run at a time', () => {
  it('lets exactly one of three daemons started at the same moment hold the workspace; every task runs once', async () => {
    workspace = faultWorkspace({ markerSleep: '0.2' });
    const { root, marker } = workspace;
    const ids = Array.from({ length: 30 }, (_, n) => `race-${n}`);
    for (const id of ids) dropTask(root, id, `description: run me exactly once (${id})\n`);

    daemons = [spawnDaemon(root), spawnDaemon(root), spawnDaemon(root)];
    const winner = await Promise.race(
      daemons.map((daemon) =>
        waitFor('a daemon to start', () => daemon.output().includes('daemon started') && daemon, 30_000),
      ),
    );
    const losers = daemons.filter((daemon) => daemon !== winner);
    const codes = await Promise.all(losers.map((daemon) => daemon.exited));
    for (const [n, loser] of losers.entries()) {
      expect(codes[n], loser.output()).not.toBe(0);
      expect(loser.output()).toContain(`pid ${winner.child.pid}`);
      expect(loser.output()).not.toContain('daemon started');
    }
    expect(winner.child.exitCode).toBeNull();

    await waitAllFinished(root, ids, 60_000);
    expect(idsIn(root, 'completed')).toEqual([...ids].sort());
    const counts = markerCounts(readMarker(marker));
    for (const id of ids) expect(counts.get(id), id).toBe(1);
    for (const id of ids) expect(readTask(root, 'completed', id).attempts, id).toHaveLength(1);
  });

  it('starts no second daemon with `orchestrate start` (it says which runs) and refuses a second `run`, naming its pid', async () => {
    workspace = faultWorkspace();
    const { root, marker } = workspace;
    const first = await startDaemon(root);
    daemons.push(first);

    expect(cli(root, ['start'])).toMatchObject({ code: 0, stdout: `already running (pid ${first.child.pid})\n` });

    const second = spawnDaemon(root);
    daemons.push(second);
    expect(await second.exited).not.toBe(0);
    expect(second.output()).toContain(`pid ${first.child.pid}`);

    // The same workspace reached through a symlink is the same workspace.
    const alias = `${root}-alias`;
    symlinkSync(root, alias);
    try {
      const third = spawnDaemon(alias);
      daemons.push(third);
      expect(await third.exited).not.toBe(0);
      expect(third.output()).toContain(`pid ${first.child.pid}`);
    } finally {
      unlinkSync(alias);
    }

    dropTask(root, 'solo', 'description: runs once under the one daemon\n');
    await waitFor('the task to complete', () => idsIn(root, 'completed').includes('solo'));
    expect(readMarker(marker).map((line) => line.id)).toEqual(['solo']);
  });

  it('does not start a task again when a new daemon takes over while its agent still runs', async () => {
    workspace = faultWorkspace({ markerSleep: '1.5' });
    const { root, marker } = workspace;
    const ids = ['long-1', 'long-2', 'long-3'];
    for (const id of ids) dropTask(root, id, `description: a long run (${id})\n`);
    let daemon = await startDaemon(root);
    daemons.push(daemon);
    await waitFor('all three agents to start', () => readMarker(marker).length === 3);
    // Stopped gracefully and restarted twice while the agents run: each time the new daemon adopts them.
    for (let round = 0; round < 2; round++) {
      await stopDaemon(daemon);
      daemon = await startDaemon(root);
      daemons.push(daemon);
    }
    await waitAllFinished(root, ids, 30_000);
    expect(idsIn(root, 'completed')).toEqual(ids);
    expect(
      readMarker(marker)
        .map((line) => line.id)
        .sort(),
    ).toEqual(ids);
    for (const id of ids)
      expect(
        readTask(root, 'completed', id).attempts?.map((a) => a.outcome),
        id,
      ).toEqual(['success']);
  });

  it('never has two live attempts when a stop --kill-agents lands during a claim', async () => {
    workspace = faultWorkspace({ withMarker: false });
    const { root, marker } = workspace;
    const layout = layoutOf(root);
    const ids: string[] = [];
    // Each round: a burst of 4 tasks, and the stop sent the moment the first run folder appears
    // (the claim is then under way). Rounds stop early once an agent outlives its daemon.
    for (let round = 0; round < 6; round++) {
      const daemon = await startDaemon(root);
      daemons.push(daemon);
      const burst = [0, 1, 2, 3].map((k) => `stop-race-${round}-${k}`);
      ids.push(...burst);
      let stopping: Promise<unknown> | undefined;
      const stop = () => (stopping ??= sendControl(layout, { cmd: 'stop', killAgents: true }, 15_000));
      const watcher = watch(join(root, '.orchestrate/runs'), () => void stop());
      try {
        for (const id of burst) {
          dropTask(
            root,
            id,
            `description: stopped as it starts\nagent: shell\ncommand: echo "start ${id} $ORCHESTRATE_ATTEMPT $(date +%s%N)" >> marker.log; sleep 1.5; echo "end ${id} $ORCHESTRATE_ATTEMPT $(date +%s%N)" >> marker.log\n`,
          );
        }
        // The doorbell `orchestrate add` rings; the stop is what `orchestrate stop --kill-agents` sends.
        await sendControl(layout, { cmd: 'ring', ids: burst }, 5000);
        await waitFor(
          'a run folder to appear',
          () => readdirSync(join(root, '.orchestrate/runs')).length > 0,
          5000,
        ).catch(() => undefined);
        await stop();
        await daemon.exited;
      } finally {
        watcher.close();
      }
      if (agentProcesses(root).length > 0) break;
    }
    daemons.push(await startDaemon(root));
    await waitAllFinished(root, ids, 60_000);
    await sleep(2000);
    const lines = readFileSync(marker, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' '));
    for (const id of ids) {
      // No two attempts of a task were alive at the same time. An attempt lives from its start line to
      // its end line, or, when it was stopped, until the daemon recorded it as ended.
      const attempts = readTask(root, 'completed', id).attempts ?? [];
      const endOf = (attempt: string) => {
        const end = lines.find((line) => line[0] === 'end' && line[1] === id && line[2] === attempt)?.[3];
        if (end) return BigInt(end);
        const recorded = attempts.find((entry) => String(entry.number) === attempt) as
          | { ended_at?: string }
          | undefined;
        const endedMs = Date.parse(recorded?.ended_at ?? '');
        // An agent that started but was never recorded as ended counts as alive to the end.
        return Number.isNaN(endedMs) ? BigInt(lines.at(-1)![3]!) : BigInt(endedMs) * 1_000_000n;
      };
      // A stop that lands while `date` runs leaves a start line without its stamp: the attempt's
      // recorded start stands in for it.
      const startOf = (line: string[]) => {
        if (line[3]) return BigInt(line[3]);
        const recorded = attempts.find((entry) => String(entry.number) === line[2]) as
          | { started_at?: string }
          | undefined;
        return BigInt(Date.parse(recorded?.started_at ?? '')) * 1_000_000n;
      };
      const spans = lines
        .filter((line) => line[0] === 'start' && line[1] === id)
        .map((line) => ({ attempt: line[2]!, from: startOf(line), to: endOf(line[2]!) }))
        .sort((a, b) => (a.from < b.from ? -1 : 1));
      for (let k = 1; k < spans.length; k++) {
        expect(
          spans[k]!.from > spans[k - 1]!.to,
          `${id}: attempt ${spans[k]!.attempt} started while attempt ${spans[k - 1]!.attempt} was alive`,
        ).toBe(true);
      }
      // Only the attempt that succeeded may have run to its end; stopped ones were stopped.
      const ends = lines.filter((line) => line[0] === 'end' && line[1] === id).map((line) => line[2]);
      const success = readTask(root, 'completed', id).attempts?.find((attempt) => attempt.outcome === 'success');
      expect(ends, id).toEqual([String(success?.number)]);
    }
  });
});
