import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { layoutOf, type Layout } from '../../queue/layout.js';
import { shellQuote } from '../../core/shell-quote.js';
import { CliError } from './errors.js';

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

// The workspace of a command that needs one. Where `orchestrate init` never ran it refuses, before
// anything is created: no folders made up, no daemon on built-in defaults.
export function existingWorkspace(rootOption: string | undefined): Layout {
  const layout = workspaceLayout(rootOption);
  if (existsSync(layout.configPath)) return layout;
  const searched = rootOption === undefined && !process.env.ORCHESTRATE_ROOT && layout.root === resolve(process.cwd());
  if (searched)
    throw new CliError(`no orchestrator.yaml in ${layout.root} or any folder above it; run \`orchestrate init\` first`);
  throw new CliError(
    `no orchestrator.yaml in ${layout.root}; run \`orchestrate -C ${shellQuote(layout.root)} init\` first`,
  );
}
