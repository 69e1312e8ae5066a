import type { Stats } from 'node:fs';
import { openWriters, type OpenWriter } from '../agents/process-table.js';

// A look taken this soon after a file's last change may have missed the writer's open: look again.
const CHANGE_MARGIN_MS = 20;

// Which pending files a process still holds open for writing. One pass over /proc answers for every
// file that last changed before it began, so a burst of new files costs one pass, not one per file.
export class WriterScan {
  private writers = new Map<string, OpenWriter>();
  private takenAt = -Infinity;

  constructor(private readonly dir: string) {}

  // The process writing `path` (whose lstat is `stats`), if any.
  writerOf(path: string, stats: Stats, now = Date.now()): OpenWriter | undefined {
    if (this.takenAt < Math.max(stats.mtimeMs, stats.ctimeMs) + CHANGE_MARGIN_MS) {
      this.takenAt = now;
      this.writers = openWriters(this.dir);
    }
    return this.writers.get(path);
  }
}
