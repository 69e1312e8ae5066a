import type { Stats } from 'node:fs';
import { fileKey, processTable, type OpenFile, type OpenWriter } from './process-table.js';

// A look taken this soon after a file's last change may have missed the writer's open: look again.
const CHANGE_MARGIN_MS = 20;

// Which files of a folder a process still holds open for writing. One scan of the open files answers
// for every file that last changed before it began, so a burst of new files costs one scan, not one
// per file; a writer it found is checked again on each question (closing a file changes neither its
// mtime nor its ctime, so a cached "still open" would never end).
export class WriterScan {
  private files = new Map<string, OpenFile[]>();
  private takenAt = -Infinity;

  // dir: the folder whose files are asked about (pending/).
  constructor(private readonly dir: string) {}

  // The process writing the file whose lstat is `stats`, if any.
  writerOf(stats: Stats, now = Date.now()): OpenWriter | undefined {
    if (this.takenAt < Math.max(stats.mtimeMs, stats.ctimeMs) + CHANGE_MARGIN_MS) {
      this.takenAt = now;
      this.files = processTable.openFiles(this.dir);
    }
    const key = fileKey(stats);
    for (const open of this.files.get(key) ?? []) {
      const writer = processTable.writerThrough(open, key);
      if (writer) return writer;
    }
    return undefined;
  }
}
