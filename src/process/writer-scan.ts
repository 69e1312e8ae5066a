import type { Stats } from 'node:fs';
import { fileKey, openFiles, writerThrough, type OpenFile, type OpenWriter } from './process-table.js';

// A look taken this soon after a file's last change may have missed the writer's open: look again.
const CHANGE_MARGIN_MS = 20;

// Which pending files a process still holds open for writing. One pass over /proc answers for every
// file that last changed before it began, so a burst of new files costs one pass, not one per file;
// a writer it found is checked again on each question (closing a file changes neither its mtime nor
// its ctime, so a cached "still open" would never end).
export class WriterScan {
  private files = new Map<string, OpenFile[]>();
  private takenAt = -Infinity;

  // The process writing the file whose lstat is `stats`, if any.
  writerOf(stats: Stats, now = Date.now()): OpenWriter | undefined {
    if (this.takenAt < Math.max(stats.mtimeMs, stats.ctimeMs) + CHANGE_MARGIN_MS) {
      this.takenAt = now;
      this.files = openFiles();
    }
    const key = fileKey(stats);
    for (const open of this.files.get(key) ?? []) {
      const writer = writerThrough(open, key);
      if (writer) return writer;
    }
    return undefined;
  }
}
