import { existsSync, readdirSync, unlinkSync } from 'node:fs';
import { relative } from 'node:path';
import { idCandidates, idProblem, slugify } from '../core/ids.js';
import { formatProblem, type Problem } from '../core/problems.js';
import { shellCommand } from '../core/shell-quote.js';
import { STATE_FOLDERS } from '../core/state-folders.js';
import { writeFileAtomic } from './atomic-write.js';
import type { CaseTwins } from './case-twins.js';
import type { Layout } from './layout.js';
import { moveTask } from './moves.js';

export interface SetAside {
  // The id it was filed under in failed/ (a new one when the id was already taken there).
  as: string;
  lines: string[];
}

function freeFailedId(layout: Layout, id: string, failed: ReadonlySet<string>, twins: CaseTwins): string {
  for (let n = 1; ; n++) {
    const candidate = `${id.slice(0, 180)}.duplicate-${n}`;
    if (!failed.has(candidate) && !existsSync(layout.taskPath('failed', candidate)) && !hasTwin(twins, candidate))
      return candidate;
  }
}

const hasTwin = (twins: CaseTwins, id: string) => twins.twinsOf(id).length > 0;

// Paths in failed/<id>.error are as seen from the workspace folder, wherever the daemon runs.
function inWorkspace(layout: Layout, path: string): string {
  return relative(layout.root, path);
}

// The id a set-aside file can come back under: its own when that is valid and still its own, else
// the first one named after it that no folder holds, in any case (a bad name becomes a slug of it).
function returnId(layout: Layout, id: string, target: string, twins: CaseTwins): string {
  if (target === id && idProblem(id) === undefined) return id;
  const candidates = idCandidates(idProblem(id) === undefined ? id : slugify(id));
  for (;;) {
    const candidate = candidates.next().value;
    if (!STATE_FOLDERS.some((state) => existsSync(layout.taskPath(state, candidate))) && !hasTwin(twins, candidate))
      return candidate;
  }
}

// The command that puts a set-aside file back into pending/, from wherever it is pasted (it goes to
// the workspace folder first). `mv -i` asks before replacing a file that appeared there meanwhile,
// so pasting it never loses a task.
function moveBackHint(layout: Layout, id: string, target: string, onlyTheId: boolean, twins: CaseTwins): string {
  const back = returnId(layout, id, target, twins);
  const to =
    back === id
      ? `${inWorkspace(layout, layout.folder('pending'))}/`
      : inWorkspace(layout, layout.taskPath('pending', back));
  const command = `${shellCommand(['cd', layout.root])} && ${shellCommand(['mv', '-i', inWorkspace(layout, layout.taskPath('failed', target)), to])}`;
  return onlyTheId ? `Move it back under a free id: ${command}` : `Fix it, then move it back: ${command}`;
}

// Moves bad input from pending/ to failed/ byte for byte, with the reason in failed/<id>.error.
// `rename` files it under a new id (its own is used elsewhere, the file itself is fine); undefined if
// it vanished first. The person's bytes are kept: the hint moves the file back under a free id.
export async function setAside(
  layout: Layout,
  id: string,
  problems: Problem[],
  failed: ReadonlySet<string>,
  rename: boolean,
  twins: CaseTwins,
): Promise<SetAside | undefined> {
  const lines = problems.map((problem) => formatProblem(inWorkspace(layout, layout.taskPath('pending', id)), problem));
  // An id another folder holds, in any case, is never given a second file: the invalid newcomer gets a new name.
  const taken =
    failed.has(id) ||
    STATE_FOLDERS.some((state) => state !== 'pending' && existsSync(layout.taskPath(state, id))) ||
    hasTwin(twins, id);
  let target = rename || taken ? freeFailedId(layout, id, failed, twins) : id;
  for (;;) {
    const moved = await moveTask(layout, id, 'pending', 'failed', target);
    if (moved === 'gone') return undefined;
    if (moved === 'moved') break;
    target = freeFailedId(layout, id, failed, twins);
  }
  await writeFileAtomic(
    layout.errorPath(target),
    `${lines.join('\n')}\n${moveBackHint(layout, id, target, rename, twins)}\n`,
  );
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
