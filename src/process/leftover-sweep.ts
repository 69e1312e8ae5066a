import { setTimeout as sleep } from 'node:timers/promises';
import { processTable } from './process-table.js';

// How long a leftover launcher gets to finish the requests it read before it is killed.
const LAUNCHER_SETTLE_MS = 2000;
// How long killed launchers get to be gone (a process stuck in the kernel may take a while).
const KILL_WAIT_MS = 5000;

// Waits until the launchers a dead daemon left have exited (each exits once it has read all its
// requests), killing those that take too long (stopped, or starved). Once none is left, every
// wrapper one started shows its run's marker: a launcher that exits by itself has seen its wrappers
// exec, and a child forked just before a kill carries the launcher's marker until it execs, so it is
// killed in the next round or shows its run's marker by then.
export async function settleLeftoverLaunchers(runsDir: string): Promise<void> {
  const deadline = Date.now() + LAUNCHER_SETTLE_MS;
  let left = processTable.leftoverLaunchers(runsDir);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(processTable.pollMs);
    left = processTable.leftoverLaunchers(runsDir);
  }
  const killDeadline = Date.now() + KILL_WAIT_MS;
  while (left.length > 0 && Date.now() < killDeadline) {
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
    await sleep(processTable.pollMs);
    left = processTable.leftoverLaunchers(runsDir);
  }
}
