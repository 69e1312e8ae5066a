import { existsSync, readdirSync, unlinkSync } from 'node:fs';
import { relative } from 'node:path';
import { formatProblem, type Problem } from '../core/problems.js';
import { writeFileAtomic } from './atomic-write.js';
import type { Layout } from './layout.js';
import { moveTask } from './moves.js';

export interface SetAside {
  // The id it was filed under in failed/ (a new one when the id was already taken there).
  as: string;
  lines: string[];
}

function freeFailedId(layout: Layout, id: string, failed: ReadonlySet<string>): string {
  for (let n = 1; ; n++) {
    const candidate = `${id.slice(0, 180)}.duplicate-${n}`;
    if (!failed.has(candidate) && !existsSync(layout.taskPath('failed', candidate))) return candidate;
  }
}

// Moves bad input from pending/ to failed/ byte for byte, with the reason in failed/<id>.error.
// `rename` files it under a new id (its own is used elsewhere); undefined if it vanished first.
export async function setAside(layout: Layout, id: string, problems: Problem[], failed: ReadonlySet<string>, rename: boolean): Promise<SetAside | undefined> {
  const shown = relative(process.cwd(), layout.taskPath('pending', id)) || `tasks/pending/${id}.yaml`;
  const lines = problems.map((problem) => formatProblem(shown, problem));
  let target = rename || failed.has(id) ? freeFailedId(layout, id, failed) : id;
  for (;;) {
    const moved = await moveTask(layout, id, 'pending', 'failed', target);
    if (moved === 'gone') return undefined;
    if (moved === 'moved') break;
    target = freeFailedId(layout, id, failed);
  }
  const hint = `Fix it, then move it back: mv tasks/failed/${target}.yaml tasks/pending/${id === target ? '' : `${id}.yaml`}`;
  await writeFileAtomic(layout.errorPath(target), `${lines.join('\n')}\n${hint}\n`);
  return { as: target, lines };
}

// Removes failed/<id>.error files whose task has left failed/ (fixed and moved back by a person).
export function sweepOrphanErrors(layout: Layout, failed: ReadonlySet<string>): void {
  const dir = layout.folder('failed');
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.error') || failed.has(name.slice(0, -'.error'.length))) continue;
    try {
      unlinkSync(`${dir}/${name}`);
    } catch {
      // Already gone.
    }
  }
}
