import { readdirSync } from 'node:fs';
import { foldCase, taskIdOf } from '../core/ids.js';
import { STATE_FOLDERS, type StateFolder } from '../core/state-folders.js';
import type { Layout } from './layout.js';
import { locateTask } from './locate-task.js';

// A task file whose id equals another's but for letter case.
export interface CaseTwin {
  state: StateFolder;
  id: string;
}

/**
 * Finds the task files whose ids differ from an id only in case. The folders are listed once (again
 * after `relist`), and ids noted since are added; every answer is checked against the folders as they
 * are now, so an id that has moved or gone is never reported where it no longer is.
 */
export class CaseTwins {
  private folded: Map<string, Set<string>> | undefined;
  // The ids in pending/ as the caller has just listed them (read from the folder when absent).
  private pending: Iterable<string> | undefined;
  // Ids noted before the folders were listed again: the stale listing of pending/ may lack them.
  private readonly noted = new Set<string>();

  constructor(private readonly layout: Layout) {}

  // The next question lists the folders again (files may have arrived by hand since), taking
  // pending/ from a listing the caller has just made.
  relist(pending?: Iterable<string>): void {
    this.folded = undefined;
    this.pending = pending;
    this.noted.clear();
  }

  // An id seen since the listing (a file that arrived in pending/).
  note(id: string): void {
    if (this.folded) add(this.folded, id);
    else this.noted.add(id);
  }

  twinsOf(id: string): CaseTwin[] {
    this.folded ??= this.list();
    const twins: CaseTwin[] = [];
    for (const other of this.folded.get(foldCase(id)) ?? []) {
      if (other === id) continue;
      const state = locateTask(this.layout, other);
      if (state) twins.push({ state, id: other });
    }
    return twins;
  }

  private list(): Map<string, Set<string>> {
    const folded = new Map<string, Set<string>>();
    for (const id of this.pending ?? []) add(folded, id);
    for (const id of this.noted) add(folded, id);
    for (const state of STATE_FOLDERS) {
      if (state === 'pending' && this.pending) continue;
      let names: string[];
      try {
        names = readdirSync(this.layout.folder(state));
      } catch {
        continue;
      }
      for (const name of names) {
        const id = taskIdOf(name);
        if (id !== undefined) add(folded, id);
      }
    }
    return folded;
  }
}

function add(folded: Map<string, Set<string>>, id: string): void {
  const key = foldCase(id);
  const ids = folded.get(key);
  if (ids) ids.add(id);
  else folded.set(key, new Set([id]));
}
