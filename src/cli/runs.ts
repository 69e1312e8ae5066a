import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Layout } from '../queue/layout.js';
import { readRunRecord, type RunRecord } from '../queue/run-files.js';

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
export function latestRun(layout: Layout, id: string): { number: number; dir: string; record: RunRecord | undefined } | undefined {
  const number = attemptNumbers(layout, id).at(-1);
  if (number === undefined) return undefined;
  const dir = layout.runDir(id, number);
  return { number, dir, record: readRunRecord(dir) };
}
