import { existsSync } from 'node:fs';
import { STATE_FOLDERS, type StateFolder } from '../../core/state-folders.js';
import type { Layout } from '../../queue/layout.js';

// Folders are read one after another while tasks move, so a listing can meet one id twice.
// Each id is shown once: where its file is now, or, mid-move (linked in both), the later state.
export function onePlace<T extends { id: string; state: StateFolder }>(layout: Layout, items: T[]): T[] {
  const byId = new Map<string, T>();
  for (const item of items) {
    const seen = byId.get(item.id);
    if (!seen) {
      byId.set(item.id, item);
      continue;
    }
    const candidates = [seen, item].filter((candidate) => existsSync(layout.taskPath(candidate.state, candidate.id)));
    const pick = (candidates.length > 0 ? candidates : [seen, item]).sort(
      (a, b) => STATE_FOLDERS.indexOf(b.state) - STATE_FOLDERS.indexOf(a.state),
    )[0]!;
    byId.set(item.id, pick);
  }
  return [...byId.values()];
}
