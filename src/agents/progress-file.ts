import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../queue/atomic-write.js';
import type { AgentPreset, EventView } from './preset.js';
import { addViews, emptyProgress, stderrViewsOf, viewsOf, type Progress } from './progress.js';

const MAX_READ = 1024 * 1024;

// Where a run's stdout (and, for presets that read it, stderr) has been read up to, and what it showed so far.
export interface ProgressCursor {
  offset: number;
  stderrOffset: number;
  progress: Progress;
}

export function startProgress(): ProgressCursor {
  return { offset: 0, stderrOffset: 0, progress: emptyProgress() };
}

// The views of the complete lines added to a file since `offset` (a line still being written is
// read on the next look), the new offset, and when the file last changed; undefined when nothing was added.
function newViews(
  path: string,
  offset: number,
  view: (text: string) => EventView[],
): { views: EventView[]; offset: number; mtime: Date } | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const stats = fstatSync(fd);
    const views: EventView[] = [];
    let at = offset;
    while (stats.size > at) {
      const buffer = Buffer.alloc(Math.min(MAX_READ, stats.size - at));
      const length = readSync(fd, buffer, 0, buffer.length, at);
      const end = buffer.subarray(0, length).lastIndexOf(0x0a);
      if (end < 0) break;
      views.push(...view(buffer.subarray(0, end).toString('utf8')));
      at += end + 1;
    }
    return at === offset ? undefined : { views, offset: at, mtime: stats.mtime };
  } finally {
    closeSync(fd);
  }
}

// Reads the complete lines the agent added since the cursor, and when it did; writes
// runs/<id>/<n>/status.json when something changed. Returns whether it did. stderr is read first:
// what stdout shows in the same look is usually the later news.
export function updateProgress(preset: AgentPreset, runDir: string, cursor: ProgressCursor): boolean {
  const stderr = preset.viewStderr
    ? newViews(join(runDir, 'stderr'), cursor.stderrOffset, (text) => stderrViewsOf(preset, text))
    : undefined;
  const stdout = newViews(join(runDir, 'stdout'), cursor.offset, (text) => viewsOf(preset, text));
  const reads = [stderr, stdout].filter((read) => read !== undefined);
  if (reads.length === 0) return false;
  const updatedAt = new Date(Math.max(...reads.map((read) => read.mtime.getTime()))).toISOString();
  cursor.progress = {
    ...addViews(
      cursor.progress,
      reads.flatMap((read) => read.views),
    ),
    updated_at: updatedAt,
  };
  cursor.offset = stdout?.offset ?? cursor.offset;
  cursor.stderrOffset = stderr?.offset ?? cursor.stderrOffset;
  writeFileAtomicSync(join(runDir, 'status.json'), `${JSON.stringify(cursor.progress)}\n`, { durable: false });
  return true;
}
