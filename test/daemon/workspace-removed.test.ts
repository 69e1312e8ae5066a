import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { cli, FAST_DAEMON, makeWorkspace, type Workspace } from '../helpers/workspace.js';
import { pidAlive } from '../helpers/faults.js';

let workspace: Workspace | undefined;
afterEach(() => {
  if (workspace) cli(workspace.root, ['stop']);
  workspace?.cleanup();
});

const daemonPid = (root: string) =>
  (JSON.parse(readFileSync(`${root}/.orchestrate/daemon.json`, 'utf8')) as { pid: number }).pid;

describe('a workspace removed under its daemon', () => {
  it('stops the daemon, so a workspace made anew at the same path can start its own', async () => {
    workspace = makeWorkspace();
    const { root } = workspace;
    expect(cli(root, ['start']).code).toBe(0);
    const pid = daemonPid(root);
    rmSync(root, { recursive: true, force: true });
    for (let i = 0; i < 100 && pidAlive(pid); i++) await sleep(100);
    expect(pidAlive(pid)).toBe(false);

    mkdirSync(root);
    writeFileSync(`${root}/orchestrator.yaml`, `agents:\n  shell: { preset: shell }\n${FAST_DAEMON}`);
    expect(cli(root, ['start'])).toMatchObject({ code: 0 });
    expect(daemonPid(root)).not.toBe(pid);
  });
});
