import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  killDaemon,
  pidAlive,
  readTask,
  runFile,
  runPid,
  startDaemon,
  tearDown,
  waitAllFinished,
} from '../helpers/faults.js';
import { gitIn, repoWorkspace, worktreeConfig } from '../helpers/git-repo.js';
import { waitFor, type DaemonProcess, type Workspace } from '../helpers/workspace.js';

let daemon: DaemonProcess | undefined;
let ws: Workspace | undefined;
afterEach(async () => {
  await tearDown(daemon, ws);
  daemon = ws = undefined;
});

// An agent that works until its go-file appears, then writes its file in the worktree.
const waiting = (id: string) =>
  `description: ${id}\ncommand: while [ ! -f "$ORCHESTRATE_ROOT/.orchestrate/go-${id}" ]; do sleep 0.05; done; echo ${id} > ${id}.txt\n`;

describe('worktrees across a daemon crash', () => {
  it('commits and merges the work of agents that ended while no daemon watched, and of adopted ones', async () => {
    ws = repoWorkspace();
    const { root } = ws;
    writeFileSync(join(root, 'tasks/pending/ended.yaml'), waiting('ended'));
    writeFileSync(join(root, 'tasks/pending/adopted.yaml'), waiting('adopted'));
    daemon = await startDaemon(root);
    await runPid(root, 'ended');
    await runPid(root, 'adopted');
    await killDaemon(daemon);
    // One agent ends while no daemon runs; the other is still running when the next one starts.
    writeFileSync(join(root, '.orchestrate/go-ended'), '');
    await waitFor('the orphaned agent to end', () => existsSync(runFile(root, 'ended', 1, 'exit')));
    daemon = await startDaemon(root);
    writeFileSync(join(root, '.orchestrate/go-adopted'), '');
    await waitAllFinished(root, ['ended', 'adopted'], 60_000);
    for (const id of ['ended', 'adopted']) {
      expect(readTask(root, 'completed', id).result).toMatchObject({
        outcome: 'success',
        merge: 'merged',
        files_modified: [`${id}.txt`],
      });
      expect(readFileSync(join(root, `${id}.txt`), 'utf8')).toBe(`${id}\n`);
      expect(gitIn(root, 'log', '-1', '--format=%(trailers:key=Task-Id,valueonly)', `orchestrate/${id}`)).toBe(id);
    }
  });

  it('stops a worktree.setup that a killed daemon left running before the task starts again', async () => {
    // The first setup records its pid and hangs; the one of the next attempt passes at once.
    const setup =
      'if [ ! -e "$ORCHESTRATE_ROOT/.orchestrate/setup-1.pid" ]; then echo $$ > "$ORCHESTRATE_ROOT/.orchestrate/setup-1.pid"; sleep 60; fi';
    ws = repoWorkspace(worktreeConfig(`worktree: { setup: ${JSON.stringify(setup)} }\n`));
    const { root } = ws;
    const pidFile = join(root, '.orchestrate/setup-1.pid');
    writeFileSync(join(root, 'tasks/pending/set-up.yaml'), 'description: set up\ncommand: echo done > done.txt\n');
    daemon = await startDaemon(root);
    const first = await waitFor(
      'the first setup to start',
      () => existsSync(pidFile) && Number(readFileSync(pidFile, 'utf8').trim()),
    );
    await killDaemon(daemon);
    expect(pidAlive(first)).toBe(true);
    daemon = await startDaemon(root);
    await waitAllFinished(root, ['set-up'], 60_000);
    expect(readTask(root, 'completed', 'set-up').result).toMatchObject({ outcome: 'success', merge: 'merged' });
    await waitFor('the first setup to be stopped', () => !pidAlive(first), 10_000);
  });
});
