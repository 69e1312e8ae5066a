import { existsSync } from 'node:fs';
import { agentWorkdir, type AgentConfig, type Config } from '../core/config-schema.js';
import type { Problem } from '../core/problems.js';
import { containedPath, outsideMessage } from './contained-path.js';

// The paths task and config files name are checked when the files are read (a task is set aside, a
// config refused) and again where they are used, since a symlink can change in between. A path
// that does not exist is no problem here: the prompt says "(missing)", a spawn names the folder.

// A task's context_files that lead outside the workspace (they are read from it, worktree tasks too).
export function contextFileProblems(
  root: string,
  files: readonly string[] | undefined,
  field = 'context_files',
): Problem[] {
  return (files ?? []).flatMap((file, index) => {
    const found = containedPath(root, file);
    return found.kind === 'outside'
      ? [{ path: `${field}[${index}]`, message: outsideMessage(file, found.real, 'workspace', 'file') }]
      : [];
  });
}

// orchestrator.yaml's paths that lead outside the workspace: agents' `cwd:` and `context.files`.
export function configPathProblems(root: string, config: Config): Problem[] {
  const problems: Problem[] = [];
  for (const [name, agent] of Object.entries(config.agents)) {
    const folder = agentFolder(root, agent, name, 'workspace');
    if (folder.kind === 'outside') problems.push(folder.problem);
  }
  return [...problems, ...contextFileProblems(root, config.contextFiles, 'context.files')];
}

export type AgentFolder = { kind: 'ready' | 'missing'; path: string } | { kind: 'outside'; problem: Problem };

// The folder an agent runs in: its `cwd:` under `base` (the workspace, or the task's worktree) with
// its symlinks resolved, so the agent runs where the check looked.
export function agentFolder(
  base: string,
  agent: Pick<AgentConfig, 'cwd'>,
  name: string,
  where: 'workspace' | 'worktree',
): AgentFolder {
  const path = agentWorkdir(base, agent);
  if (!agent.cwd) return { kind: existsSync(path) ? 'ready' : 'missing', path };
  const found = containedPath(base, agent.cwd);
  if (found.kind === 'outside')
    return {
      kind: 'outside',
      problem: { path: `agents.${name}.cwd`, message: outsideMessage(agent.cwd, found.real, where, 'folder') },
    };
  return found.kind === 'inside' ? { kind: 'ready', path: found.path } : { kind: 'missing', path };
}
