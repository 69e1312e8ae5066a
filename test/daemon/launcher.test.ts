import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { join } from 'node:path';
import {
  cli,
  dropTask,
  FAST_DAEMON,
  idsIn,
  makeWorkspace,
  spawnDaemon,
  waitFor,
  waitReady,
  type DaemonProcess,
  type Workspace,
} from '../helpers/workspace.js';

let ws: Workspace;
let daemon: DaemonProcess | undefined;
afterEach(async () => {
  cli(ws.root, ['stop', '--kill-agents']);
  await daemon?.exited;
  ws.cleanup();
});

function launcherPid(daemonPid: number): number | undefined {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === daemonPid && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('launcher.js'))
        return Number(name);
    } catch {
      // Gone meanwhile.
    }
  }
  return undefined;
}

// Agents given by `command:` (and the AI presets) start through the launcher; `shell` tasks use runners.
const CONFIG = `max_concurrent: 4
agents:
  cmd: { command: ["/bin/sh", "-c", "sleep 1; exit 5"], max_instances: 4 }
  quick: { command: ["/bin/sh", "-c", "exit 0"], max_instances: 4 }
defaults: { agent: cmd, retry_delay: 100ms }
${FAST_DAEMON}`;

describe('the launcher process', () => {
  it('forks agents for the daemon; if it dies, running agents are still collected and new ones start', async () => {
    ws = makeWorkspace(CONFIG);
    daemon = spawnDaemon(ws.root);
    await waitReady(daemon);
    dropTask(ws.root, 'long', 'description: long\nmax_retries: 0\n');
    await waitFor('the agent to start', () => idsIn(ws.root, 'assigned').includes('long'));
    const launcher = await waitFor('the launcher', () => launcherPid(daemon!.child.pid!));
    process.kill(launcher, 'SIGKILL');
    await waitFor('the task to end', () => idsIn(ws.root, 'failed').includes('long'));
    const task = parse(readFileSync(join(ws.root, 'tasks/failed/long.yaml'), 'utf8'));
    expect(task.attempts[0]).toMatchObject({ outcome: 'failed', exit_code: 5 });
    dropTask(ws.root, 'after', 'description: after\nagent: quick\n');
    await waitFor('a task after the launcher died', () => idsIn(ws.root, 'completed').includes('after'));
    expect(launcherPid(daemon.child.pid!)).not.toBe(launcher);
  });
});
