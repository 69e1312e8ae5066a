// The example workspace's files: which examples are plans, and every file a run of one leaves.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export const root = new URL('..', import.meta.url).pathname;
export const STATES = ['pending', 'assigned', 'completed', 'failed'];

// The examples, each with its id and whether it is a plan (a file with a top-level `tasks:` list).
export function examples() {
  return readdirSync(`${root}examples`).map((name) => ({
    name,
    id: name.replace(/\.yaml$/, ''),
    plan: /^tasks:/m.test(readFileSync(`${root}examples/${name}`, 'utf8')),
  }));
}

// The task ids an example has become: its own, or for a plan those of its expanded tasks.
export function idsOf(example) {
  if (!example.plan) return [example.id];
  const ids = new Set();
  for (const state of STATES) {
    if (!existsSync(`${root}tasks/${state}`)) continue;
    for (const name of readdirSync(`${root}tasks/${state}`))
      if (name.startsWith(`${example.id}.`) && name.endsWith('.yaml')) ids.add(name.slice(0, -5));
  }
  return [...ids];
}

// Whether an example was submitted already (as a task, or as a plan kept in tasks/plans/).
export function submitted(example) {
  if (example.plan && existsSync(`${root}tasks/plans/${example.name}`)) return true;
  return STATES.some((state) => existsSync(`${root}tasks/${state}/${example.name}`));
}
