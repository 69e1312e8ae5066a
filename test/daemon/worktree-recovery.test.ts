import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killDaemon, readTask, runFile, runPid, startDaemon, tearDown, waitAllFinished } from '../helpers/faults.js';
import { gitIn, repoWorkspace } from '../helpers/git-repo.js';
import { waitFor, type DaemonProcess, type Workspace } from '../helpers/workspace.js';

let daemon: DaemonProcess | undefined;
let ws: Workspace | undefined;
afterEach(async () => {
  await tearDown(daemon, ws);
  daemon = ws = undefined;
});

// An agent that works until its go-file appears, then writes its file in the worktree.
const waiting = (id: string) => `description: ${id}\ncommand: while [ ! -f "$ORCHESTRATE_ROOT/.orchestrate/go-${id}" ]; do sleep 0.05; done; echo ${id} > ${id}.txt\n`;

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
      expect(readTask(root, 'completed', id).result).toMatchObject({ outcome: 'success', merge: 'merged', files_modified: [`${id}.txt`] });
      expect(readFileSync(join(root, `${id}.txt`), 'utf8')).toBe(`${id}\n`);
      expect(gitIn(root, 'log', '-1', '--format=%(trailers:key=Task-Id,valueonly)', `orchestrate/${id}`)).toBe(id);
    }
  });
});
