import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Layout } from '../../queue/layout.js';
import { agentStarted, readExitCode, readRunRecord, runProcess, type RunRecord } from '../../queue/run-files.js';

// The attempt numbers recorded for a task, oldest first (from .orchestrate/runs/<id>/).
export function attemptNumbers(layout: Layout, id: string): number[] {
  try {
    return readdirSync(join(layout.runsDir, id))
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .sort((a, b) => a - b);
  } catch {
    return [];
  }
}

// The newest run of a task, if it ever started.
export function latestRun(
  layout: Layout,
  id: string,
): { number: number; dir: string; record: RunRecord | undefined } | undefined {
  const number = attemptNumbers(layout, id).at(-1);
  if (number === undefined) return undefined;
  const dir = layout.runDir(id, number);
  return { number, dir, record: readRunRecord(dir) };
}

// The live process of a task's latest run (its runner, else any process carrying its marker), if any.
export function liveRunProcess(layout: Layout, id: string): number | undefined {
  const run = latestRun(layout, id);
  return run && runProcess(run.dir);
}

// What became of a running task's agent while no daemon watched: still running (a daemon adopts
// it), never started, ended with a status, or gone without one (recorded as lost). Undefined if
// it is running.
export function unwatchedEnd(layout: Layout, id: string): string | undefined {
  if (liveRunProcess(layout, id) !== undefined) return undefined;
  const run = latestRun(layout, id);
  // Claimed, or recorded, by a daemon that stopped before its agent began: it goes back to pending.
  if (!run?.record || !agentStarted(run.dir))
    return 'never started (the daemon stopped first); back to pending when one starts';
  const code = readExitCode(run.dir);
  return code !== undefined
    ? `ended (exit ${code}) while no daemon ran; recorded when one starts`
    : 'gone while no daemon ran; recorded as lost when one starts';
}
