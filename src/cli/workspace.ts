import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { layoutOf, type Layout } from '../queue/layout.js';

// The workspace a command acts on: --root, else $ORCHESTRATE_ROOT (set for agents), else the nearest
// folder upwards holding orchestrator.yaml or tasks/, else the current folder.
export function workspaceLayout(rootOption: string | undefined): Layout {
  if (rootOption) return layoutOf(rootOption);
  if (process.env.ORCHESTRATE_ROOT) return layoutOf(process.env.ORCHESTRATE_ROOT);
  let dir = resolve(process.cwd());
  for (;;) {
    if (existsSync(join(dir, 'orchestrator.yaml')) || existsSync(join(dir, 'tasks', 'pending'))) return layoutOf(dir);
    const parent = dirname(dir);
    if (parent === dir) return layoutOf(process.cwd());
    dir = parent;
  }
}
