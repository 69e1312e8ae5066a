import { setTimeout as sleep } from 'node:timers/promises';
import { processTable } from './process-table.js';

// How long a leftover launcher gets to finish the requests it read before it is killed.
const LAUNCHER_SETTLE_MS = 2000;

// Waits until the launchers a dead daemon left have exited (each exits once it has read all its
// requests), killing those that take too long (stopped, or starved).
export async function settleLeftoverLaunchers(runsDir: string): Promise<void> {
  const deadline = Date.now() + LAUNCHER_SETTLE_MS;
  let left = processTable.leftoverLaunchers(runsDir);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(processTable.pollMs);
    left = processTable.leftoverLaunchers(runsDir);
  }
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
  // A wrapper forked just before the kill needs a moment to exec and show its run's marker.
  if (left.length > 0) await sleep(50);
}
