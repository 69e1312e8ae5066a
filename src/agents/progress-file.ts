import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../queue/atomic-write.js';
import type { AgentPreset } from './preset.js';
import { addViews, emptyProgress, viewsOf, type Progress } from './progress.js';

const MAX_READ = 1024 * 1024;

// Where a run's stream has been read up to, and what it showed so far.
export interface ProgressCursor {
  offset: number;
  progress: Progress;
}

export function startProgress(): ProgressCursor {
  return { offset: 0, progress: emptyProgress() };
}

// Reads the complete lines the agent added to stdout since the cursor, and when it did; writes
// runs/<id>/<n>/status.json when something changed. Returns whether it did.
export function updateProgress(preset: AgentPreset, runDir: string, cursor: ProgressCursor): boolean {
  let fd: number;
  try {
    fd = openSync(join(runDir, 'stdout'), 'r');
  } catch {
    return false;
  }
  let changed = false;
  try {
    const stats = fstatSync(fd);
    while (stats.size > cursor.offset) {
      const buffer = Buffer.alloc(Math.min(MAX_READ, stats.size - cursor.offset));
      const length = readSync(fd, buffer, 0, buffer.length, cursor.offset);
      // Only whole lines: a line still being written is read on the next look.
      const end = buffer.subarray(0, length).lastIndexOf(0x0a);
      if (end < 0) break;
      cursor.progress = addViews(cursor.progress, viewsOf(preset, buffer.subarray(0, end).toString('utf8')));
      cursor.offset += end + 1;
      changed = true;
    }
    if (changed) cursor.progress = { ...cursor.progress, updated_at: stats.mtime.toISOString() };
  } finally {
    closeSync(fd);
  }
  if (changed) writeFileAtomicSync(join(runDir, 'status.json'), `${JSON.stringify(cursor.progress)}\n`, { durable: false });
  return changed;
}
