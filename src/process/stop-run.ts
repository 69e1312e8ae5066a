import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { liveGroupMembers, processTable } from './process-table.js';

const STEPS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGKILL'];

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

// What is left of a run: its process group and the processes that carry its marker elsewhere. A
// runner shell outlives its runs: left alone in its group, it is done with the run once it has
// written the run's exit status; before that, it is about to fork the run's subshell (it says it
// took a run just before) or to record its end, so the group is still signalled.
function remaining(pgid: number, runDir: string): number[] {
  const stray = processTable.findRunProcesses(runDir, pgid);
  const members = liveGroupMembers(pgid);
  const runnerDone =
    members.length === 1 &&
    members[0] === pgid &&
    processTable.isRunnerOf(pgid, runDir) &&
    existsSync(join(runDir, 'exit'));
  return members.length > 0 && !runnerDone ? [-pgid, ...stray] : stray;
}

// Stops a run's whole tree: SIGINT, a grace period, SIGTERM, another grace period, then SIGKILL,
// to its process group and to every process that carries the run's marker (escaped grandchildren).
export async function stopRunTree(pgid: number, runDir: string, graceMs: number): Promise<void> {
  // kill(-0) and kill(-1) would signal our own group or every process: never a run's group.
  if (!Number.isInteger(pgid) || pgid <= 1) throw new Error(`refusing to signal process group ${pgid}`);
  for (const step of STEPS) {
    const targets = remaining(pgid, runDir);
    if (targets.length === 0) return;
    for (const target of targets) signal(target, step);
    const deadline = Date.now() + (step === 'SIGKILL' ? 5000 : graceMs);
    while (Date.now() < deadline) {
      await sleep(processTable.pollMs);
      if (remaining(pgid, runDir).length === 0) return;
    }
  }
}
