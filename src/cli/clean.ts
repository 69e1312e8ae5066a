import type { Layout } from '../queue/layout.js';
import { cleanWorktrees, type CleanReport } from '../worktrees/clean.js';

// `orchestrate clean`: removes the worktrees and branches whose work is merged or empty.
export function cleanCommand(layout: Layout, options: { dryRun?: boolean }): Promise<CleanReport> {
  return cleanWorktrees(layout, { dryRun: options.dryRun ?? false });
}

// One line per task branch (what was removed or kept, and why), then the counts.
export function renderClean(report: CleanReport): string {
  if (!report.repository) return 'nothing to clean: the workspace is not in a git repository';
  if (report.entries.length === 0) return 'nothing to clean: no orchestrate/ branches';
  const lines = report.entries.map((entry) => {
    const what = entry.worktree === undefined ? entry.branch : `${entry.worktree} and ${entry.branch}`;
    return `${entry.action} ${what}: ${entry.reason}`;
  });
  const count = (action: string) => report.entries.filter((entry) => entry.action === action).length;
  const removed = count('would remove') > 0 ? `would remove ${count('would remove')}` : `removed ${count('removed')}`;
  return `${lines.join('\n')}\n${removed}, kept ${count('kept')}`;
}
