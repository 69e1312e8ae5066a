// Invariant 3, nothing lost, at its narrowest point: the daemon recorded a run (run.json) and asked
// a runner shell to start it, then died before the agent began. Such a run must go
// back to pending/ without using an attempt, and run exactly once, whatever the stalled helper does.
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, dropTask, waitFor, type DaemonProcess, type Workspace } from '../helpers/workspace.js';
import {
  cliAsync,
  faultWorkspace,
  MARKER_AGENT,
  killDaemon,
  markerCounts,
  readMarker,
  readTask,
  runFile,
  startDaemon,
  tearDown,
  waitAllFinished,
} from '../helpers/faults.js';
import { existsSync } from 'node:fs';

let workspace: (Workspace & { marker: string }) | undefined;
let daemon: DaemonProcess | undefined;
const stopped: number[] = [];

afterEach(async () => {
  for (const pid of stopped.splice(0)) signal(pid, 'SIGKILL');
  await tearDown(daemon, workspace);
  daemon = workspace = undefined;
});

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Gone already.
  }
}

function proc(pid: string, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'latin1');
  } catch {
    return '';
  }
}

// The daemon's runner shells.
function runnersOf(daemonPid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      const stat = proc(name, 'stat');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== daemonPid) return false;
      return proc(name, 'environ').includes('ORCHESTRATE_RUNNER=');
    })
    .map(Number);
}

const KINDS = [
  {
    how: 'an argv agent whose runner shell stalled',
    task: () => 'description: marker job\nagent: marker\n',
  },
  {
    how: 'a shell task whose runner shell stalled',
    task: (marker: string) =>
      `description: marker job\nagent: shell\ncommand: ${JSON.stringify(`MARKER_SLEEP=0.1 ${MARKER_AGENT} ${marker}`)}\n`,
  },
];

// What the stalled helper does after the daemon died: never comes back, is killed, or resumes late.
const FATES = ['killed', 'left stopped', 'resumed after the restart'] as const;

describe('nothing lost: a run recorded but never started', () => {
  for (const kind of KINDS) {
    it.each(FATES)(`${kind.how}, then %s: back to pending without an attempt, and runs once`, async (fate) => {
      workspace = faultWorkspace({ maxRetries: 0, instances: 1 });
      const { root, marker } = workspace;
      daemon = await startDaemon(root);
      const helpers = await waitFor("the daemon's runner shells", () => {
        const found = runnersOf(daemon!.child.pid!);
        return found.length > 0 ? found : false;
      });
      for (const pid of helpers) {
        signal(pid, 'SIGSTOP');
        stopped.push(pid);
      }
      dropTask(root, 'job', kind.task(marker));
      await waitFor('the run to be recorded', () => existsSync(runFile(root, 'job', 1, 'run.json')));
      // Followed from here, the run that begins again under the same attempt number is shown too.
      const following = cliAsync(root, ['logs', '-f', 'job']);
      await sleep(100);
      await killDaemon(daemon);
      if (fate === 'killed') {
        for (const pid of helpers) signal(pid, 'SIGKILL');
        // With no daemon, status says what recovery will do with it.
        expect(cli(root, ['status']).stdout).toContain(
          'never started (the daemon stopped first); back to pending when one starts',
        );
      }
      daemon = await startDaemon(root);
      if (fate === 'resumed after the restart') for (const pid of helpers) signal(pid, 'SIGCONT');
      await waitAllFinished(root, ['job'], 30_000);

      const task = readTask(root, 'completed', 'job');
      expect(task.attempts?.map((attempt) => attempt.outcome)).toEqual(['success']);
      expect(markerCounts(readMarker(marker)).get('job')).toBe(1);
      expect(await following).toMatchObject({ code: 0, stdout: 'marker-agent finished job attempt 1\n' });
    });
  }
});
