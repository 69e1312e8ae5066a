import { shellCommand } from '../../core/shell-quote.js';
import type { Layout } from '../../queue/layout.js';
import { workspaceLayout } from './workspace.js';

// `orchestrate ARGS` as the person can paste it where they are: with `-C <workspace>` when, run from
// here, it would find another workspace, and every word quoted as the shell needs.
export function orchestrateCommand(layout: Layout, ...args: string[]): string {
  const here = workspaceLayout(undefined).root === layout.root;
  return shellCommand(['orchestrate', ...(here ? [] : ['-C', layout.root]), ...args]);
}
